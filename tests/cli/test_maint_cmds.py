"""`lamingit fsck`, `gc` and `reindex` as a user runs them: real subprocesses, exit codes, JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import lamingit as ln
from lamingit.session import SESSION


def test_fsck_exit_code_and_json(repo: Path, write, cli) -> None:  # type: ignore[no-untyped-def]
    artifact = ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    ok = cli("fsck")
    assert ok.returncode == 0, ok.stderr
    assert "no problems found" in ok.stdout
    blob = SESSION.repository().blobs.path_for(artifact.hash)
    os.chmod(blob, 0o644)
    blob.write_bytes(b"tampered")
    bad = cli("fsck", "--json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["ok"] is False
    assert report["problems"][0]["kind"] == "blob-corrupt"
    assert report["problems"][0]["where"] == f"artifact/{artifact.uid}"
    table = cli("fsck", "--sample", "1")
    assert table.returncode == 1
    assert artifact.uid in table.stdout


def test_gc_dry_run_then_gc(repo: Path, write, cli) -> None:  # type: ignore[no-untyped-def]
    ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    store = SESSION.repository().blobs
    orphan = store.put_bytes(b"nobody references me")
    os.utime(store.path_for(orphan), (1, 1))
    dry = cli("gc", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would remove blob {orphan}" in dry.stdout
    assert store.has(orphan)
    done = cli("gc", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["blobs"] == [orphan]
    assert not store.has(orphan)
    assert cli("fsck").returncode == 0


def test_reindex_reports_nothing_to_do(repo: Path, write, cli) -> None:  # type: ignore[no-untyped-def]
    ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    done = cli("reindex")
    assert done.returncode == 0, done.stderr
    assert "already match" in done.stdout
