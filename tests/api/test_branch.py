"""ln.Branch: a git branch; create, switch, save on it, filter(branch=), merge back, is_latest."""

from __future__ import annotations

import pandas as pd
import pytest

import lamingit as ln
from lamingit.errors import DoesNotExist, InvalidArgument
from lamingit.session import SESSION


def _save(key: str, n: int) -> ln.Artifact:
    return ln.Artifact.from_dataframe(pd.DataFrame({"n": [n]}), key=key).save()


def test_create_switch_save_merge(repo) -> None:
    _save("a.parquet", 1)
    assert ln.Branch.current().name == "main" and ln.settings.branch == "main"
    feature = ln.Branch(name="feature/new-assay", description="trying an assay").save()
    assert ln.Branch(name="feature/new-assay").save() == feature  # existing name
    assert {b.name for b in ln.Branch.filter()} == {"main", "feature/new-assay"}
    assert ln.Branch.get(name="feature/new-assay").description == "trying an assay"
    ln.setup.switch("feature/new-assay")
    assert ln.Branch.current() == feature and feature.is_current
    v2 = _save("a.parquet", 2)
    ln.ULabel(name="only on the branch").save()
    assert ln.Artifact.get(key="a.parquet").version == "2"
    ln.settings.branch = "main"
    assert ln.Artifact.get(key="a.parquet").version == "1"  # is_latest is per branch
    assert ln.ULabel.filter().count() == 0
    assert (
        ln.Artifact.filter(branch="feature/new-assay", key="a.parquet", is_latest=True).one() == v2
    )
    assert ln.ULabel.filter(branch=feature).count() == 1
    result = feature.merge()
    assert result.kind == "fast-forward" and result.conflicts == []
    assert ln.Artifact.get(key="a.parquet").uid == v2.uid
    assert ln.ULabel.get(name="only on the branch")


def test_diverged_branches_merge_record_by_record(repo) -> None:
    a = _save("a.parquet", 1)
    ln.setup.switch("side", create=True)
    a.description = "described on the side"
    a.save()
    _save("side.parquet", 2)
    ln.setup.switch("main")
    ln.Artifact.get(key="a.parquet").ulabels.add(ln.ULabel(name="main label").save())
    result = ln.setup.merge("side")
    assert result.kind == "merge" and result.conflicts == []
    merged = ln.Artifact.get(key="a.parquet")
    assert merged.description == "described on the side"
    assert [u.name for u in merged.ulabels.all()] == ["main label"]
    assert ln.Artifact.filter(key="side.parquet").count() == 1
    assert SESSION.repository().git.branch_ref() == "refs/heads/main"


def test_track_on_a_branch(repo) -> None:
    _save("a.parquet", 1)
    transform = ln.Transform(key="step.py", kind="script").save()
    ln.Branch(name="analysis").save()
    ln.track(transform=transform, branch="analysis")
    _save("out.parquet", 3)
    ln.finish()
    assert ln.settings.branch == "analysis"
    ln.settings.branch = "main"
    assert ln.Artifact.filter(key="out.parquet").count() == 0
    assert ln.Run.filter(branch="analysis").count() == 1


def test_bad_branch_calls_are_refused(repo) -> None:
    _save("a.parquet", 1)
    with pytest.raises(InvalidArgument, match="not allowed"):
        ln.Branch(name="../etc")
    with pytest.raises(DoesNotExist, match="no branch 'nope'"):
        ln.setup.switch("nope")
    with pytest.raises(DoesNotExist, match="no branch"):
        ln.Artifact.filter(branch="nope").count()
    with pytest.raises(InvalidArgument, match="current branch"):
        ln.Branch.get(name="main").merge()
    with pytest.raises(InvalidArgument, match="current branch"):
        ln.Branch.get(name="main").delete()
    ln.Branch(name="old").save().delete()
    assert [b.name for b in ln.Branch.filter()] == ["main"]
