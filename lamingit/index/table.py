"""Query results as columns: the frame behind ``to_dataframe``/``to_polars``, built from the index.

Rows come from the base frames (no record is decoded), features are pivoted from the value
rows in polars; only values polars cannot type (mixed or nested features, dict fields) and
``include`` paths go through Python, and only for the rows returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import GenericAlias
from typing import Any, cast

import msgspec
import polars as pl

from lamingit.index.evaluate import Evaluator
from lamingit.index.rank import best_first
from lamingit.index.rows import SEP, column_kinds, decode_records
from lamingit.index.store import IndexState, Part
from lamingit.models import BaseRecord
from lamingit.query.evaluate import RecordResolver, path_values
from lamingit.query.expr import Q
from lamingit.query.fields import SCHEMAS, FieldKind
from lamingit.query.search import SEARCH_FIELDS
from lamingit.records import Snapshot

DATETIMES = ("created_at", "updated_at", "started_at", "finished_at")
"""ISO-text fields shown as UTC datetimes (LaminDB's DateTimeFields)."""
_ISO = "%Y-%m-%dT%H:%M:%S%.f%z"
_TO_END = ("version", "is_latest", "created_at", "updated_at")
"""Moved behind the other fields, as LaminDB orders its columns."""
_POS = ["_part", "_row"]
_JSON_DEC = msgspec.json.Decoder()
FEW_READS = 32
"""Up to this many records are read from git rather than from a base's unread JSON column."""


@dataclass(frozen=True)
class FrameSpec:
    """What a result frame holds and in which order.

    Example:
        >>> FrameSpec(include=("features",), order=("-size",), limit=10)
        FrameSpec(include=('features',), order=('-size',), limit=10, rank=None)
    """

    include: tuple[str, ...] = ()
    """``"features"`` and/or lookup paths (``"created_by__handle"``)."""
    order: tuple[str, ...] = ()
    """``order_by`` fields (``-`` for descending); empty: newest first (ranked: best first)."""
    limit: int | None = None
    rank: str | None = None
    """Search text: keep matching rows only, best match first."""


class ResultFrame:
    """A result as a polars frame plus the columns polars cannot type (Python objects).

    Example:
        >>> result_frame(state, "artifact", Q(), FrameSpec(), snapshot).to_pandas()  # doctest: +SKIP
    """

    def __init__(
        self, frame: pl.DataFrame, objects: dict[str, list[Any]], columns: list[str]
    ) -> None:
        self.frame = frame
        self.objects = objects
        self.columns = columns

    def to_polars(self) -> pl.DataFrame:
        """The frame with ``uid`` as first column; untyped columns as ``pl.Object``."""
        extra = [pl.Series(n, v, dtype=pl.Object) for n, v in self.objects.items()]
        return self.frame.with_columns(extra).select(self.columns)

    def to_arrow(self) -> Any:
        """A ``pyarrow.Table``; untyped columns as JSON text (arrow has no Python objects)."""
        enc = msgspec.json.Encoder()
        extra = [
            pl.Series(n, [None if x is None else enc.encode(x).decode() for x in v], pl.Utf8)
            for n, v in self.objects.items()
        ]
        return self.frame.with_columns(extra).select(self.columns).to_arrow()

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by ``uid`` (LaminDB's shape; lists stay Python lists)."""
        typed = [c for c in self.columns if c not in self.objects]
        pdf = self.frame.select(typed).to_pandas()
        for name, kind in self.frame.schema.items():
            if name in typed and isinstance(kind, pl.List):
                pdf[name] = pd_objects(self.frame.get_column(name).to_list())
        for name, values in self.objects.items():
            pdf[name] = pd_objects(values)
        if self.objects:
            pdf = pdf[self.columns]
        # moving the column to the index, not set_index(): that copies every column
        # (pd.Index shares the column's array; and mypy < 1.16 types the setter as Index)
        import pandas as pd

        pdf.index = pd.Index(pdf.pop("uid"))
        return pdf


def pd_objects(values: list[Any]) -> Any:
    """A pandas object Series holding ``values`` as they are (lists and dicts not unpacked)."""
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = values  # slice assignment keeps each list as one cell
    return out


def selected(state: IndexState, registry: str, q: Q, spec: FrameSpec) -> Selection:
    """The base-frame rows matching ``q``, ranked, ordered and limited as ``spec`` says.

    Example:
        >>> selected(state, "artifact", Q(), FrameSpec(limit=5)).frame.height  # doctest: +SKIP
        5
    """
    kinds = column_kinds(registry)
    # first only the columns that choose and order rows; the rest is read for the rows kept
    needed = ["uid", "created_at"]
    needed += [c.lstrip("-") for c in spec.order]
    if spec.rank is not None:
        needed += [c for c in SEARCH_FIELDS if c in kinds]
    needed = list(dict.fromkeys(n for n in needed if n in kinds))
    parts: list[Part] = []
    frames = []
    for part, mask in Evaluator(state).masks(registry, q):
        if spec.rank is not None:
            rows = _hits(part, [c for c in SEARCH_FIELDS if c in kinds], spec.rank, mask)
            # eager steps on a few rows: a lazy query costs ~0.5 ms to plan, more than the work
            here = pl.Series("_part", [len(parts)] * len(rows), dtype=pl.UInt32)
            frame = part.cols(needed)[rows].hstack([here, rows])
        else:
            frame = (
                part.cols(needed)
                .lazy()
                .with_columns(
                    pl.lit(len(parts), dtype=pl.UInt32).alias("_part"),
                    pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
                )
                .filter(pl.lit(mask))
                .collect()
            )
        parts.append(part)
        frames.append(frame)
    if frames:
        frame = pl.concat(frames) if len(frames) > 1 else frames[0]
    else:
        schema = {**_empty_schema(registry), "_part": pl.UInt32, "_row": pl.UInt32}
        frame = pl.DataFrame(schema=schema).select(*needed, *_POS)
    frame = _ordered(frame, spec)
    if spec.limit is not None:
        frame = frame.head(spec.limit)
    return Selection(registry, frame, parts)


def _hits(part: Part, fields: list[str], text: str, mask: pl.Series) -> pl.Series:
    """Positions (``_row``) of the rows in ``mask`` whose ``fields`` contain ``text`` (any case).

    The literal substring test on the lowercased columns (kept by the part's table) is the
    only pass over every row; the rank is computed for the rows it finds.
    """
    q = text.strip().lower()
    found = None
    for name in fields if q else []:
        hit = part.table.lowered(name).str.contains(q, literal=True)
        if hit.null_count() == len(hit):
            continue  # a column nobody filled (every artifact's ``name``, say)
        found = hit if found is None else found | hit
    if found is None:
        return pl.Series("_row", [], dtype=pl.UInt32)
    return (found & mask).arg_true().cast(pl.UInt32).alias("_row")


@dataclass
class Selection:
    """Rows chosen from an index: a frame with ``_part``/``_row`` positions into ``parts``."""

    registry: str
    frame: pl.DataFrame
    parts: list[Part]

    def blobs(self) -> list[bytes]:
        """The stored JSON of every row, in the frame's order (only these rows are read)."""
        if len(self.parts) == 1 or not self.frame.height:
            rows = self.frame.get_column("_row").to_list()
            return self.parts[0].json_rows(rows) if rows else []
        out: list[bytes] = [b""] * self.frame.height
        positions = self.frame.select(pl.int_range(pl.len()).alias("_n"), *_POS)
        for (part_no,), group in positions.group_by("_part"):
            # _part is an integer column (polars 1.0 types group keys as object)
            got = self.parts[cast(int, part_no)].json_rows(group["_row"].to_list())
            for n, blob in zip(group["_n"], got, strict=True):
                out[n] = blob
        return out

    def with_columns(self, names: list[str]) -> pl.DataFrame:
        """The frame plus base columns ``names``, read for the selected rows only."""
        names = [n for n in names if n not in self.frame.columns]
        if not names or not self.frame.height:
            empty = {n: pl.Series(n, [], dtype=_empty_schema(self.registry)[n]) for n in names}
            return self.frame.with_columns(list(empty.values()))
        if len(self.parts) == 1:
            cols = self.parts[0].cols(names).select(pl.all().gather(self.frame["_row"]))
            return self.frame.hstack(cols.get_columns())
        numbered = self.frame.select(*_POS).with_row_index("_n")
        pieces = []
        for i, part in enumerate(self.parts):
            mine = numbered.filter(pl.col("_part") == i)
            if mine.height:
                got = part.cols(names).select(pl.all().gather(mine["_row"]))
                pieces.append(got.with_columns(mine["_n"]))
        cols = pl.concat(pieces).sort("_n").drop("_n")
        return self.frame.hstack(cols.get_columns())

    def records(self, source: Snapshot | None = None) -> list[BaseRecord]:
        """The rows' records, decoded in one call, in the frame's order.

        With ``source`` (the snapshot the index answered for), up to :data:`FEW_READS` rows
        are read from git when their JSON is not in memory yet: reading a base's JSON
        column costs ~50 ms at 100k records, a search or a first page needs a handful.
        """
        few = source is not None and 0 < self.frame.height <= FEW_READS
        if few and not all(part.json_loaded() for part in self.parts):
            assert source is not None
            uids = self.frame.get_column("uid").to_list()
            found = [source.find(self.registry, uid) for uid in uids]
            if all(r is not None for r in found):
                return [r for r in found if r is not None]
        return decode_records(self.registry, self.blobs())


def result_frame(
    state: IndexState, registry: str, q: Q, spec: FrameSpec, resolver: RecordResolver
) -> ResultFrame:
    """The rows of ``registry`` matching ``q`` at ``state``, shaped and ordered by ``spec``.

    Example:
        >>> result_frame(state, "artifact", Q(suffix=".csv"), FrameSpec(), snap)  # doctest: +SKIP
    """
    sel = selected(state, registry, q, spec)
    dicts = sorted(SCHEMAS[registry].dicts)
    kinds = column_kinds(registry)
    # only the base columns the result shows are read (include= shows uid and one field)
    shown = _column_order(registry, _renamed(registry, list(kinds)), dicts, spec.include, [], [])
    original = {v: k for k, v in _renames(registry).items()}
    frame = sel.with_columns([original.get(c, c) for c in shown if original.get(c, c) in kinds])
    objects: dict[str, list[Any]] = {}
    features: list[str] = []
    if "features" in spec.include and SCHEMAS[registry].has_features:
        taken = set(_struct_fields(registry)) | set(kinds)
        frame, features = _features(frame, sel.parts, objects, taken)
    if dicts and not spec.include:
        objects.update(_dict_fields(sel, dicts))
    paths = [p for p in spec.include if p != "features" and p not in column_kinds(registry)]
    if paths:
        objects.update(_paths(sel, paths, resolver))
    frame = _shaped(registry, frame)
    columns = _column_order(registry, frame.columns, dicts, spec.include, features, paths)
    return ResultFrame(frame.drop(_POS), objects, columns)


def _empty_schema(registry: str) -> dict[str, Any]:
    from lamingit.index.rows import base_schema

    schema = base_schema(registry)
    schema.pop("_json")
    return schema


def _ordered(frame: pl.DataFrame, spec: FrameSpec) -> pl.DataFrame:
    """Rank, then sort: ``order_by`` fields (ties by uid), else best match or newest first."""
    if spec.rank is not None:
        frame = best_first(frame, list(SEARCH_FIELDS), spec.rank)
        # order_by after search(): the ranked order breaks ties, as QuerySet does
        return _sort_fields(frame, spec.order, tie="_keep") if spec.order else frame
    if spec.order:
        return _sort_fields(frame, spec.order, tie="uid")
    # LaminDB's to_dataframe: newest first (the exact reverse of iteration order)
    return frame.sort(["created_at", "uid"], descending=True)


def _sort_fields(frame: pl.DataFrame, order: tuple[str, ...], tie: str) -> pl.DataFrame:
    """Sort like successive stable Python sorts: missing values last ascending, first descending."""
    names = [s.lstrip("-") for s in order]
    desc = [s.startswith("-") for s in order]
    if tie == "uid":
        frame = frame.sort("uid")
    cols = [_sortable(frame, n) for n in names]
    return frame.sort(cols, descending=desc, nulls_last=[not d for d in desc], maintain_order=True)


def _sortable(frame: pl.DataFrame, name: str) -> pl.Expr:
    kind = frame.schema[name]
    if isinstance(kind, pl.List):  # Python compares lists by str() in QuerySet._sort_key
        return pl.col(name).cast(pl.List(pl.Utf8)).list.join("', '")
    if kind == pl.Boolean:
        return pl.col(name).cast(pl.Int8)
    return pl.col(name)


def _features(
    frame: pl.DataFrame, parts: list[Part], objects: dict[str, list[Any]], taken: set[str]
) -> tuple[pl.DataFrame, list[str]]:
    """Add one column per top-level feature any row has; untyped ones go to ``objects``.

    Value rows are mapped to frame positions through a lookup array per part and scattered
    into full-height columns: no join, whatever the number of rows or features.
    """
    height = frame.height
    numbered = frame.select(*_POS).with_row_index("_n")
    pieces = []
    for i, part in enumerate(parts):
        vals = part.values.field_rows("features")
        if not vals.height:
            continue
        mine = numbered.filter(pl.col("_part") == i)
        lookup = pl.repeat(-1, part.height, dtype=pl.Int64, eager=True)
        lookup.scatter(mine["_row"], mine["_n"].cast(pl.Int64))
        # one lazy pass: no full-size intermediate copies of the value rows (memory stays flat)
        pieces.append(
            vals.lazy()
            .filter(~pl.col("path").str.contains(SEP, literal=True))
            .select(
                pl.lit(lookup).gather(pl.col("row")).alias("_n"),
                "path",
                "kind",
                "i",
                "f",
                "b",
                # ``t`` also holds the text of numbers (for string lookups): not needed here
                pl.when(pl.col("kind") == "str").then(pl.col("t")).alias("t"),
                "j",
            )
            .filter(pl.col("_n") >= 0)
            .collect()
        )
    if not pieces:
        return frame, []
    vals = pl.concat(pieces) if len(pieces) > 1 else pieces[0]
    del pieces
    if not vals.height:
        return frame, []
    columns = []
    names = []
    untyped = {}
    for path in sorted(vals["path"].unique().to_list()):
        rows = vals.filter(pl.col("path") == path)
        # a feature named like a field (``size``) must not replace the field's column
        name = f"feature_{path}" if path in taken else path
        names.append(name)
        kinds = set(rows["kind"].unique().to_list()) - {"null"}
        value = _typed_value(kinds)
        if value is None:
            untyped[name] = rows
            continue
        got = rows.select(pl.col("_n"), value.alias("v"))
        column = pl.repeat(None, height, dtype=got.schema["v"], eager=True).alias(name)
        columns.append(column.scatter(got["_n"], got["v"]))
    for name, rows in untyped.items():
        objects[name] = _untyped(height, rows)
    return frame.with_columns(columns), names


def _typed_value(kinds: set[str]) -> pl.Expr | None:
    """The typed value column for a feature whose values have ``kinds`` (None: untyped)."""
    if kinds and kinds <= {"int"}:
        return pl.col("i")
    if kinds and kinds <= {"int", "float"}:
        return pl.coalesce(pl.col("f"), pl.col("i").cast(pl.Float64))
    if kinds == {"bool"}:
        return pl.col("b")
    if kinds == {"str"}:
        return pl.col("t")
    return None


def _untyped(height: int, rows: pl.DataFrame) -> list[Any]:
    """Python values of a mixed or nested feature, at their frame positions."""
    out: list[Any] = [None] * height
    for n, kind, i, f, b, t, j in rows.select("_n", "kind", "i", "f", "b", "t", "j").iter_rows():
        out[n] = _python(kind, i, f, b, t, j)
    return out


def _python(kind: str, i: Any, f: Any, b: Any, t: Any, j: Any) -> Any:
    if kind == "int":
        return i
    if kind == "float":
        return f
    if kind == "bool":
        return b
    if kind == "str":
        return t
    if kind == "null":
        return None
    value = _JSON_DEC.decode(j)
    # "py" holds what the typed columns cannot: big ints, and NaN (whose JSON is null)
    return float("nan") if kind == "py" and value is None else value


def _dict_fields(sel: Selection, dicts: list[str]) -> dict[str, list[Any]]:
    """Dict fields (``params``, ``environment``) of the rows, decoded from the stored JSON."""
    struct = msgspec.defstruct("Dicts", [(d, dict[str, Any], {}) for d in dicts])
    rows = GenericAlias(list, (struct,))  # list[struct], of a class made at run time
    items = msgspec.json.Decoder(rows).decode(b"[" + b",".join(sel.blobs()) + b"]")
    return {d: [getattr(item, d) for item in items] for d in dicts}


def _paths(sel: Selection, paths: list[str], resolver: RecordResolver) -> dict[str, list[Any]]:
    """Values of ``include`` paths: one value as is, several as a list, none as None."""
    records = sel.records()
    out: dict[str, list[Any]] = {}
    for path in paths:
        steps = tuple(path.split("__"))
        column = []
        for record in records:
            values = path_values(record, steps, resolver)
            column.append(values[0] if len(values) == 1 else (values or None))
        out[path] = column
    return out


def _shaped(registry: str, frame: pl.DataFrame) -> pl.DataFrame:
    """LaminDB's column types and names: UTC datetimes, ``<relation>_id`` for foreign keys."""
    conversions = [
        pl.col(c).str.to_datetime(_ISO, strict=False, time_unit="us").dt.convert_time_zone("UTC")
        for c in DATETIMES
        if c in frame.columns
    ]
    frame = frame.with_columns(conversions)
    ones = _renames(registry)
    return frame.rename({n: m for n, m in ones.items() if n in frame.columns})


def _renames(registry: str) -> dict[str, str]:
    """Foreign-key fields → LaminDB's column names (``run`` → ``run_id``)."""
    relations = SCHEMAS[registry].relations
    return {n: f"{n}_id" for n, (_, k) in relations.items() if k is FieldKind.ONE}


def _renamed(registry: str, names: list[str]) -> list[str]:
    renames = _renames(registry)
    return [renames.get(n, n) for n in names]


def _column_order(
    registry: str,
    present: list[str],
    dicts: list[str],
    include: tuple[str, ...],
    features: list[str],
    paths: list[str],
) -> list[str]:
    """LaminDB's order: uid, id, fields, version/is_latest/created_at/updated_at, foreign keys.

    Many-to-many lists (``projects``, ``inputs``, …) are left out, as in LaminDB; with
    ``include``, only uid and the first field stay (plus fields named in ``include``).
    """
    schema = SCHEMAS[registry]
    many = {n for n, (_, k) in schema.relations.items() if k is FieldKind.MANY}
    ones = [f"{n}_id" for n, (_, k) in schema.relations.items() if k is FieldKind.ONE]
    fields = [
        n
        for n in _struct_fields(registry)
        if (n in present or n in dicts) and n not in many and n not in ("uid", "id")
    ]
    fields = [f for f in fields if f not in _TO_END] + [f for f in _TO_END if f in fields]
    keys = [f for f in ones if f in present]
    fields = [f for f in fields if f not in keys] + sorted(keys, key=ones.index)
    if include:
        first = fields[:1]
        named = [f for f in fields[1:] if f in include]
        fields = first + named + (["id"] if "id" in include else [])
    elif "id" in present:
        fields = ["id", *fields]  # LaminDB's frames lead with the id (its index) and uid
    return ["uid", *fields, *features, *paths]


def _struct_fields(registry: str) -> list[str]:
    """Field names of ``registry``'s struct in declaration order (relations renamed ``_id``)."""
    from lamingit.models import STRUCTS

    ones = {n for n, (_, k) in SCHEMAS[registry].relations.items() if k is FieldKind.ONE}
    return [f"{n}_id" if n in ones else n for n in STRUCTS[registry].__struct_fields__]
