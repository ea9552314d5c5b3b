"""Which ``.ipynb`` file an IPython kernel runs: the runner's variable, VS Code, Jupyter's
sessions API (loopback only), ``__session__``, or a headless runner's command line.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

NOTEBOOK_ENV = "LAMINGIT_NOTEBOOK"
"""The notebook a kernel runs, set by ``lamingit run-notebook`` (or by hand for any runner)."""
RUNNER_ENV = "LAMINGIT_NOTEBOOK_RUNNER"
"""``lamingit`` when ``lamingit run-notebook`` executes the kernel (it renders the report)."""
INTERACTIVE = ("jupyter", "vscode")
SESSIONS_TIMEOUT = 2.0
"""Seconds to wait for one Jupyter server's ``/api/sessions`` (it is on this machine)."""


@dataclass(frozen=True)
class NotebookLocation:
    """The notebook file a kernel runs and who runs it.

    ``runner`` is ``jupyter`` (Lab/Notebook), ``vscode``, ``lamingit`` (``run-notebook``),
    ``headless`` (nbclient, ``jupyter execute``, ``nbconvert --execute``, papermill) or
    ``given`` (``ln.track(path=…)``). ``output`` is where a headless runner writes the
    executed notebook while it runs (papermill does so after every cell), if known.
    """

    path: Path
    runner: str
    output: Path | None = None

    @property
    def interactive(self) -> bool:
        """A person runs the cells (consecutiveness is checked, the file on disk is saved)."""
        return self.runner in INTERACTIVE


def in_kernel(shell: Any) -> bool:
    """Tell whether ``shell`` is a Jupyter kernel (not a terminal IPython).

    Example:
        >>> in_kernel(None)
        False
    """
    if shell is None:
        return False
    try:
        return "IPKernelApp" in shell.config or type(shell).__name__ == "ZMQInteractiveShell"
    except Exception:  # a half torn-down shell
        return False


def driven_by_person(shell: Any) -> bool:
    """Tell whether the cell running now came from a frontend a person uses.

    Jupyter Lab, Notebook and VS Code send ``allow_stdin=True`` with every cell (they can
    answer ``input()``); nbclient, and so ``jupyter execute``, nbconvert and papermill,
    send False.

    Example:
        >>> driven_by_person(None)
        True
    """
    kernel = getattr(shell, "kernel", None)
    return bool(getattr(kernel, "_allow_stdin", True))


def locate(shell: Any) -> NotebookLocation | None:
    """Find the notebook file the kernel of ``shell`` runs; None when nothing names one.

    Tried in order: ``LAMINGIT_NOTEBOOK``; VS Code's ``__vsc_ipynb_file__``; the Jupyter
    servers of this user (their ``jpserver-*.json`` in Jupyter's runtime directory), asked
    on loopback only which session owns this kernel; ``__session__``/``JPY_SESSION_NAME``
    (set when the kernel started, so it misses a later rename); the command line of the
    process that started the kernel (``jupyter nbconvert --execute``, ``jupyter execute``,
    ``papermill``).

    Example:
        >>> locate(get_ipython())  # doctest: +SKIP
        NotebookLocation(path=PosixPath('/home/me/project/analysis.ipynb'), runner='jupyter')
    """
    given = os.environ.get(NOTEBOOK_ENV)
    if given:
        runner = "lamingit" if os.environ.get(RUNNER_ENV) == "lamingit" else "headless"
        return NotebookLocation(Path(given).resolve(), runner)
    ns: dict[str, Any] = getattr(shell, "user_ns", None) or {}
    main = sys.modules.get("__main__")
    for candidate in (ns.get("__vsc_ipynb_file__"), getattr(main, "__vsc_ipynb_file__", None)):
        if _is_notebook(candidate):
            return NotebookLocation(Path(str(candidate)).resolve(), "vscode")
    kernel = kernel_id(shell)
    if kernel is not None:
        found = jupyter_session_path(kernel)
        if found is not None:
            return NotebookLocation(found, "jupyter")
    for candidate in (ns.get("__session__"), os.environ.get("JPY_SESSION_NAME")):
        if _is_notebook(candidate):
            runner = "jupyter" if driven_by_person(shell) else "headless"
            return NotebookLocation(Path(str(candidate)).resolve(), runner)
    return headless_location(os.getppid())


def _is_notebook(candidate: Any) -> bool:
    return isinstance(candidate, str) and candidate.endswith(".ipynb") and Path(candidate).is_file()


def kernel_id(shell: Any) -> str | None:
    """The id of this kernel, from its connection file name ``kernel-<id>.json``.

    Example:
        >>> kernel_id(None) is None
        True
    """
    connection = None
    try:
        # Test membership first: indexing a traitlets Config creates the section.
        if "IPKernelApp" in shell.config:
            connection = shell.config["IPKernelApp"].get("connection_file")
    except Exception:
        connection = None
    if not connection and type(shell).__name__ == "ZMQInteractiveShell":
        try:
            from ipykernel.connect import get_connection_file

            connection = get_connection_file()
        except Exception:  # not running inside a kernel app
            connection = None
    if not isinstance(connection, str) or not connection:
        return None
    name = Path(connection).name
    if not (name.startswith("kernel-") and name.endswith(".json")):
        return None
    return name[len("kernel-") : -len(".json")] or None


def server_files(runtime_dir: Path | None = None) -> list[Path]:
    """The info files of this user's running Jupyter servers (Lab, Notebook 7, classic).

    Example:
        >>> isinstance(server_files(), list)
        True
    """
    if runtime_dir is None:
        try:
            from jupyter_core.paths import jupyter_runtime_dir
        except ImportError:
            return []
        runtime_dir = Path(jupyter_runtime_dir())
    if not runtime_dir.is_dir():
        return []
    return sorted([*runtime_dir.glob("jpserver-*.json"), *runtime_dir.glob("nbserver-*.json")])


def loopback_base(info: dict[str, Any]) -> str | None:
    """``http://127.0.0.1:PORT/base/`` for a server on this machine; None for any other host.

    Only loopback is asked: a server file could name any address, and the request carries
    the server's token.

    Example:
        >>> loopback_base({"url": "http://localhost:8888/lab/", "base_url": "/"})
        'http://127.0.0.1:8888/'
        >>> loopback_base({"url": "http://10.0.0.5:8888/", "base_url": "/"}) is None
        True
    """
    url = info.get("url")
    if not isinstance(url, str) or info.get("sock"):
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not address.is_loopback or parts.scheme not in ("http", "https") or parts.port is None:
        return None
    base = info.get("base_url") if isinstance(info.get("base_url"), str) else "/"
    base = "/" + str(base).strip("/") + "/" if str(base).strip("/") else "/"
    netloc = f"[{host}]" if address.version == 6 else host
    return f"{parts.scheme}://{netloc}:{parts.port}{base}"


def jupyter_session_path(kernel: str, runtime_dir: Path | None = None) -> Path | None:
    """Ask each local Jupyter server which notebook session owns ``kernel``.

    Example:
        >>> jupyter_session_path("no-such-kernel", Path("/nonexistent")) is None
        True
    """
    import urllib.request

    # Proxies from the environment must not see the token or the loopback request.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for file in server_files(runtime_dir):
        try:
            info = json.loads(file.read_text())
        except (OSError, ValueError):
            continue  # a server still writing its file, or a stale one
        if not isinstance(info, dict):
            continue
        base = loopback_base(info)
        root = info.get("root_dir") or info.get("notebook_dir")
        if base is None or not isinstance(root, str):
            continue
        request = urllib.request.Request(base + "api/sessions")
        token = info.get("token")
        if isinstance(token, str) and token:
            request.add_header("Authorization", f"token {token}")
        try:
            with opener.open(request, timeout=SESSIONS_TIMEOUT) as response:
                sessions = json.loads(response.read(4 * 1024 * 1024))
        except (OSError, ValueError):
            continue  # a server that is gone, password-protected or not Jupyter
        for session in sessions if isinstance(sessions, list) else []:
            if not isinstance(session, dict):
                continue
            owner = session.get("kernel") or {}
            if not isinstance(owner, dict) or owner.get("id") != kernel:
                continue
            notebook = session.get("notebook") or {}
            rel = session.get("path") or (
                notebook.get("path") if isinstance(notebook, dict) else None
            )
            if isinstance(rel, str) and rel.endswith(".ipynb"):
                path = (Path(root) / rel).resolve()
                if path.is_file():
                    return path
    return None


def parent_command(pid: int) -> tuple[list[str], Path | None]:
    """The command line and working directory of process ``pid`` (empty when unknown).

    Example:
        >>> parent_command(os.getpid())[0][0]  # doctest: +SKIP
        '/usr/bin/python3'
    """
    proc = Path(f"/proc/{pid}")
    if proc.is_dir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            return [], None
        return [a.decode(errors="replace") for a in args if a], cwd
    try:  # macOS and other systems without /proc: spaces inside arguments are lost
        out = subprocess.run(
            ["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, timeout=5
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return [], None
    return out.split(), None


_OUTPUT_OPTIONS = ("--output", "-o", "--output-dir")


def headless_location(pid: int) -> NotebookLocation | None:
    """The notebook named on the command line of the process that started this kernel.

    ``jupyter nbconvert --execute NB``, ``jupyter execute NB`` and ``papermill IN OUT``
    start their kernel directly, so the kernel's parent names the notebook; for papermill
    the second notebook is the output it writes after every cell.

    Example:
        >>> headless_location(os.getpid()) is None
        True
    """
    args, cwd = parent_command(pid)
    if not args:
        return None
    tools = " ".join(Path(a).name for a in args[:3])
    if not any(t in tools for t in ("nbconvert", "papermill", "execute", "nbclient")):
        return None
    base = cwd or Path.cwd()
    notebooks: list[Path] = []
    skip = False
    for arg in args[1:]:
        if skip:
            skip = False
            continue
        if arg in _OUTPUT_OPTIONS:
            skip = True
            continue
        if arg.startswith("-") or not arg.endswith(".ipynb"):
            continue
        notebooks.append((base / arg).resolve())
    if not notebooks or not notebooks[0].is_file():
        return None
    output = notebooks[1] if "papermill" in tools and len(notebooks) > 1 else None
    return NotebookLocation(notebooks[0], "headless", output)
