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
    with pytest.raises(InvalidArgument, match="identifier"):
        ln.Feature(name="a__b", dtype=int)
