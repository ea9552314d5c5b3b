"""Every test gets its own HOME, git config, working directory and repository."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pygit2
import pytest

from lamingit.session import SESSION
from lamingit.tracking import context as run_context


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private HOME, XDG config, git config and cwd; no inherited lamingit settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("LAMINGIT_REPO", "LAMINGIT_USER", "LAMINGIT_USER_NAME"):
        monkeypatch.delenv(var, raising=False)
    saved = pygit2.settings.search_path[pygit2.enums.ConfigLevel.GLOBAL]
    pygit2.settings.search_path[pygit2.enums.ConfigLevel.GLOBAL] = str(home)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    SESSION.reset()
    run_context._STACK.clear()
    yield home
    SESSION.reset()
    run_context._STACK.clear()
    pygit2.settings.search_path[pygit2.enums.ConfigLevel.GLOBAL] = saved


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh repository, connected, with the acting user ``testuser1``."""
    import lamingit as ln

    monkeypatch.setenv("LAMINGIT_USER", "testuser1")
    path = tmp_path / "mydata"
    ln.init(path)
    return path


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a file under the test's work directory: ``write("a.csv", "x\\n1\\n")``."""

    def _write(name: str, content: str | bytes = "x\n") -> Path:
        path = Path(os.getcwd()) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path

    return _write


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``lamingit ARGS`` as a real subprocess with this worktree's package."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]))

    def run(
        *args: str, cwd: Path | None = None, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lamingit.cli.main", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            input=input,
            check=False,
        )

    return run
