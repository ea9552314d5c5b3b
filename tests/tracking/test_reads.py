"""Matching read paths to artifacts: by cache path, else by content hash."""

from __future__ import annotations

from pathlib import Path

import lamingit as ln
from lamingit.session import SESSION
from lamingit.tracking.reads import match_reads


def test_match_by_cache_path_and_by_hash(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    a = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    b = ln.Artifact(write("b.csv", "b\n2\n"), key="b.csv").save()
    copy_of_b = write("elsewhere/b_copy.csv", "b\n2\n")
    stranger = write("stranger.csv", "zzz\n")
    empty = write("empty.csv", "")
    cached = a.cache(is_run_input=False)
    snap = SESSION.repository().snapshot()
    matched, unregistered = match_reads(
        snap, repo, [str(cached), str(copy_of_b), str(stranger), str(empty)]
    )
    assert matched == {a.uid: str(cached), b.uid: str(copy_of_b)}
    assert unregistered == [str(stranger), str(empty)]
    matched, unregistered = match_reads(snap, repo, [str(copy_of_b)], by_hash=False)
    assert matched == {} and unregistered == [str(copy_of_b)]


def test_trashed_artifacts_do_not_match_by_hash(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    a = ln.Artifact(write("t.csv", "t\n"), key="t.csv").save()
    a.delete()
    snap = SESSION.repository().snapshot()
    matched, _ = match_reads(snap, repo, [str(write("t2.csv", "t\n"))])
    assert matched == {}


def test_large_reads_hash_only_files_of_an_artifacts_size(repo: Path, write, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Beyond HASH_ALL_MAX bytes, a file whose size no artifact has is never hashed."""
    from lamingit.tracking import reads

    a = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    copy_of_a = write("elsewhere/a_copy.csv", "a\n1\n")
    same_size = write("same_size.csv", "z\n9\n")  # as long as a.csv, other content
    other_size = write("other_size.csv", "a longer file\n")
    hashed: list[str] = []
    real_hash = reads._hash

    def spy(path: str):  # type: ignore[no-untyped-def]
        hashed.append(path)
        return real_hash(path)

    monkeypatch.setattr(reads, "_hash", spy)
    monkeypatch.setattr(reads, "HASH_ALL_MAX", 0)
    snap = SESSION.repository().snapshot()
    paths = [str(copy_of_a), str(same_size), str(other_size)]
    matched, unregistered = match_reads(snap, repo, paths)
    assert matched == {a.uid: str(copy_of_a)}
    assert unregistered == [str(same_size), str(other_size)]
    assert sorted(hashed) == sorted([str(copy_of_a), str(same_size)])
    hashed.clear()
    monkeypatch.setattr(reads, "HASH_ALL_MAX", 1 << 30)  # small reads: every file is hashed
    assert match_reads(snap, repo, paths)[0] == {a.uid: str(copy_of_a)}
    assert sorted(hashed) == sorted(paths)
