"""One repository and one ``lamingit serve`` subprocess per test module (built once: fast CI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Served:
    """A running server over the test repository."""

    url: str
    root: Path
    uids: dict[str, str]
    proc: subprocess.Popen[str]
    stderr: Path
    env: dict[str, str]

    def log(self) -> str:
        """What the server wrote to stderr so far (access lines, disconnects)."""
        return self.stderr.read_text()


def isolated_env(base: Path) -> dict[str, str]:
    """An environment with a private HOME and git config, acting as user ``alice``."""
    home = base / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMINGIT_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        LAMINGIT_USER="alice",
        PYTHONPATH=str(ROOT),
    )
    return env


def build(base: Path, *flags: str) -> tuple[Path, dict[str, str], dict[str, str]]:
    """Build the test repository under ``base``; (root, uids, env)."""
    env = isolated_env(base)
    root, work = base / "repo", base / "work"
    work.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("build_repo.py")),
            str(root),
            str(work),
            *flags,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return root, json.loads(out.stdout.strip().splitlines()[-1]), env


def start(root: Path, env: dict[str, str], base: Path, *args: str) -> Served:
    """``lamingit serve ROOT --port 0 ARGS`` as a subprocess, once it listens."""
    stderr = base / f"serve-{len(list(base.glob('serve-*')))}.log"
    with open(stderr, "w") as log:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "lamingit.cli.main", "serve", str(root), "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=env,
        )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if " at " not in first:
        proc.kill()
        raise AssertionError(f"serve did not start: {first!r} {stderr.read_text()!r}")
    return Served(first.split(" at ")[1].split()[0], root, {}, proc, stderr, env)


def stop(served: Served) -> None:
    """Stop the server (SIGTERM) and wait for it."""
    if served.proc.poll() is None:
        served.proc.terminate()
        try:
            served.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            served.proc.kill()
    if served.proc.stdout is not None:
        served.proc.stdout.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The test repository served read-only on 127.0.0.1 (no token)."""
    base = tmp_path_factory.mktemp("web")
    root, uids, env = build(base)
    server = start(root, env, base)
    server.uids = uids
    yield server
    stop(server)
