"""Property: result frames and search built from the index equal a brute-force answer.

The reference below decodes every record from git, ranks with ``query.search.search_rank``,
sorts in Python and builds the pandas frame value by value with the documented dtype rules:
rows, columns, dtypes and order must match exactly, at the head and at an older commit.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamingit import index
from lamingit.api.core.queryset import _sort_key
from lamingit.index import FrameSpec
from lamingit.models import BaseRecord
from lamingit.query import Q
from lamingit.query.evaluate import path_values
from lamingit.query.search import SEARCH_FIELDS, search_rank
from lamingit.records import Snapshot
from lamingit.repo import Repository
from lamingit.router import scan
from tests.index.test_property import AUTHOR, _populate, datasets, queries

COLUMNS = [
    "id",
    "key",
    "description",
    "suffix",
    "size",
    "hash",
    "hash_type",
    "n_files",
    "n_observations",
    "otype",
    "kind",
    "trashed",
    "version",
    "is_latest",
    "created_at",
    "updated_at",
    "schema_id",
    "run_id",
    "transform_id",
    "created_by_id",
]
"""An artifact frame's columns after uid (LaminDB's order; docs/query.md)."""
RENAMED = {
    "schema_id": "schema",
    "run_id": "run",
    "transform_id": "transform",
    "created_by_id": "created_by",
}
INTS = {"id", "size", "n_files", "n_observations"}
BOOLS = {"trashed", "is_latest"}


def _series(values: list[Any]) -> pd.Series:
    """A column by the documented rules: typed if every present value has one type."""
    present = [v for v in values if v is not None]
    kinds = {type(v) for v in present}
    missing = len(present) < len(values)
    if present and kinds <= {int}:
        if missing:
            return pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
        return pd.Series(values, dtype="int64")
    if present and kinds <= {int, float}:
        return pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
    if present and kinds == {bool} and not missing:
        return pd.Series(values, dtype="bool")
    return pd.Series(values, dtype="object")


def _ordered(records: list[BaseRecord], spec: FrameSpec) -> list[BaseRecord]:
    if spec.rank is not None:
        ranked = []
        for r in records:
            texts = [getattr(r, f, None) for f in SEARCH_FIELDS]
            rank = search_rank([t if isinstance(t, str) else None for t in texts], spec.rank)
            if rank is not None:
                ranked.append((rank, r.created_at, r.uid, r))
        records = [t[3] for t in sorted(ranked, key=lambda t: t[:3])]
    if spec.order:
        for field in reversed(spec.order):
            records.sort(key=_sort_key(field.lstrip("-")), reverse=field.startswith("-"))
    elif spec.rank is None:
        records.sort(key=lambda r: (r.created_at, r.uid), reverse=True)
    return records if spec.limit is None else records[: spec.limit]


def brute_frame(snap: Snapshot, q: Q, spec: FrameSpec) -> pd.DataFrame:
    records = _ordered(scan(snap, "artifact", q), spec)
    cols: dict[str, pd.Series] = {}
    names = ["key"] if spec.include else COLUMNS
    for name in names:
        values = [getattr(r, RENAMED.get(name, name)) for r in records]
        if name in ("created_at", "updated_at"):
            parsed = pd.to_datetime(pd.Series(values, dtype="object"), utc=True, format="ISO8601")
            cols[name] = parsed.astype("datetime64[us, UTC]")
        elif name in INTS:
            # a typed column of the schema: int64, or float64 once a value is missing
            if any(v is None for v in values):
                cols[name] = pd.Series(
                    [math.nan if v is None else v for v in values], dtype="float64"
                )
            else:
                cols[name] = pd.Series(values, dtype="int64")
        elif name in BOOLS:
            cols[name] = pd.Series(values, dtype="bool")
        else:
            cols[name] = pd.Series(values, dtype="object")
    if "features" in spec.include:
        names = sorted({k for r in records for k in r.features})  # type: ignore[attr-defined]
        for name in names:
            cols[name] = _series([r.features.get(name) for r in records])  # type: ignore[attr-defined]
    for path in spec.include:
        if path != "features":
            found = [path_values(r, tuple(path.split("__")), snap) for r in records]
            cols[path] = pd.Series(
                [v[0] if len(v) == 1 else (v or None) for v in found], dtype="object"
            )
    frame = pd.DataFrame(cols)
    frame.index = pd.Index([r.uid for r in records], name="uid", dtype="object")
    return frame


SPECS = st.builds(
    FrameSpec,
    include=st.sampled_from([(), ("features",), ("created_by__handle", "run__status")]),
    order=st.sampled_from([(), ("-size",), ("key", "-size"), ("is_latest",), ("-key",)]),
    limit=st.one_of(st.none(), st.integers(0, 4)),
    rank=st.one_of(st.none(), st.sampled_from(["a", "ab", "rna", "csv", "one", "x.c", " "])),
)


def _check(snap: Snapshot, qs: list[Q], specs: list[FrameSpec]) -> None:
    for q, spec in zip(qs, specs, strict=False):
        q = q & Q(trashed=False)
        expected = brute_frame(snap, q, spec)
        got = index.frame(snap, "artifact", q, spec).to_pandas()
        pd.testing.assert_frame_equal(got, expected, check_index_type=False)
        if spec.rank is not None:
            uids = [r.uid for r in index.ordered_records(snap, "artifact", q, spec)]
            assert uids == expected.index.tolist()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    first=datasets(),
    second=datasets(),
    qs=st.lists(queries, min_size=1, max_size=4),
    specs=st.lists(SPECS, min_size=4, max_size=4),
)
def test_frame_equals_brute_force(
    first: dict[str, Any], second: dict[str, Any], qs: list[Q], specs: list[FrameSpec]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repository.init(Path(tmp) / "r", author=AUTHOR)
        _populate(repo, first, "one")
        old = repo.snapshot()
        _check(old, qs, specs)
        _populate(repo, second, "two")
        _check(repo.snapshot(), qs, specs)
        # an ln.at() snapshot: the old commit, answered from the newer index plus a diff
        _check(repo.snapshot(old.commit), qs, specs)
        repo.index.forget()
        _check(repo.snapshot(), qs, specs[::-1])


def test_dataframe_shape_polars_and_arrow(repo, write) -> None:  # type: ignore[no-untyped-def]
    import lamingit as ln

    ln.Feature(name="size", dtype=int).save()  # named like a field: shown as feature_size
    ln.Feature(name="tags", dtype=list[str]).save()
    old = ln.Artifact(write("a.csv", "1"), key="a.csv").save()
    new = ln.Artifact(write("b.csv", "22"), key="b.csv").save()
    old.features.add_values({"size": 7, "tags": ["x", "y"]})
    df = ln.Artifact.filter().to_dataframe()
    assert df.index.name == "uid" and df.index.tolist() == [new.uid, old.uid]  # newest first
    assert str(df["created_at"].dtype) == "datetime64[us, UTC]"
    assert df.columns[-3:].tolist() == ["run_id", "transform_id", "created_by_id"]
    assert "projects" not in df.columns
    feats = ln.Artifact.filter().to_dataframe(include="features")
    assert feats.columns.tolist() == ["key", "feature_size", "tags"]
    assert feats.loc[old.uid, "feature_size"] == 7 and feats.loc[old.uid, "tags"] == ["x", "y"]
    assert feats.loc[new.uid, "tags"] is None
    polars_frame = ln.Artifact.filter().to_polars(include="features")
    assert polars_frame.columns == ["uid", "key", "feature_size", "tags"]
    assert polars_frame["uid"].to_list() == [new.uid, old.uid]
    table = ln.Artifact.filter().to_arrow(include="features")
    assert table.column("tags").to_pylist() == [None, '["x","y"]']  # JSON text in Arrow
