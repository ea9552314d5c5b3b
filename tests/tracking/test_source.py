"""Detecting the running code: scripts, notebooks' code cells, git origin."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lamingit.tracking.source import caller_frame, detect, git_origin, in_ipython


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@x", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_detect_the_calling_test_file() -> None:
    info = detect(caller_frame())
    assert info is not None
    assert info.kind == "script"
    assert info.path == Path(__file__).resolve()
    assert info.key.endswith("test_source.py")
    assert "def test_detect_the_calling_test_file" in info.source_code
    assert not in_ipython()


def test_git_origin_clean_dirty_untracked_ignored(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    clean = root / "src" / "clean.py"
    clean.write_text("print(1)\n")
    (root / ".gitignore").write_text("ignored.py\n")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "init")
    head = _git(root, "rev-parse", "HEAD")
    assert git_origin(clean) == (root, head)
    untracked = root / "src" / "new.py"
    untracked.write_text("x\n")
    assert git_origin(untracked) == (root, None)
    ignored = root / "ignored.py"
    ignored.write_text("x\n")
    assert git_origin(ignored) == (root, None)
    clean.write_text("print(2)\n")
    assert git_origin(clean) == (root, None)
    outside = tmp_path / "loose.py"
    outside.write_text("x\n")
    assert git_origin(outside) == (None, None)
