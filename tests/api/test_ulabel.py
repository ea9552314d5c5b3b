"""ln.ULabel: types, same-name dedup, hierarchy, trash/restore, filters, categorical features, ln.at."""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument, ValidationError
from lamingit.session import SESSION


def test_create_type_and_same_name_within_type(repo) -> None:
    experiment = ln.ULabel(name="Experiment", is_type=True).save()
    a = ln.ULabel(name="Experiment 1", type=experiment, description="first").save()
    b = ln.ULabel(name="Experiment 1", type=experiment).save()
    c = ln.ULabel(name="Experiment 1").save()
    assert a.uid == b.uid and c.uid != a.uid and len(a.uid) == 8
    assert a.type == experiment and c.type is None
    assert [u.name for u in experiment.ulabels] == ["Experiment 1"]
    assert ln.ULabel.get(name="Experiment") == experiment
    assert ln.ULabel.filter(name="Experiment 1").count() == 2
    assert ln.ULabel.filter(type__name="Experiment").one() == a
    assert ln.ULabel.search("experiment 1").first().name == "Experiment 1"


def test_bad_arguments_are_refused(repo) -> None:
    plain = ln.ULabel(name="plain").save()
    with pytest.raises(ValidationError, match="is_type=True"):
        ln.ULabel(name="x", type=plain)
    with pytest.raises(InvalidArgument, match="non-empty"):
        ln.ULabel(name="")
    with pytest.raises(InvalidArgument, match="save the type first"):
        ln.ULabel(name="x", type=ln.ULabel(name="T", is_type=True))


def test_hierarchy_and_recursive_queries(repo) -> None:
    disease = ln.ULabel(name="Disease", is_type=True).save()
    cancer = ln.ULabel(name="Cancer", is_type=True, type=disease).save()
    ln.ULabel(name="flu", type=disease).save()
    ln.ULabel(name="melanoma", type=cancer).save()
    assert {u.name for u in disease.query_ulabels()} == {"Cancer", "flu", "melanoma"}


def test_trash_restore_and_permanent_delete(repo) -> None:
    label = ln.ULabel(name="batch 1").save()
    label.delete()
    assert ln.ULabel.filter().count() == 0
    assert ln.ULabel.filter(trashed=True).one().name == "batch 1"
    assert ln.ULabel(name="batch 1").save().uid != label.uid  # the name is free while trashed
    with pytest.raises(ValidationError, match="exists again"):
        label.restore()
    ln.ULabel.get(name="batch 1").delete(permanent=True)
    label.restore()
    assert ln.ULabel.get(name="batch 1").uid == label.uid


def test_categorical_feature_links_ulabels_and_filters(repo) -> None:
    perturbation = ln.ULabel(name="Perturbation", is_type=True).save()
    dmso = ln.ULabel(name="DMSO", type=perturbation).save()
    feature = ln.Feature(name="perturbation", dtype=perturbation).save()
    assert feature.dtype == f"cat[ULabel[{perturbation.uid}]]"
    assert ln.Feature(name="any_label", dtype=ln.ULabel).save().dtype == "cat[ULabel]"
    artifact = ln.Artifact.from_dataframe(pd.DataFrame({"a": [1]}), key="a.parquet").save()
    with pytest.raises(ValidationError, match="no ulabel 'IFNG'"):
        artifact.features.add_values({"perturbation": "IFNG"})
    assert ln.ULabel.filter(name="IFNG").count() == 0  # never created silently
    artifact.features.add_values({"perturbation": "DMSO"})
    assert artifact.ulabels == [dmso.uid] or [u.uid for u in artifact.ulabels] == [dmso.uid]
    assert ln.Artifact.filter(ulabels=dmso).one() == artifact
    assert ln.Artifact.filter(ulabels__name="DMSO").one() == artifact
    assert ln.Artifact.filter(perturbation="DMSO").one() == artifact
    assert ln.Artifact.filter(ulabels__name="IFNG").count() == 0
    dmso.delete(permanent=True)  # unlinks it from the artifact in the same commit
    assert ln.Artifact.filter(ulabels=dmso.uid).count() == 0


def test_ulabels_as_of_a_commit(repo) -> None:
    ln.ULabel(name="old").save()
    gitdir = SESSION.repository().paths.gitdir
    subprocess.run(["git", f"--git-dir={gitdir}", "tag", "v1"], check=True)
    ln.ULabel(name="new").save()
    assert ln.ULabel.filter().count() == 2
    assert [u.name for u in ln.at("v1").ULabel.filter()] == ["old"]


def test_artifact_ulabels_manager_and_reverse(repo) -> None:
    a = ln.Artifact.from_dataframe(pd.DataFrame({"a": [1]}), key="a.parquet").save()
    b = ln.Artifact.from_dataframe(pd.DataFrame({"a": [2]}), key="b.parquet").save()
    x, y = ln.ULabel(name="x").save(), ln.ULabel(name="y").save()
    a.ulabels.add(x, y)
    b.ulabels.add(x)
    assert {u.name for u in a.ulabels.all()} == {"x", "y"}
    assert {art.key for art in x.artifacts} == {"a.parquet", "b.parquet"}
    assert ln.Artifact.filter(ulabels=y).one() == a
    a.ulabels.remove(y)
    assert ln.Artifact.filter(ulabels=y).count() == 0
    with pytest.raises(InvalidArgument, match="ULabel"):
        a.ulabels.add(ln.Record(name="r").save())
    x.children.add(y)
    assert [u.name for u in y.parents] == ["x"]


def test_labels_by_feature(repo) -> None:
    cell_type = ln.ULabel(name="CellType", is_type=True).save()
    t_cell = ln.ULabel(name="T cell", type=cell_type).save()
    b_cell = ln.ULabel(name="B cell", type=cell_type).save()
    other = ln.ULabel(name="other").save()
    feature = ln.Feature(name="cell_type", dtype=f"cat[ULabel[{cell_type.uid}]]").save()
    ln.Feature(name="n", dtype=int).save()
    a = ln.Artifact.from_dataframe(pd.DataFrame({"a": [1]}), key="a.parquet").save()
    a.labels.add(t_cell, feature=feature)
    a.labels.add([b_cell], feature="cell_type")
    assert {u.name for u in a.labels.get(feature)} == {"T cell", "B cell"}
    assert a.features["cell_type"] == ["B cell", "T cell"]
    assert ln.Artifact.filter(cell_type__contains="T cell").one() == a
    assert ln.Artifact.filter(ulabels=t_cell).one() == a
    with pytest.raises(ValidationError, match="no ulabel 'other'"):
        a.labels.add(other, feature=feature)  # not of the feature's type
    with pytest.raises(ValidationError, match="not a categorical"):
        a.labels.add(t_cell, feature="n")
    a.labels.add(other)  # no feature: a plain link
    assert {u.name for u in a.ulabels.all()} == {"T cell", "B cell", "other"}
    a.labels.remove(b_cell, feature=feature)
    assert a.features["cell_type"] == "T cell"
    assert {u.name for u in a.ulabels.all()} == {"T cell", "other"}


def test_reverse_filters_from_the_label_side(repo) -> None:
    a = ln.Artifact.from_dataframe(pd.DataFrame({"a": [1]}), key="a.parquet").save()
    x, y = ln.ULabel(name="x").save(), ln.ULabel(name="y").save()
    a.ulabels.add(x)
    assert ln.ULabel.filter(artifacts=a).one() == x
    assert ln.ULabel.filter(artifacts__key="a.parquet").one() == x
    assert ln.ULabel.filter(artifacts__key="zzz").count() == 0
    assert ln.ULabel.filter(~ln.Q(artifacts=a)).one() == y
    with pytest.raises(InvalidArgument, match="isnull"):
        ln.ULabel.filter(artifacts__isnull=True).count()
