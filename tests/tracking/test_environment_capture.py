"""Environment capture (package versions) and the stdout/stderr tee."""

from __future__ import annotations

import platform
import sys

import pytest

from lamingit.tracking.capture import OutputCapture
from lamingit.tracking.environment import packages


def test_packages_lists_installed_distributions_with_versions() -> None:
    import msgspec
    import pygit2

    env = packages()
    assert env["python"] == platform.python_version()
    assert env["msgspec"] == msgspec.__version__
    assert env["pygit2"] == pygit2.__version__
    assert all(isinstance(v, str) and v for v in env.values())
    env["python"] = "mutated"
    assert packages()["python"] == platform.python_version()  # callers get a copy


def test_capture_tees_both_streams(capsys: pytest.CaptureFixture[str]) -> None:
    cap = OutputCapture()
    cap.start()
    print("to stdout")
    print("to stderr", file=sys.stderr)
    cap.stop()
    print("after stop")
    cap.add("Traceback: x\n")
    out, err = capsys.readouterr()
    assert "to stdout" in out and "to stderr" in err and "after stop" in out
    assert cap.text() == "to stdout\nto stderr\nTraceback: x\n"
