"""Ids through clone, push, pull and merges: the same record has the same id everywhere."""

from __future__ import annotations

import pytest

import lamingit as ln
from lamingit.merge.ids import _holders
from lamingit.records import Snapshot
from lamingit.remote.sync import pull, push
from lamingit.repo import Repository
from tests.remote.conftest import AUTHOR, save_text, use


def _ids(registry: type[ln.Artifact] | type[ln.Project]) -> dict[str, int]:
    return {r.uid: r.id for r in registry.filter()}


def test_ids_survive_clone_push_pull_and_an_offline_merge(
    two: tuple[Repository, Repository],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice, bob = two
    use(alice.root, "alice", monkeypatch)
    shared = ln.Artifact.get(key="shared.txt")
    use(bob.root, "bob", monkeypatch)
    assert ln.Artifact.get(key="shared.txt").id == shared.id  # the clone has the same id
    # both create records offline, including a new version of the same key each
    bob_new = [ln.Project(name=f"bob{i}").save() for i in range(20)]
    bob_v = save_text("shared.txt", "bob's v1\n")
    push(bob)
    use(alice.root, "alice", monkeypatch)
    alice_new = [ln.Project(name=f"alice{i}").save() for i in range(20)]
    alice_v = save_text("shared.txt", "alice's v1\n")
    assert alice_v.uid == bob_v.uid  # the same version uid on both sides: renumbered below
    result = pull(alice, AUTHOR)
    assert result.kind == "merge" and result.renumbered
    projects = _ids(ln.Project)
    artifacts = _ids(ln.Artifact)
    assert len(set(projects.values())) == len(projects) == 40
    assert len(set(artifacts.values())) == len(artifacts) == 3
    for obj in [*bob_new, *alice_new]:
        assert ln.Project.get(id=obj.id).uid == obj.uid
    # the renumbered version keeps the id it was created with; ours keeps its uid and id
    assert ln.Artifact.get(id=bob_v.id).load() == "bob's v1\n"
    assert ln.Artifact.get(id=alice_v.id).uid == alice_v.uid
    assert ln.Artifact.get(id=bob_v.id).uid != bob_v.uid
    push(alice)
    use(bob.root, "bob", monkeypatch)
    pull(bob, AUTHOR)
    assert _ids(ln.Project) == projects and _ids(ln.Artifact) == artifacts
    assert ln.Artifact.filter(id__in=[bob_v.id, alice_v.id]).count() == 2


def test_a_record_both_clones_created_keeps_one_id(
    two: tuple[Repository, Repository],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    save_text("same.txt", "identical\n")
    push(bob)
    use(alice.root, "alice", monkeypatch)
    save_text("same.txt", "identical\n")
    result = pull(alice, AUTHOR)
    assert result.conflicts == []
    merged = ln.Artifact.get(key="same.txt")
    push(alice)
    use(bob.root, "bob", monkeypatch)
    pull(bob, AUTHOR)
    assert ln.Artifact.get(key="same.txt").id == merged.id


def test_an_arriving_record_with_a_taken_id_gets_a_fresh_one(
    two: tuple[Repository, Repository],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from lamingit.api.core import commit
    from lamingit.cli.output import emit_merge

    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    monkeypatch.setattr(commit, "new_record_id", lambda: 4242)  # force the same draw twice
    theirs = ln.ULabel(name="bob's").save()
    push(bob)
    use(alice.root, "alice", monkeypatch)
    ours = ln.ULabel(name="alice's").save()
    other = ln.Project(name="p").save()  # another registry: the same id is no clash
    monkeypatch.undo()
    use(alice.root, "alice", monkeypatch)
    assert theirs.id == ours.id == other.id == 4242
    result = pull(alice, AUTHOR)
    assert result.kind == "merge" and set(result.reid) == {theirs.uid}
    was, now = result.reid[theirs.uid]
    assert was == 4242 and now != 4242
    assert ln.ULabel.get(id=4242).uid == ours.uid  # ours keeps its id
    assert ln.ULabel.get(id=now).uid == theirs.uid
    assert ln.Project.get(id=4242).uid == other.uid
    # the index (a repository's snapshot) and a git scan (a bare snapshot) name the same holders
    indexed = alice.snapshot()
    bare = Snapshot(alice.git, indexed.commit)
    assert indexed.owner is not None and bare.owner is None
    expected = {4242: ours.uid, now: theirs.uid}
    assert _holders(indexed, "ulabel")({4242, now, 7}) == expected
    assert _holders(bare, "ulabel")({4242, now, 7}) == expected
    emit_merge(result, "merged", "sides", False)
    assert (
        f"reid {theirs.uid} id 4242 -> {now} (another record had this id)"
        in capsys.readouterr().out
    )
    push(alice)
    use(bob.root, "bob", monkeypatch)
    pull(bob, AUTHOR)  # bob settles on the same ids
    assert ln.ULabel.get(name="bob's").id == now and ln.ULabel.get(id=4242).uid == ours.uid
