"""``Feature(cat_filters=…)``: LaminDB's restriction of a categorical to records matching lookups."""

from __future__ import annotations

import pandas as pd
import pytest

import lamingit as ln
from lamingit.errors import ValidationError
from lamingit.feature_values import category_filters, category_type, normalize_dtype


@pytest.fixture
def cells(repo):  # type: ignore[no-untyped-def]
    cell_type = ln.Record(name="CellType", is_type=True).save()
    ln.Record(name="T cell", type=cell_type).save()
    ln.Record(name="B cell", type=cell_type, description="curated").save()
    return cell_type


def test_type_filter_is_the_typed_dtype(cells) -> None:
    feature = ln.Feature(name="cell_type", dtype=ln.Record, cat_filters={"type": cells}).save()
    assert feature.dtype == f"cat[Record[{cells.uid}]]"
    assert feature.dtype == ln.Feature(name="ct_b", dtype=cells).dtype


def test_filters_are_stored_in_the_dtype_as_lamindb_spells_them(cells) -> None:
    user = ln.User.get(handle="testuser1")
    feature = ln.Feature(
        name="curated_cell",
        dtype=ln.Record,
        cat_filters={"type": cells, "is_type": False, "created_by": user, "description": "a, b"},
    )
    assert feature.dtype == (
        f'cat[Record[{cells.uid}, is_type=False, created_by__uid={user.uid}, description="a, b"]]'
    )
    assert category_type(feature.dtype) == cells.uid
    assert category_filters(feature.dtype) == {
        "is_type": False,
        "created_by__uid": user.uid,
        "description": "a, b",
    }
    assert normalize_dtype(feature.dtype) == feature.dtype  # canonical: saving keeps it


def test_add_values_accepts_only_matching_records(cells, write) -> None:
    ln.Feature(name="curated", dtype=cells, cat_filters={"description": "curated"}).save()
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    before = artifact._record
    with pytest.raises(ValidationError, match="cat_filters.*'T cell' is not one"):
        artifact.features.add_values({"curated": "T cell"})
    assert ln.Artifact.get(key="a.csv")._record == before  # nothing written
    artifact.features.add_values({"curated": "B cell"})
    assert artifact.features["curated"] == "B cell"
    assert [r.name for r in artifact.records] == ["B cell"]


def test_curators_validate_against_the_filtered_records(cells) -> None:
    feature = ln.Feature(name="curated", dtype=cells, cat_filters={"description": "curated"})
    schema = ln.Schema(features=[feature.save()], name="cells").save()
    bad = pd.DataFrame({"curated": ["B cell", "T cell"]})
    with pytest.raises(ValidationError, match="'T cell'"):
        ln.curators.DataFrameCurator(bad, schema).validate()
    good = pd.DataFrame({"curated": ["B cell", "B cell"]})
    ln.curators.DataFrameCurator(good, schema).validate()


@pytest.mark.parametrize(
    ("dtype", "filters", "message"),
    [
        (int, {"name": "x"}, "restrict a categorical dtype"),
        (ln.Record, {"source": ""}, "Empty value in filter source"),
        (ln.Record, {"name": None}, "Empty value in filter name"),
        (ln.Record, {"nope": "x"}, "'nope' is neither a field of Record"),
        (ln.Record, {"name": 3}, "takes a saved record, True/False or text"),
        (ln.Record, {}, "non-empty dict"),
    ],
)
def test_bad_cat_filters_say_what_is_wrong(repo, dtype, filters, message) -> None:
    with pytest.raises(ValidationError, match=message):
        ln.Feature(name="bad", dtype=dtype, cat_filters=filters)


def test_conflicting_and_non_type_selectors_are_refused(cells) -> None:
    other = ln.Record(name="Other", is_type=True).save()
    with pytest.raises(ValidationError, match="Conflicting typed dtype"):
        ln.Feature(name="bad", dtype=cells, cat_filters={"type": other})
    plain = ln.Record.get(name="T cell")
    with pytest.raises(ValidationError, match="is not a saved Record with is_type=True"):
        ln.Feature(name="bad", dtype=ln.Record, cat_filters={"type": plain})
    assert ln.Feature.filter(name="bad").count() == 0


def test_ulabel_features_take_filters_too(repo, write) -> None:
    ln.ULabel(name="DMSO", description="control").save()
    ln.ULabel(name="IFNG").save()
    ln.Feature(name="control", dtype=ln.ULabel, cat_filters={"description": "control"}).save()
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    with pytest.raises(ValidationError, match="'IFNG' is not one"):
        artifact.features.add_values({"control": "IFNG"})
    artifact.features.add_values({"control": "DMSO"})
    assert [u.name for u in artifact.ulabels] == ["DMSO"]


def test_describe_names_the_type_and_shows_the_filters(cells, write) -> None:
    ln.Feature(name="curated", dtype=cells, cat_filters={"description": "curated"}).save()
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    artifact.features.add_values({"curated": "B cell"})
    text = artifact.describe(return_str=True)
    assert "cat[Record[CellType, description=curated]]" in str(text)


def test_lists_of_categoricals_refuse_filters_as_lamindb_does(cells) -> None:
    for dtype in (f"list[cat[Record[{cells.uid}]]]", "list[cat[Record]]", "list[cat[ULabel]]"):
        feature_dtype = ln.Feature(name="x", dtype=dtype).dtype
        assert feature_dtype == dtype
        with pytest.raises(ValidationError) as info:
            ln.Feature(name="bad", dtype=dtype, cat_filters={"description": "curated"})
        assert str(info.value) == (
            f"cat_filters are incompatible with nested dtypes: '{feature_dtype}'"
        )
    assert ln.Feature.filter(name="bad").count() == 0
