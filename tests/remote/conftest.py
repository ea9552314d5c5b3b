"""Fixtures for collaboration tests: bare git remotes, blob directories, S3 on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import lamingit as ln
from lamingit.remote import gitcli
from lamingit.remote.sync import clone, push, set_blob_remote
from lamingit.repo import Repository
from lamingit.session import SESSION

ROOT = Path(__file__).resolve().parents[2]
AUTHOR = ("testuser1", "testuser1@lamingit.local")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def use(path: Path, user: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Act as ``user`` in the repository at ``path`` (as that person's process would)."""
    monkeypatch.setenv("LAMINGIT_USER", user)
    ln.connect(path)


def save_text(name: str, content: str, **kwargs: object) -> ln.Artifact:
    path = Path(os.getcwd()) / "files" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    return ln.Artifact(path, key=name, **kwargs).save()  # type: ignore[arg-type]


@pytest.fixture
def bare_remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    gitcli.init_bare_remote(path)
    return path


@pytest.fixture
def blob_dir(tmp_path: Path) -> Path:
    path = tmp_path / "blobstore"
    path.mkdir()
    return path


@pytest.fixture
def origin(repo: Path, bare_remote: Path, blob_dir: Path) -> Path:
    """The ``repo`` fixture with remote ``origin`` and a directory blob remote, pushed."""
    from lamingit.remote.sync import push

    r = SESSION.repository()
    gitcli.add_remote(r.paths.gitdir, "origin", str(bare_remote))
    set_blob_remote(r, str(blob_dir), ("testuser1", "testuser1@lamingit.local"))
    push(r, "origin")
    return repo


@pytest.fixture
def lamingit_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``lamingit`` executable on PATH that runs this worktree (for git hooks/drivers)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "lamingit"
    exe.write_text(f'#!/bin/sh\nexec {sys.executable} -m lamingit.cli.main "$@"\n')
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return exe


@pytest.fixture
def s3_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real S3-protocol server (moto, server mode) on 127.0.0.1; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    endpoint = f"http://127.0.0.1:{port}"
    try:
        import boto3

        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="labdata")
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def git_daemon(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``git daemon`` on 127.0.0.1 serving a base directory; yields (git:// base URL, dir)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path / "served"
    base.mkdir()
    port = free_port()
    proc = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            f"--base-path={base}",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port)
        yield f"git://127.0.0.1:{port}", base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def push_and_clone(bare_remote: Path, tmp_path: Path) -> tuple[Repository, Repository]:
    """Push Alice's repository (the session's) to ``bare_remote`` and clone it as Bob's."""
    alice = SESSION.repository()
    push(alice)
    return alice, clone(str(bare_remote), tmp_path / "bob")


@pytest.fixture
def two(origin: Path, bare_remote: Path, tmp_path: Path) -> tuple[Repository, Repository]:
    """Alice's repository (the ``repo`` fixture) and Bob's clone, both up to date."""
    save_text("shared.txt", "v0\n", description="shared")
    return push_and_clone(bare_remote, tmp_path)
