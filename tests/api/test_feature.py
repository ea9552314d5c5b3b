"""ln.Feature: dtypes, python types, categorical record types, same-name rules."""

from __future__ import annotations

from datetime import date, datetime

import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument, ValidationError


@pytest.mark.parametrize(
    ("dtype", "stored"),
    [
        (int, "int"),
        (float, "float"),
        (str, "str"),
        (bool, "bool"),
        (date, "date"),
        (datetime, "datetime"),
        (dict, "dict"),
        (list[int], "list[int]"),
        (list[float], "list[float]"),
        (list[str], "list[str]"),
        ("list[str]", "list[str]"),
        ("date", "date"),
    ],
)
def test_dtypes(repo, dtype, stored) -> None:
    f = ln.Feature(name="f", dtype=dtype).save()
    assert f.dtype == stored
    assert ln.Feature.get(name="f").dtype == stored


def test_categorical_dtypes(repo) -> None:
    cell_type = ln.Record(name="CellType", is_type=True).save()
    f = ln.Feature(name="cell_type", dtype=cell_type).save()
    assert f.dtype == f"cat[Record[{cell_type.uid}]]"
    g = ln.Feature(name="any_label", dtype=ln.Record).save()
    assert g.dtype == "cat[Record]"
    with pytest.raises(ValidationError, match="is_type=True"):
        ln.Feature(name="bad", dtype=ln.Record(name="plain").save())


def test_same_name_same_dtype_returns_existing_other_dtype_fails(repo) -> None:
    a = ln.Feature(name="gc_content", dtype=float).save()
    b = ln.Feature(name="gc_content", dtype="float").save()
    assert a.uid == b.uid
    with pytest.raises(ValidationError, match="already exists with dtype 'float'"):
        ln.Feature(name="gc_content", dtype=int).save()
    assert ln.Feature.filter().count() == 1


def test_bad_dtype_and_name(repo) -> None:
    with pytest.raises(ValidationError, match="not supported"):
        ln.Feature(name="x", dtype=complex)
    with pytest.raises(InvalidArgument, match="without '__'"):
        ln.Feature(name="a__b", dtype=int)


def test_feature_types_rules_and_free_text_names(repo) -> None:
    import pandas as pd

    treatment = ln.Feature(name="Treatment", is_type=True).save()
    drug = ln.Feature(name="drug", dtype=str, type=treatment, nullable=False).save()
    assert drug.type == treatment and ln.Feature.filter(type=treatment).one() == drug
    with pytest.raises(ln.errors.ValidationError, match="is_type=True"):
        ln.Feature(name="dose", dtype=float, type=drug)
    spaced = ln.Feature(name="sepal length (cm)", dtype=float, coerce=True).save()
    site = ln.Feature(name="site", dtype=str, default_value="unknown").save()
    schema = ln.Schema(features=[drug, spaced, site]).save()
    df = pd.DataFrame({"drug": ["a", None], "sepal length (cm)": ["5.1", "4.9"]})
    with pytest.raises(ln.errors.ValidationError, match="'drug' has 1 null value"):
        ln.Artifact.from_dataframe(df, key="x.parquet", schema=schema)
    df.loc[1, "drug"] = "b"
    artifact = ln.Artifact.from_dataframe(df, key="x.parquet", schema=schema).save()
    stored = artifact.load()
    assert stored["sepal length (cm)"].tolist() == [5.1, 4.9]  # cast (feature coerce=True)
    assert stored["site"].tolist() == ["unknown", "unknown"]  # filled (default_value)
    assert "site" not in df.columns  # the user's DataFrame is untouched
    artifact.features.add_values({"sepal length (cm)": 5.0})
    assert ln.Artifact.filter(**{"sepal length (cm)__gt": 4.5}).one() == artifact
    with pytest.raises(ln.errors.InvalidArgument, match="'__'"):
        ln.Feature(name="a__b", dtype=int)
    with pytest.raises(ln.errors.InvalidArgument, match="surrounding spaces"):
        ln.Feature(name=" x", dtype=int)


def test_features_from_dataframe_and_dict(repo) -> None:
    import pandas as pd

    df = pd.DataFrame({"n": [1], "x": [0.5], "ok": [True], "name": ["a"], "tags": [["a", "b"]]})
    features = ln.Feature.from_dataframe(df)
    assert {f.name: f.dtype for f in features} == {
        "n": "int",
        "x": "float",
        "ok": "bool",
        "name": "str",
        "tags": "list[str]",
    }
    ln.save(features)
    assert ln.Feature.filter().count() == 5
    found = {
        f.name: f.dtype for f in ln.Feature.from_dict({"temperature": 21.5, "day": "2025-01-02"})
    }
    assert found == {"temperature": "float", "day": "date"}
