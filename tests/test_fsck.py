"""fsck finds damaged git objects, records, lookups, version families and blobs."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
import pygit2
import pytest

import lamingit as ln
from lamingit.errors import IntegrityError
from lamingit.fsck import fsck
from lamingit.layout import lookup_path, record_path
from lamingit.models import encode
from lamingit.records import replace
from lamingit.repo import Repository
from lamingit.session import SESSION


def _repo() -> Repository:
    return SESSION.repository()


def _commit_raw(repo: Repository, changes: dict[str, bytes | None]) -> str:
    """Write a commit straight through GitStore, as a pull of a foreign commit would."""
    commit = repo.git.write_commit(repo.git.head(), changes, "crafted", ("eve", "eve@x"))
    repo.git.set_branch(commit)
    return commit


def _packed_at(pack_dir: Path, oid: bytes) -> tuple[Path, int, int]:
    """The pack holding ``oid`` and where its entry starts and ends (from the v2 index)."""
    for idx_path in pack_dir.glob("*.idx"):
        idx = idx_path.read_bytes()
        count = int.from_bytes(idx[8 + 255 * 4 : 8 + 256 * 4], "big")
        names = [idx[1032 + 20 * i : 1052 + 20 * i] for i in range(count)]
        if oid not in names:
            continue
        base = 1032 + 24 * count
        offsets = sorted(
            int.from_bytes(idx[base + 4 * i : base + 4 * i + 4], "big") for i in range(count)
        )
        mine = int.from_bytes(
            idx[base + 4 * names.index(oid) : base + 4 * names.index(oid) + 4], "big"
        )
        pack = idx_path.with_suffix(".pack")
        later = [o for o in offsets if o > mine]
        return pack, mine, later[0] if later else pack.stat().st_size - 20
    raise AssertionError("object not found in any pack")


def _kinds(report) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted({p.kind for p in report.problems})


def _make_writable(path: Path) -> None:
    os.chmod(path, 0o644)


def test_clean_repository_has_no_problems(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    ln.Artifact(write("a.csv", "x\n1\n"), key="a.csv").save()
    ln.Artifact(write("a.csv", "x\n2\n"), key="a.csv").save()
    (Path("d") / "sub").mkdir(parents=True)
    write("d/one.txt", "1")
    write("d/sub/two.txt", "2")
    ln.Artifact(Path("d"), key="d").save()
    report = fsck(_repo())
    assert report.ok, report.problems
    assert report.checked["records"] == 4  # 3 artifacts + the user
    assert report.checked["referenced_blobs"] == 5  # 2 files, 1 manifest, 2 directory files
    assert report.checked["blobs_rehashed"] == 5


def test_corrupted_blob_is_reported_with_its_record_and_caught_by_load(
    repo: Path,
    write,  # type: ignore[no-untyped-def]
) -> None:
    artifact = ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    blob = _repo().blobs.path_for(artifact.hash)
    _make_writable(blob)
    blob.write_bytes(b"jello")
    report = fsck(_repo())
    assert _kinds(report) == ["blob-corrupt"]
    assert report.problems[0].where == f"artifact/{artifact.uid}"
    with pytest.raises(IntegrityError, match="corrupted"):
        ln.Artifact.get(key="a.txt").load()


def test_sample_rehashes_only_that_many_blobs(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        ln.Artifact(write(f"f{i}.txt", f"content {i}"), key=f"f{i}.txt").save()
    report = fsck(_repo(), sample=2, seed=1)
    assert report.ok
    assert report.checked["blobs_rehashed"] == 2


def test_missing_blob_is_not_local_and_a_remote_can_vouch_for_it(
    repo: Path,
    write,  # type: ignore[no-untyped-def]
) -> None:
    artifact = ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    _repo().blobs.delete(artifact.hash)
    report = fsck(_repo())
    assert _kinds(report) == ["blob-not-local"]
    assert report.problems[0].where == f"artifact/{artifact.uid}"
    asked: list[str] = []
    vouched = fsck(_repo(), remote_has=lambda oid: asked.append(oid) is None)
    assert vouched.ok and asked == [artifact.hash]
    assert vouched.checked["blobs_on_remote"] == 1
    assert not fsck(_repo(), remote_has=lambda oid: False).ok


def test_malformed_and_unknown_field_records_are_integrity_errors(
    repo: Path,
    write,  # type: ignore[no-untyped-def]
) -> None:
    artifact = ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    path = record_path("artifact", artifact.uid)
    data = msgspec.json.decode(encode(artifact._record))
    data["surprise"] = 1
    _commit_raw(_repo(), {path: msgspec.json.encode(data)})
    # a scan leaves the damaged record out (with a warning); reading it by uid says why
    assert ln.Artifact.filter().to_list() == []
    with pytest.raises(IntegrityError, match="schema"):
        ln.Artifact.get(artifact.uid)
    report = fsck(_repo())
    assert [(p.kind, p.where) for p in report.problems] == [("record", f"artifact/{artifact.uid}")]
    assert "surprise" in report.problems[0].message
    _commit_raw(_repo(), {path: b"{not json"})
    report = fsck(_repo())
    assert [(p.kind, p.where) for p in report.problems] == [("record", f"artifact/{artifact.uid}")]


def test_record_at_the_wrong_path_or_with_a_crafted_hash(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    artifact = ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    moved = replace(artifact._record, uid="ZZZZ" + artifact.uid[4:])
    _commit_raw(_repo(), {record_path("artifact", artifact.uid): encode(moved)})
    report = fsck(_repo())
    assert any("does not match its path" in p.message for p in report.problems)
    crafted = replace(artifact._record, hash="../../../../etc/passwd")
    _commit_raw(_repo(), {record_path("artifact", artifact.uid): encode(crafted)})
    report = fsck(_repo())
    assert any("not a content hash" in p.message for p in report.problems)
    with pytest.raises(IntegrityError, match="not a content hash"):
        ln.Artifact.get(artifact.uid).cache()


def test_stale_lookup_is_reported_and_reindex_repairs_it(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    from lamingit.gc import reindex

    artifact = ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    _commit_raw(
        _repo(),
        {
            lookup_path("artifact.key", "a.txt"): None,
            lookup_path("artifact.key", "ghost.txt"): b'["x"]',
        },
    )
    report = fsck(_repo())
    assert _kinds(report) == ["lookup"]
    assert len(report.problems) == 2
    assert any(artifact.uid in p.message for p in report.problems)
    before = _repo().git.head()
    fixed = reindex(_repo(), author=("a", "a@x"))
    assert len(fixed.changed) == 2
    assert _repo().git.head() != before
    assert fsck(_repo()).ok
    head = _repo().git.head()
    assert reindex(_repo(), author=("a", "a@x")).changed == []
    assert _repo().git.head() == head  # nothing to change: no commit


def test_two_latest_versions_in_a_family(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    first = ln.Artifact(write("a.txt", "one"), key="a.txt").save()
    ln.Artifact(write("a.txt", "two"), key="a.txt").save()
    old = _repo().snapshot().find("artifact", first.uid)
    assert old is not None and not old.is_latest  # type: ignore[attr-defined]
    _commit_raw(_repo(), {record_path("artifact", first.uid): encode(replace(old, is_latest=True))})
    report = fsck(_repo())
    latest = [p for p in report.problems if p.kind == "latest"]
    assert len(latest) == 1 and "2 latest versions" in latest[0].message


def test_two_records_of_one_registry_sharing_an_id(repo: Path) -> None:
    a, b = ln.ULabel(name="a").save(), ln.ULabel(name="b").save()
    project = ln.Project(name="p").save()
    assert fsck(_repo()).ok
    snapshot = _repo().snapshot()
    b_record, p_record = snapshot.find("ulabel", b.uid), snapshot.find("project", project.uid)
    assert b_record is not None and p_record is not None
    _commit_raw(
        _repo(),
        {  # b takes a's id (a problem); the project too (another registry: no problem)
            record_path("ulabel", b.uid): encode(replace(b_record, id=a.id)),
            record_path("project", project.uid): encode(replace(p_record, id=a.id)),
        },
    )
    clash = [p for p in fsck(_repo()).problems if p.kind == "id"]
    assert sorted(p.where for p in clash) == sorted([f"ulabel/{a.uid}", f"ulabel/{b.uid}"])
    assert all(f"id {a.id} is also the id of ulabel/" in p.message for p in clash)
    assert f"ulabel/{b.uid}" in next(p.message for p in clash if p.where == f"ulabel/{a.uid}")


def test_corrupted_git_object_is_reported(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    artifact = ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    repo_obj = _repo()
    tree = repo_obj.git.tree_of(repo_obj.git.head())
    assert tree is not None
    oid = bytes.fromhex(str(tree[record_path("artifact", artifact.uid)].id))
    pack, offset, end = _packed_at(repo_obj.paths.gitdir / "objects" / "pack", oid)
    _make_writable(pack)
    with open(pack, "r+b") as fh:  # keep the entry header, garble its zlib stream
        fh.seek(offset + 2)
        fh.write(b"\xff" * (end - offset - 2))
    report = fsck(Repository(repo))
    assert any(p.kind == "git-object" for p in report.problems)
    assert any(record_path("artifact", artifact.uid) in p.where for p in report.problems)


def test_tree_entry_pointing_outside_is_refused(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    repo_obj = _repo()
    raw = pygit2.Repository(str(repo_obj.paths.gitdir))
    blob = raw.create_blob(b"{}")
    for bad in ("..", "/etc/passwd"):
        bad_tree = raw.odb.write(pygit2.GIT_OBJECT_TREE, f"100644 {bad}\0".encode() + blob.raw)
        head = raw[repo_obj.git.head()]
        artifacts = raw.TreeBuilder(head.tree["records/artifact"])
        artifacts.insert("e", bad_tree, pygit2.GIT_FILEMODE_TREE)
        records = raw.TreeBuilder(head.tree["records"])
        records.insert("artifact", artifacts.write(), pygit2.GIT_FILEMODE_TREE)
        root = raw.TreeBuilder(head.tree)
        root.insert("records", records.write(), pygit2.GIT_FILEMODE_TREE)
        sig = pygit2.Signature("eve", "eve@x")
        commit = raw.create_commit(None, sig, sig, "evil", root.write(), [head.id])
        repo_obj.git.set_branch(str(commit))
        report = fsck(Repository(repo))
        assert any(p.kind == "git-object" and "not a safe" in p.message for p in report.problems)
        with pytest.raises(IntegrityError, match="not a safe"):
            ln.Artifact.filter().to_list()
        repo_obj.git.set_branch(str(head.id))


def test_stale_ref_lock_is_noted_not_a_problem(repo: Path) -> None:
    lock = _repo().paths.gitdir / "refs" / "heads" / "main.lock"
    lock.write_text("0" * 40)
    report = fsck(_repo())
    assert report.ok
    assert any("refs/heads/main.lock" in note for note in report.notes)


def test_query_index_out_of_step_with_git_is_reported_and_reindex_fixes_it(
    repo: Path,
    write,  # type: ignore[no-untyped-def]
) -> None:
    import json
    import shutil

    from lamingit.gc import reindex

    ln.Artifact(write("a.txt", "one"), key="a.txt").save()
    assert ln.Artifact.filter(key="a.txt").count() == 1  # builds the index at this commit
    store = _repo()
    stale = store.paths.root / "stale-index"
    shutil.copytree(store.paths.index, stale)
    second = ln.Artifact(write("b.txt", "two"), key="b.txt").save()
    assert ln.Artifact.filter().count() == 2
    # an index that claims the new head but holds the old records (e.g. a botched copy)
    shutil.rmtree(store.paths.index)
    shutil.copytree(stale, store.paths.index)
    manifest_path = store.paths.index / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["commit"] = manifest["base_commit"] = store.git.head()
    manifest_path.write_text(json.dumps(manifest))
    store.index.forget()
    report = fsck(Repository(repo))
    wrong = [p for p in report.problems if p.kind == "index"]
    assert any(p.where == f"artifact/{second.uid}" for p in wrong), report.problems
    assert reindex(Repository(repo), author=("a", "a@x")).index == "rebuilt"
    store.index.forget()
    assert fsck(Repository(repo)).ok
