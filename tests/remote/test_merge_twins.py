"""The same name created offline in two clones is one record after the merge (``unified``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import lamingit as ln
from lamingit.merge import read_conflicts
from lamingit.records import rebuild_lookups
from lamingit.remote import gitcli
from lamingit.remote.sync import fetch, merge_commit, pull, push, resolve_conflict
from lamingit.repo import Repository
from tests.remote.conftest import AUTHOR, push_and_clone, use


@pytest.fixture
def two(origin: Path, bare_remote: Path, tmp_path: Path) -> tuple[Repository, Repository]:
    """Alice's repository with one table, pushed, and Bob's clone of it."""
    ln.Artifact.from_dataframe(pd.DataFrame({"n": [1]}), key="a.parquet").save()
    return push_and_clone(bare_remote, tmp_path)


def _consistent(repo: Repository) -> None:
    snap = repo.snapshot()
    assert dict(snap.git.walk_blobs(snap.tree, "lookup")) == rebuild_lookups(snap)


def _side(user: str, table: str) -> None:
    """What each person does offline: a label type, a label, a feature, a record, a project."""
    perturbation = ln.ULabel(name="Perturbation", is_type=True).save()
    dmso = ln.ULabel(name="DMSO", type=perturbation).save()
    feature = ln.Feature(name="perturbation", dtype=perturbation, synonyms=[f"{user} pert"])
    feature.save()
    sample_type = ln.Record(name="Sample", is_type=True).save()
    ln.Record(name="S1", type=sample_type, description=f"{user}'s sample").save()
    ln.Project(name="Screen").save()
    ln.Schema(name="screen", features=[feature, ln.Feature(name="dose", dtype=float).save()]).save()
    artifact = ln.Artifact.from_dataframe(pd.DataFrame({"n": [len(user)]}), key=table).save()
    artifact.ulabels.add(dmso)
    artifact.features.add_values({"perturbation": "DMSO"})


def test_labels_features_records_made_twice_are_unified(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    _side("bob", "bob.parquet")
    ln.ULabel(name="IFNG", type=ln.ULabel.get(name="Perturbation")).save()
    bobs_dmso = ln.ULabel.get(name="DMSO").uid
    push(bob)
    use(alice.root, "alice", monkeypatch)
    _side("alice", "alice.parquet")
    alices_dmso = ln.ULabel.get(name="DMSO").uid
    result = pull(alice, AUTHOR)
    assert result.kind == "merge"
    assert result.unified[bobs_dmso] == alices_dmso
    # type, label, 2 features, record type, record, project, schema
    assert len(result.unified) == 8
    for registry, name in [
        (ln.ULabel, "DMSO"),
        (ln.ULabel, "Perturbation"),
        (ln.Feature, "perturbation"),
        (ln.Record, "S1"),
        (ln.Record, "Sample"),
        (ln.Project, "Screen"),
        (ln.Schema, "screen"),
    ]:
        assert registry.filter(name=name).count() == 1, name  # get(name=) no longer raises
    dmso = ln.ULabel.get(name="DMSO")
    assert dmso.uid == alices_dmso
    # every link to bob's label now points at the one label, field by field
    tables = {a.key for a in ln.Artifact.filter(ulabels=dmso)}
    assert tables == {"alice.parquet", "bob.parquet"}
    assert ln.Artifact.filter(perturbation="DMSO").count() == 2
    assert ln.ULabel.get(name="IFNG").type == ln.ULabel.get(name="Perturbation")
    perturbation = ln.Feature.get(name="perturbation")
    assert perturbation.dtype == f"cat[ULabel[{ln.ULabel.get(name='Perturbation').uid}]]"
    assert set(perturbation.synonyms.split("|")) == {"alice pert", "bob pert"}  # a set merge
    schema = ln.Schema.get(name="screen")
    assert [f.name for f in schema.members] == ["perturbation", "dose"]  # order kept
    assert ln.Schema(name="screen", features=schema.members).save().uid == schema.uid
    # two different descriptions: ours kept in the record, theirs in the conflict entry
    s1 = ln.Record.get(name="S1")
    assert s1.description == "alice's sample"
    assert s1.type == ln.Record.get(name="Sample")
    conflicts = [c for c in result.conflicts if c.uid == s1.uid]
    assert [(c.field, c.ours, c.theirs) for c in conflicts] == [
        ("description", "alice's sample", "bob's sample")
    ]
    assert read_conflicts(alice.snapshot(), "record", s1.uid)[0]["theirs"] == "bob's sample"
    _consistent(alice)

    push(alice)
    use(bob.root, "bob", monkeypatch)
    assert pull(bob, AUTHOR).kind == "fast-forward"
    assert ln.ULabel.get(name="DMSO").uid == alices_dmso
    assert ln.Artifact.filter(ulabels__name="DMSO").count() == 2


def test_a_name_only_one_side_made_or_an_older_label_is_left_alone(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(alice.root, "alice", monkeypatch)
    ln.ULabel(name="shared").save()
    push(alice)
    use(bob.root, "bob", monkeypatch)
    pull(bob, AUTHOR)
    ln.ULabel(name="only bob").save()
    t = ln.ULabel(name="Batch", is_type=True).save()
    ln.ULabel(name="shared", type=t).save()  # same name, another type: a different label
    n = ln.Feature(name="n", dtype=int).save()
    ln.Schema(name="rules", features=[n], maximal_set=True).save()
    push(bob)
    use(alice.root, "alice", monkeypatch)
    ln.ULabel(name="only alice").save()
    ln.Schema(name="rules", features=[ln.Feature(name="n", dtype=int).save()]).save()
    result = pull(alice, AUTHOR)
    assert len(result.unified) == 1  # the feature only
    assert ln.Feature.filter(name="n").count() == 1
    assert ln.Schema.filter(name="rules").count() == 2  # other rules: not one schema
    (clash,) = result.conflicts
    assert clash.field == "(same name)" and clash.registry == "schema"
    assert "has the same name and other content, both kept" in clash.describe()
    assert resolve_conflict(alice, clash.uid, AUTHOR, take="theirs") == 1
    assert read_conflicts(alice.snapshot(), "schema", clash.uid) == []
    assert ln.ULabel.filter(name="shared").count() == 2
    assert {u.name for u in ln.ULabel.filter()} == {
        "shared",
        "only bob",
        "only alice",
        "Batch",
    }
    _consistent(alice)


def test_synonyms_merge_as_sets() -> None:
    from lamingit.merge import merge_values

    assert merge_values("synonyms", "a", "a|b", "a|c") == ("a|b|c", [])
    assert merge_values("synonyms", "a|b", "a", "a|b|c") == ("a|c", [])
    assert merge_values("synonyms", "a", None, "a|c") == ("c", [])
    assert merge_values("description", "a", "b", "c") == ("b", ["description"])


def test_links_made_to_a_label_after_the_other_side_unified_it_follow_it(
    two: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = two
    use(bob.root, "bob", monkeypatch)
    bobs = ln.ULabel(name="DMSO").save()
    push(bob)
    use(alice.root, "alice", monkeypatch)
    alices = ln.ULabel(name="DMSO").save()
    assert pull(alice, AUTHOR).unified == {bobs.uid: alices.uid}
    push(alice)

    use(bob.root, "bob", monkeypatch)  # bob has not pulled: he still uses his label
    one = ln.Artifact.from_dataframe(pd.DataFrame({"n": [7]}), key="b1.parquet").save()
    one.ulabels.add(ln.ULabel.get(bobs.uid))

    # alice merges bob's commit straight from his repository: his new link follows her label
    use(alice.root, "alice", monkeypatch)
    gitcli.add_remote(alice.paths.gitdir, "bob", str(bob.paths.gitdir))
    theirs = fetch(alice, "bob")
    assert theirs is not None
    result = merge_commit(alice, theirs, AUTHOR)
    assert result.kind == "merge" and result.conflicts == [] and result.unified == {}
    assert ln.ULabel.filter(name="DMSO").count() == 1
    labels = {u.uid for u in ln.Artifact.get(key="b1.parquet").ulabels.all()}
    assert labels == {alices.uid}
    _consistent(alice)

    # bob pulls alice's first merge (which removed his label): his link follows it too
    use(bob.root, "bob", monkeypatch)
    assert pull(bob, AUTHOR).kind == "merge"
    assert ln.ULabel.filter(name="DMSO").count() == 1
    assert {u.uid for u in ln.Artifact.get(key="b1.parquet").ulabels.all()} == {alices.uid}
    _consistent(bob)
