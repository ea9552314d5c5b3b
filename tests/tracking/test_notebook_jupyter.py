"""A notebook in a real Jupyter server: the kernel asks the server's sessions API (loopback)
which notebook it runs, so a rename after the kernel started is followed."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client import BlockingKernelClient
from test_notebook_kernels import BIN, CELLS, kernel_env, make_notebook

import lamingit as ln
from lamingit.tracking.notebook import read_notebook, source_text

TOKEN = "lamingit-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A ``jupyter server`` process with its own runtime directory and token."""

    def __init__(self, root: Path, runtime: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.runtime = runtime
        self.base = f"http://127.0.0.1:{self.port}/"
        args = [
            str(BIN / "jupyter"),
            "server",
            "--no-browser",
            "--allow-root",  # CI runs as root
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root}",
            f"--IdentityProvider.token={TOKEN}",
        ]
        self.log = runtime.parent / "jupyter-server.log"
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(args, env=env, stdout=log, stderr=log, text=True)
        deadline = time.time() + 60
        while not list(runtime.glob("jpserver-*.json")):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise AssertionError(
                    f"jupyter server did not start: {self.log.read_text()[-2000:]}"
                )
            time.sleep(0.1)

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def server(repo: Path, tmp_path: Path) -> Iterator[Server]:
    runtime = tmp_path / "jupyter-runtime"
    runtime.mkdir()
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    env = kernel_env(
        repo,
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
        JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"),
    )
    started = Server(project, runtime, env)
    try:
        yield started
    finally:
        started.stop()


def execute(client: BlockingKernelClient, code: str) -> dict[str, Any]:
    """Send one cell as JupyterLab does (stdin allowed) and return its reply content."""
    msg_id = client.execute(code, allow_stdin=True)
    while True:
        reply = client.get_shell_msg(timeout=120)
        if reply["parent_header"].get("msg_id") == msg_id:
            return dict(reply["content"])


def test_jupyter_lab_notebook_follows_a_rename(server: Server, tmp_path: Path) -> None:
    project = tmp_path / "project"
    notebook = make_notebook(project / "sub" / "hit-calling.ipynb")
    session = server.api(
        "POST",
        "api/sessions",
        {"path": "sub/hit-calling.ipynb", "type": "notebook", "kernel": {"name": "python3"}},
    )
    # The person renames the notebook in Lab: the file moves, the session follows, the
    # kernel's __session__ still names the old file.
    server.api("PATCH", "api/contents/sub/hit-calling.ipynb", {"path": "sub/hits.ipynb"})
    server.api("PATCH", f"api/sessions/{session['id']}", {"path": "sub/hits.ipynb"})
    notebook = project / "sub" / "hits.ipynb"
    client = BlockingKernelClient(connection_file=str(server.runtime / _kernel_file(session)))
    client.load_connection_file()
    # No heartbeat: on a loaded machine a missed beat reads as "kernel died".
    client.start_channels(hb=False)
    try:
        client.wait_for_ready(timeout=120)
        nb = nbformat.read(notebook, as_version=4)
        for cell in nb.cells[:-1]:
            if cell.cell_type == "code":
                reply = execute(client, cell.source)
                assert reply["status"] == "ok", reply
                cell.execution_count = reply["execution_count"]
        assert execute(client, "assert __session__.endswith('hit-calling.ipynb')")["status"] == "ok"
        nbformat.write(nb, notebook)  # Ctrl+S
        reply = execute(client, nb.cells[-1].source)
        assert reply["status"] == "ok", reply
    finally:
        client.stop_channels()
    transform = ln.Transform.get(key="sub/hits.ipynb")  # relative to the git work tree
    assert transform.kind == "notebook" and transform.description == "Hit calling"
    assert transform.source_code == source_text(read_notebook(notebook))
    run = transform.runs.one()
    assert run.status == "completed" and run.report.startswith("<!DOCTYPE html>")
    assert ln.Artifact.get(key="hits.txt").run.uid == run.uid
    assert len(CELLS) == len(nb.cells)


def _kernel_file(session: dict[str, Any]) -> str:
    return f"kernel-{session['kernel']['id']}.json"
