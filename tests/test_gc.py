"""gc removes only blobs no record at any commit needs, clears stale tmp files, packs git."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pygit2

import lamingit as ln
import lamingit.auto_pack as auto_pack
from lamingit.fsck import fsck
from lamingit.gc import gc, needed_blobs
from lamingit.layout import record_path
from lamingit.models import RunRecord, encode
from lamingit.repo import Repository
from lamingit.session import SESSION

OLD = (time.time() - 7200, time.time() - 7200)


def _repo() -> Repository:
    return SESSION.repository()


def _age(path: Path) -> None:
    os.utime(path, OLD, follow_symlinks=False)


def test_unreferenced_old_blob_goes_young_one_stays(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    kept = ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    store = _repo().blobs
    old = store.put_bytes(b"orphan, old")
    young = store.put_bytes(b"orphan, written by a save that has not committed yet")
    _age(store.path_for(old))
    _age(store.path_for(kept.hash))
    dry = gc(_repo(), dry_run=True)
    assert dry.blobs == [old] and dry.kept_young == 1
    assert store.has(old)
    done = gc(_repo())
    assert done.blobs == [old]
    assert not store.has(old) and store.has(young) and store.has(kept.hash)
    assert fsck(_repo()).ok


def test_blobs_of_records_only_in_history_and_directories_and_reports_stay(
    repo: Path,
    write,  # type: ignore[no-untyped-def]
) -> None:
    gone = ln.Artifact(write("gone.txt", "only in history"), key="gone.txt").save()
    (Path("d") / "s").mkdir(parents=True)
    write("d/one.txt", "1")
    write("d/s/two.txt", "2")
    directory = ln.Artifact(Path("d"), key="d").save()
    repo_obj = _repo()
    # remove the record from the head (not via delete(), which also drops the blob)
    head = repo_obj.git.head()
    commit = repo_obj.git.write_commit(
        head, {record_path("artifact", gone.uid): None}, "drop", ("a", "a@x")
    )
    repo_obj.git.set_branch(commit)
    report_oid = repo_obj.blobs.put_bytes(b"captured stdout of a run")
    run = RunRecord(
        uid="R" * 20,
        created_at="t",
        created_by="u",
        transform="T" * 16,
        started_at="t",
        report=report_oid,
    )
    commit = repo_obj.git.write_commit(
        repo_obj.git.head(), {record_path("run", run.uid): encode(run)}, "run", ("a", "a@x")
    )
    repo_obj.git.set_branch(commit)
    for oid in repo_obj.blobs.iter_oids():
        _age(repo_obj.blobs.path_for(oid))
    needed, unresolved = needed_blobs(repo_obj)
    assert unresolved == []
    assert gone.hash in needed and report_oid in needed and directory.hash in needed
    assert len(needed) == 5  # gone, manifest, two directory files, report
    assert gc(repo_obj).blobs == []
    assert repo_obj.blobs.has(gone.hash)


def test_directory_manifest_missing_means_nothing_is_removed(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    Path("d").mkdir()
    write("d/one.txt", "1")
    directory = ln.Artifact(Path("d"), key="d").save()
    store = _repo().blobs
    orphan = store.put_bytes(b"orphan")
    _age(store.path_for(orphan))
    store.delete(directory.hash)
    report = gc(_repo())
    assert report.blobs == [] and store.has(orphan)
    assert "not local" in report.notes[0]


def test_stale_tmp_files_are_cleared(repo: Path) -> None:
    repo_obj = _repo()
    stale_blob_tmp = repo_obj.paths.objects / "tmp" / "blob-stale"
    stale_blob_tmp.parent.mkdir(parents=True, exist_ok=True)
    stale_blob_tmp.write_bytes(b"half a blob")
    _age(stale_blob_tmp)
    scratch = repo_obj.scratch_dir()
    (scratch / "dataframe.parquet").write_bytes(b"x")
    _age(scratch / "dataframe.parquet")
    _age(scratch)
    pack_dir = repo_obj.paths.gitdir / "objects" / "pack"
    half_pack = pack_dir / "tmp_pack_killed"  # a save killed while writing its pack
    unindexed = pack_dir / ("pack-" + "0" * 40 + ".pack")  # ... or before its index
    for leftover in (half_pack, unindexed):
        leftover.write_bytes(b"PACK")
        _age(leftover)
    fresh = repo_obj.scratch_dir()
    report = gc(repo_obj)
    assert sorted(report.tmp_files) == sorted(
        str(p.relative_to(repo_obj.root)) for p in (stale_blob_tmp, scratch, half_pack, unindexed)
    )
    assert not half_pack.exists() and not unindexed.exists()
    assert not stale_blob_tmp.exists() and not scratch.exists() and fresh.exists()


def test_gc_packs_everything_and_the_repository_still_reads(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    for i in range(20):
        ln.Artifact(write("a.txt", f"v{i}"), key="a.txt").save()
    repo_obj = _repo()
    assert repo_obj.git.pack_count() > 10  # one small pack per save
    report = gc(repo_obj)
    assert report.packs_before > 10
    assert report.loose_after == 0 and report.packs_after == 1
    assert ln.Artifact.get(key="a.txt").version == "20"
    assert ln.Artifact.filter().count() == 20
    assert fsck(Repository(repo)).ok


def test_packs_stay_bounded_during_saves(
    repo: Path,
    write,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(auto_pack, "AUTO_PACK_PACKS", 12)
    monkeypatch.setattr(auto_pack, "AUTO_PACK_IN_BACKGROUND", False)  # merged inside the save
    repo_obj = _repo()
    peak = 0
    for i in range(80):
        ln.Artifact(write("a.txt", f"v{i}"), key=f"k{i % 7}.txt").save()
        peak = max(peak, repo_obj.git.pack_count())
    # one pack per save: 80 saves would leave 80 packs without merging
    assert peak <= 12, peak
    assert repo_obj.git.loose_objects() == 0
    assert ln.Artifact.filter().count() == 80
    assert fsck(repo_obj).ok


def test_loose_objects_from_git_itself_get_packed(
    repo: Path,
    write,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(auto_pack, "AUTO_PACK_LOOSE", 64)
    monkeypatch.setattr(auto_pack, "_LOOSE_CHECK_EVERY", 1)
    monkeypatch.setattr(auto_pack, "AUTO_PACK_IN_BACKGROUND", False)
    repo_obj = _repo()
    raw = pygit2.Repository(str(repo_obj.paths.gitdir))
    for i in range(300):  # as a `git fetch` of a few commits would leave them
        raw.create_blob(f"loose {i}".encode())
    assert repo_obj.git.loose_objects() >= 300
    ln.Artifact(write("a.txt", "x"), key="a.txt").save()
    assert repo_obj.git.loose_objects() < 64
    assert fsck(repo_obj).ok
