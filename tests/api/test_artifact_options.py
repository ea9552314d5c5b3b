"""LaminDB's extra Artifact arguments: format=, skip_hash_lookup=, kind=, overwrite_versions=,
version_tag, and replace()."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import lamingit as ln
from lamingit.errors import FieldValidationError, InvalidArgument


def test_dataframe_written_by_format(repo: Path) -> None:
    df = pd.DataFrame({"a": [1, 2, 3]})
    csv = ln.Artifact(df, key="tables/t.csv", format="csv").save()
    assert csv.suffix == ".csv" and csv.otype == "DataFrame" and csv.n_observations == 3
    assert list(ln.Artifact.get(key="tables/t.csv").load()["a"]) == [1, 2, 3]
    pq = ln.Artifact(df.assign(b=1), key="tables/t.parquet").save()
    assert pq.suffix == ".parquet"
    via_from = ln.Artifact.from_dataframe(df.assign(c=2), key="tables/u.csv", format="csv")
    assert via_from.save().suffix == ".csv"
    with pytest.raises(InvalidArgument, match="format="):
        ln.Artifact(df, key="tables/x.parquet", format="xlsx")


def test_format_must_match_a_path(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    path = write("a.txt", "hello")
    with pytest.raises(InvalidArgument, match="does not match"):
        ln.Artifact(path, key="a.txt", format="csv")
    assert ln.Artifact(path, key="a.txt", format=".txt").save().suffix == ".txt"


def test_skip_hash_lookup_saves_a_duplicate(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    path = write("same.txt", "same content")
    first = ln.Artifact(path, key="one.txt").save()
    assert ln.Artifact(path, key="two.txt").uid == first.uid  # dedup by default
    second = ln.Artifact(path, key="two.txt", skip_hash_lookup=True).save()
    assert second.uid != first.uid and second.hash == first.hash
    assert {a.key for a in ln.Artifact.filter(hash=first.hash)} == {"one.txt", "two.txt"}


def test_kind_and_unknown_fields(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    artifact = ln.Artifact(write("m.pkl", "x"), key="m.pkl", kind="model").save()
    assert ln.Artifact.get(key="m.pkl").kind == "model"
    with pytest.raises(FieldValidationError, match="keyy"):
        ln.Artifact(write("n.txt", "y"), keyy="n.txt")
    with pytest.raises(FieldValidationError, match="kind="):
        ln.Artifact(write("n.txt", "y"), key="n.txt", kind=3)
    with pytest.raises(ValueError):  # a LaminDB-style except ValueError still catches it
        ln.Artifact(write("n.txt", "y"), key="n.txt", bogus=1)
    assert artifact.uid


def test_overwrite_versions_keeps_history(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    v1 = ln.Artifact(write("d.txt", "one"), key="d.txt").save()
    v2 = ln.Artifact(write("d.txt", "two"), key="d.txt", overwrite_versions=True).save()
    assert v2.stem_uid == v1.stem_uid
    assert ln.Artifact.get(v1.uid).load() == "one"  # blobs are content-addressed: kept
    with pytest.raises(InvalidArgument):
        ln.Artifact(write("d.txt", "three"), key="d.txt", overwrite_versions="yes")


def test_version_tag_alias(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    a = ln.Artifact(write("v.txt", "1"), key="v.txt", version_tag="1.0").save()
    assert a.version == "1.0" and a.version_tag == "1.0"
    b = ln.Artifact(write("v.txt", "2"), key="v.txt", version="2.0").save()
    assert ln.Artifact.filter(version_tag="1.0").one().uid == a.uid
    assert ln.Artifact.filter(version_tag__startswith="2").one().uid == b.uid
    assert ln.Artifact.get(version_tag="2.0").uid == b.uid
    with pytest.raises(InvalidArgument, match="differ"):
        ln.Artifact(write("v.txt", "3"), key="v.txt", version="3", version_tag="4")


def test_replace_makes_a_new_version(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    artifact = ln.Artifact(write("r.txt", "old"), key="r.txt").save()
    old_uid = artifact.uid
    artifact.replace(write("r2.txt", "new"))
    artifact.save()
    assert artifact.uid != old_uid and artifact.stem_uid == old_uid[:16]
    assert artifact.key == "r.txt" and artifact.is_latest
    assert ln.Artifact.get(key="r.txt").load() == "new"
    assert ln.Artifact.get(old_uid).load() == "old"
    with pytest.raises(InvalidArgument, match="suffix"):
        artifact.replace(write("r.csv", "a,b"))
    df_artifact = ln.Artifact(pd.DataFrame({"x": [1]}), key="df.parquet").save()
    df_artifact.replace(pd.DataFrame({"x": [1, 2]}))
    assert len(df_artifact.save().load()) == 2


def test_get_is_run_input(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    raw = ln.Artifact(write("raw.txt", "raw"), key="raw.txt").save()
    with pytest.raises(InvalidArgument, match="ln.track"):
        ln.Artifact.get(key="raw.txt", is_run_input=True)
    run = ln.track(transform=ln.Transform(key="step", kind="pipeline"), capture_output=False)
    assert ln.Artifact.get(key="raw.txt", is_run_input=True).uid == raw.uid
    assert [a.uid for a in ln.Run.get(run.uid).input_artifacts.all()] == [raw.uid]
    ln.finish()
    other = ln.Run.get(run.uid)
    other_raw = ln.Artifact(write("raw2.txt", "raw2"), key="raw2.txt").save()
    ln.Artifact.get(other_raw.uid, is_run_input=other)
    assert {a.uid for a in ln.Run.get(run.uid).input_artifacts.all()} == {raw.uid, other_raw.uid}
    with pytest.raises(InvalidArgument, match="is_run_input="):
        ln.Artifact.get(key="raw.txt", is_run_input="yes")
