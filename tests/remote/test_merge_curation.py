"""Labels, collections and schemas edited in two clones offline, then merged record by record."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import lamingit as ln
from lamingit.records import rebuild_lookups
from lamingit.remote.sync import pull, push
from lamingit.repo import Repository
from tests.remote.conftest import AUTHOR, push_and_clone, use


@pytest.fixture
def two(origin: Path, bare_remote: Path, tmp_path: Path) -> tuple[Repository, Repository]:
    """Alice's repository with a labelled table and a collection, and Bob's clone of it."""
    a = ln.Artifact.from_dataframe(pd.DataFrame({"n": [1]}), key="a.parquet").save()
    ln.ULabel(name="shared").save()
    ln.Collection([a], key="tables").save()
    return push_and_clone(bare_remote, tmp_path)


def _consistent(repo: Repository) -> None:
    snap = repo.snapshot()
    assert dict(snap.git.walk_blobs(snap.tree, "lookup")) == rebuild_lookups(snap)


def test_labels_added_on_both_sides_are_both_kept(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    ln.Artifact.get(key="a.parquet").ulabels.add(ln.ULabel(name="from bob").save())
    push(bob)
    use(alice.root, "alice", monkeypatch)
    artifact = ln.Artifact.get(key="a.parquet")
    artifact.ulabels.add(ln.ULabel(name="from alice").save(), ln.ULabel.get(name="shared"))
    result = pull(alice, AUTHOR)
    assert result.kind == "merge" and result.conflicts == []
    names = {u.name for u in ln.Artifact.get(key="a.parquet").ulabels.all()}
    assert names == {"from bob", "from alice", "shared"}
    assert ln.Artifact.filter(ulabels__name="from bob").count() == 1
    _consistent(alice)


def test_collection_versions_made_on_both_sides_are_renumbered(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    b = ln.Artifact.from_dataframe(pd.DataFrame({"n": [2]}), key="b.parquet").save()
    ln.Collection.get(key="tables").append(b).save()
    push(bob)
    use(alice.root, "alice", monkeypatch)
    c = ln.Artifact.from_dataframe(pd.DataFrame({"n": [3]}), key="c.parquet").save()
    mine = ln.Collection.get(key="tables").append(c).save()
    before = ln.at("HEAD").Collection.get(key="tables").uid
    assert pull(alice, AUTHOR).kind == "merge"
    versions = ln.Collection.filter(key="tables").order_by("uid").to_list()
    assert len(versions) == 3 and len({v.uid for v in versions}) == 3
    assert [v.is_latest for v in versions] == [False, False, True]
    assert ln.Collection.get(mine.uid).ordered_artifacts[-1].key == "c.parquet"
    latest = ln.Collection.get(key="tables")
    assert latest.ordered_artifacts[-1].key == "b.parquet"  # theirs, renumbered after ours
    assert ln.at("HEAD~1").Collection.get(key="tables").uid == before
    _consistent(alice)


def test_schema_and_label_edits_merge_field_by_field(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(alice.root, "alice", monkeypatch)
    schema = ln.Schema(name="s", features=[ln.Feature(name="n", dtype=int).save()]).save()
    push(alice)
    use(bob.root, "bob", monkeypatch)
    pull(bob, AUTHOR)
    label = ln.ULabel.get(name="shared")
    label.description = "bob's words"
    label.save()
    ln.Schema.get(name="s").description = "unused"  # not saved: nothing changes
    push(bob)
    use(alice.root, "alice", monkeypatch)
    label = ln.ULabel.get(name="shared")
    label.reference = "https://example.org/shared"
    label.save()
    schema.description = "alice's schema"
    schema.save()
    assert pull(alice, AUTHOR).conflicts == []
    merged = ln.ULabel.get(name="shared")
    assert merged.description == "bob's words" and merged.reference == "https://example.org/shared"
    assert ln.Schema.get(name="s").description == "alice's schema"
