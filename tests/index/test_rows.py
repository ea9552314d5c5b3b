"""Records → frames: typed base columns in uid order, value rows of every kind, stored JSON kept."""

from __future__ import annotations

import math

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lamingit.index.rows import (
    JSON,
    SEP,
    _ValueCollector,
    build_frames,
    decode_records,
    top_level_values,
)
from lamingit.models import ArtifactRecord, RunRecord, encode


def _artifact(uid: str, **fields: object) -> ArtifactRecord:
    return ArtifactRecord(uid=uid, created_at="2026-01-01", created_by="u0000001", **fields)  # type: ignore[arg-type]


def test_base_columns_follow_uid_order_and_keep_the_stored_json() -> None:
    records = [
        _artifact("cc", size=3, projects=["p1", "p2"], key="c.txt"),
        _artifact("aa", size=1, projects=[], key=None),
        _artifact("bb", size=2, projects=['q"\\ü'], is_latest=False),
    ]
    blobs = [encode(r) for r in records]
    base, _ = build_frames("artifact", records, blobs)
    assert base.get_column("uid").to_list() == ["aa", "bb", "cc"]
    assert base.get_column("size").to_list() == [1, 2, 3]
    assert base.get_column("key").to_list() == [None, None, "c.txt"]
    assert base.get_column("is_latest").to_list() == [True, False, True]
    assert base.get_column("projects").to_list() == [[], ['q"\\ü'], ["p1", "p2"]]
    assert base.get_column(JSON).to_list() == [blobs[1], blobs[2], blobs[0]]
    # without stored JSON the records are encoded; both decode to the same records
    again, _ = build_frames("artifact", list(reversed(records)))
    assert again.drop(JSON).equals(base.drop(JSON))
    assert decode_records("artifact", again.get_column(JSON).to_list()) == decode_records(
        "artifact", base.get_column(JSON).to_list()
    )


def test_value_rows_of_every_kind() -> None:
    features = {
        "n": 5,
        "big": 2**70,
        "x": 0.5,
        "nan": math.nan,
        "flag": True,
        "s": "RNA",
        "none": None,
        "tags": ["a", 1],
        "meta": {"assay": {"type": "seq"}, "k": 1},
    }
    records = [_artifact("bb", features=features), _artifact("aa", features={"n": -1})]
    _, values = build_frames("artifact", records)
    rows = {
        (r["row"], r["path"]): r
        for r in values.filter(pl.col("field") == "features").iter_rows(named=True)
    }
    assert rows[(0, "n")]["i"] == -1  # row 0 is "aa" (uid order)
    b = {path: r for (row, path), r in rows.items() if row == 1}
    assert (b["n"]["kind"], b["n"]["i"], b["n"]["t"]) == ("int", 5, "5")
    assert (b["big"]["kind"], b["big"]["j"]) == ("py", str(2**70).encode())
    assert (b["x"]["kind"], b["x"]["f"], b["x"]["t"]) == ("float", 0.5, "0.5")
    assert b["nan"]["kind"] == "py"
    assert (b["flag"]["kind"], b["flag"]["b"], b["flag"]["t"]) == ("bool", True, "True")
    assert (b["s"]["kind"], b["s"]["t"]) == ("str", "RNA")
    assert b["none"]["kind"] == "null"
    assert (b["tags"]["kind"], b["tags"]["j"]) == ("list", b'["a",1]')
    assert b["meta"]["kind"] == "dict"
    assert b[f"meta{SEP}assay"]["kind"] == "dict"
    assert (b[f"meta{SEP}assay{SEP}type"]["t"], b[f"meta{SEP}k"]["i"]) == ("seq", 1)
    assert len(b) == 12


def test_dict_fields_and_empty_registries() -> None:
    run = RunRecord(
        uid="r1", created_at="t", created_by="u", transform="t1", started_at="t", params={"lr": 0.1}
    )
    _, values = build_frames("run", [run])
    params = values.filter(pl.col("field") == "params").sort("path")
    assert params.select("path", "kind").rows() == [("", "dict"), ("lr", "float")]
    base, values = build_frames("artifact", [])
    assert base.height == 0 and values.height == 0
    assert base.schema["projects"] == pl.List(pl.Utf8)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
)
feature_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=3), feature_values, max_size=5), max_size=6))
def test_bulk_value_rows_equal_one_by_one(dicts: list[dict[str, object]]) -> None:
    """Feature values sorted into kinds in bulk give exactly the rows of one call per value."""
    reference = _ValueCollector()
    for row, value in enumerate(dicts):
        for key, sub in value.items():
            reference.add(row, "features", key, sub)
    rest = _ValueCollector()
    bulk = pl.concat([top_level_values("features", dicts, rest), rest.frame()])
    order = ["row", "path", "kind", "t"]
    expected = reference.frame().sort(order, nulls_last=True)
    assert bulk.sort(order, nulls_last=True).equals(expected)
