"""Fixtures for tracking tests: run a user script in a real subprocess; clean up runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import lamingit

PACKAGE_ROOT = str(Path(lamingit.__file__).resolve().parent.parent)


def run_script(
    script: Path, repo: Path, *args: str, user: str = "testuser1", check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``python script`` with this checkout of lamingit, connected to ``repo``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = PACKAGE_ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["LAMINGIT_REPO"] = str(repo)
    env["LAMINGIT_USER"] = user
    proc = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=script.parent,
        timeout=120,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"script failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def script_runner():  # type: ignore[no-untyped-def]
    """``script_runner(path, repo, *args)`` runs a script as a real process."""
    return run_script


@pytest.fixture(autouse=True)
def _no_leftover_run():  # type: ignore[no-untyped-def]
    yield
    from lamingit.api.track import abandon

    abandon()
