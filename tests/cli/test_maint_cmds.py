"""`lamingit fsck`, `gc` and `reindex` as a user runs them: real subprocesses, exit codes, JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import lamingit as ln
from lamingit.session import SESSION

WORKTREE = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(WORKTREE)}
    return subprocess.run(
        [sys.executable, "-m", "lamingit.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_fsck_exit_code_and_json(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    artifact = ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    ok = _cli("fsck")
    assert ok.returncode == 0, ok.stderr
    assert "no problems found" in ok.stdout
    blob = SESSION.repository().blobs.path_for(artifact.hash)
    os.chmod(blob, 0o644)
    blob.write_bytes(b"tampered")
    bad = _cli("fsck", "--json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["ok"] is False
    assert report["problems"][0]["kind"] == "blob-corrupt"
    assert report["problems"][0]["where"] == f"artifact/{artifact.uid}"
    table = _cli("fsck", "--sample", "1")
    assert table.returncode == 1
    assert artifact.uid in table.stdout


def test_gc_dry_run_then_gc(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    store = SESSION.repository().blobs
    orphan = store.put_bytes(b"nobody references me")
    os.utime(store.path_for(orphan), (1, 1))
    dry = _cli("gc", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would remove blob {orphan}" in dry.stdout
    assert store.has(orphan)
    done = _cli("gc", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["blobs"] == [orphan]
    assert not store.has(orphan)
    assert _cli("fsck").returncode == 0


def test_reindex_reports_nothing_to_do(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    done = _cli("reindex")
    assert done.returncode == 0, done.stderr
    assert "already match" in done.stdout
