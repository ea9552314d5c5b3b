"""fsync: ``ln.settings.fsync`` and ``[core] fsync`` make a save flush blobs, objects and refs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import lamingit as ln
from lamingit._util import read_toml
from lamingit.repo import Repository
from lamingit.session import SESSION

WORKTREE = Path(__file__).resolve().parents[2]


def test_setting_persists_in_the_local_config(repo: Path) -> None:
    assert ln.settings.fsync is False
    ln.settings.fsync = True
    assert read_toml(repo / ".lamingit" / "config.toml")["core"]["fsync"] == "true"
    reopened = Repository(repo)
    assert reopened.fsync and reopened.blobs.fsync
    ln.settings.fsync = False
    assert read_toml(repo / ".lamingit" / "config.toml")["core"]["fsync"] == "false"
    assert not Repository(repo).fsync and not SESSION.repository().blobs.fsync


def _fsyncs_of_a_save(repo: Path, work: Path, name: str) -> list[str]:
    """Run one save in a fresh process under strace; the paths it fsyncs."""
    src = work / name
    src.write_text(f"content of {name}\n")
    trace = work / f"{name}.strace"
    code = (
        "import sys, lamingit as ln; ln.connect(sys.argv[1]); "
        "ln.Artifact(sys.argv[2], key=sys.argv[3]).save()"
    )
    env = {**os.environ, "PYTHONPATH": str(WORKTREE)}
    subprocess.run(
        [
            "strace",
            "-f",
            "-qq",
            "-y",
            "-e",
            "trace=fsync,fdatasync",
            "-o",
            str(trace),
            sys.executable,
            "-c",
            code,
            str(repo),
            str(src),
            name,
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    return re.findall(r"sync\(\d+<([^>]*)>\)", trace.read_text())


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace to observe fsync calls")
def test_a_save_fsyncs_only_when_asked(repo: Path, tmp_path: Path) -> None:
    assert _fsyncs_of_a_save(repo, tmp_path, "off.txt") == []
    config = repo / ".lamingit" / "config.toml"
    config.write_text('[core]\nfsync = "true"\n')  # the config option, as a user would set it
    synced = _fsyncs_of_a_save(repo, tmp_path, "on.txt")
    root = str(repo.resolve())
    objects = f"{root}/.lamingit/objects/"
    blob_dir = [p for p in synced if p.startswith(objects) and not p.startswith(objects + "tmp")]
    assert blob_dir, synced  # the blob's rename is flushed, not only its bytes
    assert any(p.startswith(f"{root}/.lamingit/objects/tmp/blob-") for p in synced)
    # the save's git objects are one pack: its two files, then the directory holding them
    pack_dir = f"{root}/.git/objects/pack"
    assert sum(p.startswith(pack_dir + "/tmp_pack_") for p in synced) == 2, synced
    assert pack_dir in synced
    assert f"{root}/.git/refs/heads" in synced
    # the branch's new value (in its lock file, before the rename) and both reflog lines
    assert f"{root}/.git/refs/heads/main.lock" in synced, synced
    assert f"{root}/.git/logs/refs/heads/main" in synced
    assert f"{root}/.git/logs/HEAD" in synced
    repository = Repository(repo)
    assert repository.snapshot().lookup("artifact.key", "on.txt")
