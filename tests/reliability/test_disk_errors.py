"""A full or read-only file system, for real: a small tmpfs in a private mount namespace.

`unshare --user --map-root-user --mount` needs no privileges where unprivileged user
namespaces are enabled (as on CI's machines); elsewhere these tests are skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _can_mount(), reason="no unprivileged mount namespaces")

API_SAVE = """
import sys, lamingit as ln
from lamingit.errors import DiskError
ln.settings.creation.artifact_silence_missing_run_warning = True  # stderr: only the errors
try:
    ln.Artifact(sys.argv[1], key=sys.argv[2]).save()
except DiskError as exc:
    print("DiskError", exc.errno, isinstance(exc, OSError))
"""


def _run(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    """Run ``body`` (bash) with $MNT a 3 MiB tmpfs and $L the lamingit CLI."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = textwrap.dedent(
        f"""
        set -u
        MNT={mnt}
        mount -t tmpfs -o size=3m tmpfs "$MNT"
        export HOME="$MNT/home" LAMINGIT_USER=tester PYTHONPATH={ROOT}
        mkdir -p "$HOME"
        L="{sys.executable} -m lamingit.cli.main"
        PY={sys.executable}
        cd "$MNT"
        $L init repo > /dev/null
        cd repo
        """
    )
    return subprocess.run(
        ["unshare", "-rm", "bash", "-c", script + textwrap.dedent(body)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_disk_full_is_one_line_exit_3_and_nothing_half_written(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * 16_000)  # 4 MB, more than the 3 MiB disk
    small = tmp_path / "small.txt"
    small.write_text("small\n")
    api = tmp_path / "api_save.py"
    api.write_text(API_SAVE)
    out = _run(
        tmp_path,
        f"""
        $L save {big} --key big.bin; echo "save-big=$?"
        $PY {api} {big} big.bin
        $L ls; $L fsck > /dev/null; echo "fsck=$?"
        ls .lamingit/objects/tmp | wc -l | sed 's/^/tmp-files=/'
        # fill the disk to the last byte, then a tiny save fails too (blob or commit)
        dd if=/dev/zero of="$MNT/filler" bs=64k 2> /dev/null
        $L save {small} --key small.txt; echo "save-small=$?"
        rm "$MNT/filler"
        $L fsck > /dev/null; echo "fsck-after=$?"
        $L save {small} --key small.txt > /dev/null; echo "save-again=$?"
        $L ls
        """,
    )
    lines = out.stdout.splitlines()
    assert "save-big=3" in lines, out.stdout + out.stderr
    assert "DiskError 28 True" in lines
    assert "no artifacts" in lines
    assert "fsck=0" in lines and "tmp-files=0" in lines
    assert "save-small=3" in lines
    assert "fsck-after=0" in lines and "save-again=0" in lines
    assert any("small.txt" in line for line in lines)
    errors = out.stderr.splitlines()
    assert errors and all(e.startswith("error: the disk is full (ENOSPC)") for e in errors), errors
    assert "Traceback" not in out.stderr


def test_read_only_file_system_is_one_line_exit_3(tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_text("small\n")
    api = tmp_path / "api_save.py"
    api.write_text(API_SAVE)
    out = _run(
        tmp_path,
        f"""
        mount -o remount,ro "$MNT"
        $L save {small} --key small.txt; echo "save=$?"
        $PY {api} {small} small.txt
        $L ls; echo "ls=$?"
        """,
    )
    lines = out.stdout.splitlines()
    assert "save=3" in lines, out.stdout + out.stderr
    assert "DiskError 30 True" in lines
    assert "no artifacts" in lines and "ls=0" in lines
    first, *rest = out.stderr.splitlines()
    assert first.startswith("error: the file system is read-only (EROFS)")
    # `ls` still reads a read-only repository; it says once that it could not refresh the index
    assert len(rest) <= 1 and "Traceback" not in out.stderr, out.stderr
