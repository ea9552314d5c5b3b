"""Two and three clones working offline, then merging record by record through a remote."""

from __future__ import annotations

from pathlib import Path

import pytest

import lamingit as ln
from lamingit.layout import uid_from_path
from lamingit.merge import read_conflicts
from lamingit.models import ArtifactRecord, RunRecord
from lamingit.records import Snapshot, rebuild_lookups, replace
from lamingit.remote.sync import clone, pull, push
from lamingit.repo import Repository
from lamingit.session import SESSION
from lamingit.storage.git.store import GitStore
from tests.remote.conftest import AUTHOR, save_text, use


def _lookups_consistent(repo: Repository) -> None:
    snap = repo.snapshot()
    expected = rebuild_lookups(snap)
    actual = dict(snap.git.walk_blobs(snap.tree, "lookup"))
    assert actual == expected


def _latest_per_family(repo: Repository) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for record in repo.snapshot().iter_records("artifact"):
        assert isinstance(record, ArtifactRecord)
        out.setdefault(record.uid[:16], [])
        if record.is_latest:
            out[record.uid[:16]].append(record.uid)
    return out


def test_different_records_never_conflict(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    save_text("bob.txt", "from bob\n")
    push(bob)
    use(alice.root, "alice", monkeypatch)
    save_text("alice.txt", "from alice\n")
    result = pull(alice, AUTHOR)
    assert result.kind == "merge" and result.conflicts == []
    assert {a.key for a in ln.Artifact.filter()} == {"shared.txt", "bob.txt", "alice.txt"}
    assert ln.Artifact.get(key="bob.txt").load() == "from bob\n"  # fetched on demand
    handles = {u.handle for u in ln.User.filter()}
    assert {"alice", "bob"} <= handles
    _lookups_consistent(alice)
    push(alice)
    use(bob.root, "bob", monkeypatch)
    assert pull(bob, AUTHOR).kind == "fast-forward"
    assert bob.git.head() == alice.git.head()


def test_same_record_different_fields_merge(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    art = ln.Artifact.get(key="shared.txt")
    art.kind = "dataset"
    art.save()
    push(bob)
    use(alice.root, "alice", monkeypatch)
    art = ln.Artifact.get(key="shared.txt")
    art.description = "shared, cleaned"
    art.save()
    result = pull(alice, AUTHOR)
    assert result.conflicts == []
    merged = ln.Artifact.get(key="shared.txt")
    assert (merged.kind, merged.description) == ("dataset", "shared, cleaned")


def test_conflicting_edit_keeps_both_values_and_stays_usable(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch, cli
) -> None:  # type: ignore[no-untyped-def]
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    art = ln.Artifact.get(key="shared.txt")
    art.description = "bob's words"
    art.save()
    push(bob)
    use(alice.root, "alice", monkeypatch)
    art = ln.Artifact.get(key="shared.txt")
    art.description = "alice's words"
    art.save()
    result = pull(alice, AUTHOR)
    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert (conflict.uid, conflict.field) == (art.uid, "description")
    assert ln.Artifact.get(key="shared.txt").description == "alice's words"
    entries = read_conflicts(alice.snapshot(), "artifact", art.uid)
    assert entries[0]["ours"] == "alice's words" and entries[0]["theirs"] == "bob's words"
    shown = cli("show", art.uid, cwd=alice.root)
    assert "bob's words" in shown.stdout and "conflict" in shown.stdout
    # Still usable: save, push, and the other side pulls the conflict entry too.
    save_text("after.txt", "after\n")
    push(alice)
    use(bob.root, "bob", monkeypatch)
    assert pull(bob, AUTHOR).kind == "fast-forward"
    assert read_conflicts(bob.snapshot(), "artifact", art.uid) == entries


def test_new_versions_on_both_sides_reelect_one_latest(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    save_text("shared.txt", "bob's v1\n")
    push(bob)
    use(alice.root, "alice", monkeypatch)
    save_text("shared.txt", "alice's v1\n")
    save_text("shared.txt", "alice's v2\n")
    result = pull(alice, AUTHOR)
    assert len(result.renumbered) == 1
    family = _latest_per_family(alice)
    assert all(len(latest) == 1 for latest in family.values())
    versions = ln.Artifact.get(key="shared.txt").versions.to_list()
    assert len(versions) == 4
    contents = {v.load() for v in versions}
    assert contents == {"v0\n", "bob's v1\n", "alice's v1\n", "alice's v2\n"}
    latest = ln.Artifact.get(key="shared.txt")
    assert latest.uid == max(v.uid for v in versions)
    _lookups_consistent(alice)
    push(alice)
    use(bob.root, "bob", monkeypatch)
    pull(bob, AUTHOR)
    assert ln.Artifact.get(key="shared.txt").uid == latest.uid


def test_renumbering_rewrites_run_inputs(two: tuple[Repository, Repository]) -> None:
    alice, bob = two
    shared = next(iter(alice.snapshot().iter_records("artifact")))
    assert isinstance(shared, ArtifactRecord)
    stem = shared.uid[:16]

    def new_version(repo: Repository, content: str) -> str:
        oid = repo.blobs.put_bytes(content.encode())
        uid = stem + "0001"

        def build(changes):  # type: ignore[no-untyped-def]
            changes.put(replace(shared, uid=uid, hash=oid, version="2"))
            changes.put(replace(shared, is_latest=False))
            changes.put(
                RunRecord(
                    uid="r" * 20,
                    created_at="t",
                    created_by="x",
                    transform="T" * 16,
                    started_at="t",
                    inputs=[uid],
                )
            )

        repo.transact(build, author=AUTHOR)
        return oid

    new_version(bob, "bob\n")
    push(bob)
    new_version(alice, "alice\n")
    alice.transact(lambda c: c.remove("run", "r" * 20), author=AUTHOR)  # only bob's run stays
    result = pull(alice, AUTHOR)
    renamed = result.renumbered[stem + "0001"]
    snap = alice.snapshot()
    run = snap.find("run", "r" * 20)
    assert isinstance(run, RunRecord)
    # Alice removed the run, bob's copy added it as input of his version: kept, relinked.
    assert run.inputs == [renamed]
    moved = snap.find("artifact", renamed)
    assert isinstance(moved, ArtifactRecord) and moved.version == "3" and moved.is_latest


def test_three_clones_offline_then_merge(
    origin: Path, bare_remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_text("base.txt", "base\n", description="start")
    push(SESSION.repository())
    clones = [clone(str(bare_remote), tmp_path / n) for n in ("c1", "c2", "c3")]
    for i, repo in enumerate(clones):
        use(repo.root, f"user{i}", monkeypatch)
        save_text(f"only{i}.txt", f"clone {i}\n")
        art = ln.Artifact.get(key="base.txt")
        setattr(art, ["description", "kind", "otype"][i], f"set by {i}")
        art.save()
    for repo in clones:
        use(repo.root, repo.root.name, monkeypatch)
        pull(repo, AUTHOR)
        push(repo)
    for repo in clones:
        pull(repo, AUTHOR)
    heads = {repo.git.head() for repo in clones}
    assert len(heads) == 1
    use(clones[0].root, "user0", monkeypatch)
    base = ln.Artifact.get(key="base.txt")
    assert (base.description, base.kind, base.otype) == ("set by 0", "set by 1", "set by 2")
    assert {a.key for a in ln.Artifact.filter()} >= {"only0.txt", "only1.txt", "only2.txt"}
    _lookups_consistent(clones[0])


def test_delete_on_one_side_modify_on_the_other_keeps_the_record(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    ln.Artifact.get(key="shared.txt").delete(permanent=True)
    push(bob)
    use(alice.root, "alice", monkeypatch)
    art = ln.Artifact.get(key="shared.txt")
    art.description = "still needed"
    art.save()
    result = pull(alice, AUTHOR)
    assert [c.field for c in result.conflicts] == ["(record)"]
    assert ln.Artifact.get(key="shared.txt").description == "still needed"


def test_merge_commit_has_two_parents(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    save_text("b.txt", "b\n")
    push(bob)
    use(alice.root, "alice", monkeypatch)
    save_text("a.txt", "a\n")
    before = alice.git.head()
    result = pull(alice, AUTHOR)
    info = next(alice.git.log())
    assert info.oid == result.commit and info.parents[0] == before and len(info.parents) == 2
    snap = Snapshot(GitStore.open(alice.paths.gitdir), result.commit)
    assert b"[blobs]" in (snap.read_path("lamingit.toml") or b"")
    assert {
        uid_from_path(p)[1]
        for p, *_ in alice.git.diff_paths(alice.git.tree_of(before), snap.tree, "records/artifact")
    } == {ln.Artifact.get(key="b.txt").uid}


def test_settings_changed_on_both_sides_merge_per_key(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lamingit.blob_settings import committed_settings, with_blob_remote

    alice, bob = two

    def set_section(repo: Repository, section: str, key: str, value: str) -> None:
        def build(changes):  # type: ignore[no-untyped-def]
            settings = committed_settings(changes.snapshot)
            settings.setdefault(section, {})[key] = value
            blobs = settings.get("blobs", {})
            changes.put_file("lamingit.toml", with_blob_remote(settings, blobs.get("remote")))

        repo.transact(build, author=AUTHOR)

    set_section(bob, "team", "name", "lab-b")
    push(bob)
    set_section(alice, "notes", "topic", "cells")
    result = pull(alice, AUTHOR)
    assert result.conflicts == []
    settings = committed_settings(alice.snapshot())
    assert settings["team"] == {"name": "lab-b"} and settings["notes"] == {"topic": "cells"}
    assert "remote" in settings["blobs"]


def test_resolve_conflict_taking_theirs(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch, cli
) -> None:  # type: ignore[no-untyped-def]
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    art = ln.Artifact.get(key="shared.txt")
    art.description = "bob"
    art.kind = "bob-kind"
    art.save()
    push(bob)
    use(alice.root, "alice", monkeypatch)
    art = ln.Artifact.get(key="shared.txt")
    art.description = "alice"
    art.kind = "alice-kind"
    art.save()
    assert len(pull(alice, AUTHOR).conflicts) == 2
    done = cli("resolve", art.uid, "description", "--take", "theirs", cwd=alice.root)
    assert done.returncode == 0, done.stderr
    merged = ln.Artifact.get(key="shared.txt")
    assert (merged.description, merged.kind) == ("bob", "alice-kind")
    left = read_conflicts(alice.snapshot(), "artifact", art.uid)
    assert [e["field"] for e in left] == ["kind"]
    assert cli("resolve", art.uid, cwd=alice.root).returncode == 0
    assert read_conflicts(alice.snapshot(), "artifact", art.uid) == []
    again = cli("resolve", art.uid, cwd=alice.root)
    assert again.returncode == 1 and "no open conflict" in again.stderr


def test_same_new_key_on_both_sides_becomes_one_family(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    save_text("fresh.txt", "bob's first\n")
    save_text("fresh.txt", "bob's second\n")
    push(bob)
    use(alice.root, "alice", monkeypatch)
    mine = save_text("fresh.txt", "alice's first\n")
    result = pull(alice, AUTHOR)
    assert len(result.renumbered) == 2
    assert all(new.startswith(mine.stem_uid) for new in result.renumbered.values())
    versions = ln.Artifact.get(key="fresh.txt").versions.to_list()
    assert [v.uid[16:] for v in versions] == ["0002", "0001", "0000"]
    assert [v.version for v in versions] == ["3", "2", "1"]
    assert [v.is_latest for v in versions] == [True, False, False]
    assert ln.Artifact.get(key="fresh.txt").load() == "bob's second\n"
    _lookups_consistent(alice)


def test_same_transform_on_both_sides_is_deduplicated(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    t_bob = ln.Transform(key="clean.py", kind="script").save()
    run_bob = ln.Run(transform=t_bob).save()
    push(bob)
    use(alice.root, "alice", monkeypatch)
    t_alice = ln.Transform(key="clean.py", kind="script").save()
    assert t_alice.uid != t_bob.uid
    result = pull(alice, AUTHOR)
    assert result.deduplicated == {t_bob.uid: t_alice.uid}
    assert [t.uid for t in ln.Transform.filter()] == [t_alice.uid]
    assert ln.Run.get(run_bob.uid).transform.uid == t_alice.uid
    _lookups_consistent(alice)


def test_same_version_content_on_both_sides_is_one_version(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    save_text("shared.txt", "identical v1\n")
    push(bob)
    use(alice.root, "alice", monkeypatch)
    save_text("shared.txt", "identical v1\n")
    result = pull(alice, AUTHOR)
    assert result.renumbered == {} and result.conflicts == []
    versions = ln.Artifact.get(key="shared.txt").versions.to_list()
    assert len(versions) == 2 and versions[0].is_latest


def test_transform_parents_added_in_two_clones_merge_as_a_set(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    from lamingit.api.track import abandon

    def made_by(transform_key: str, key: str) -> ln.Artifact:
        run = ln.Run(transform=ln.Transform(key=transform_key, kind="script")).save()
        return save_text(key, f"{key}\n", run=run)

    def read_in_down(key: str) -> None:
        ln.track(transform=ln.Transform.get(key="down.py"), capture_output=False)
        try:
            ln.Artifact.get(key=key).load()
            ln.finish()
        finally:
            abandon()

    use(alice.root, "alice", monkeypatch)
    made_by("up1.py", "one.txt")
    made_by("up2.py", "two.txt")
    ln.Transform(key="down.py", kind="script").save()
    push(alice)
    use(bob.root, "bob", monkeypatch)
    pull(bob, AUTHOR)
    read_in_down("one.txt")
    push(bob)
    use(alice.root, "alice", monkeypatch)
    read_in_down("two.txt")
    result = pull(alice, AUTHOR)
    assert result.kind == "merge" and result.conflicts == []
    assert sorted(t.key for t in ln.Transform.get(key="down.py").parents) == ["up1.py", "up2.py"]
