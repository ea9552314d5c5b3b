"""Records → polars frames: one typed row per record, plus long rows for dict and feature values.

Base frames are sorted by uid (a uid's row is found by binary search). Value rows point at
their record by row position; each value row carries a ``kind`` and typed columns:
``i`` (int), ``f`` (float), ``b`` (bool), ``t`` (``str(value)`` of any scalar), ``j`` (JSON of a
list, dict, or anything the typed columns cannot hold exactly).
"""

from __future__ import annotations

import functools
import gc
import math
import operator
import types
from collections.abc import Sequence
from itertools import chain, repeat
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import msgspec
import polars as pl

from lamingit.models import STRUCTS, BaseRecord
from lamingit.query.fields import SCHEMAS

SEP = "\x1f"
"""Separator of the keys of a nested path (``study_metadata`` SEP ``assay`` SEP ``type``)."""

JSON = "_json"
_ENC = msgspec.json.Encoder()
_I64 = 2**63
VALUE_SCHEMA: dict[str, Any] = {
    "row": pl.UInt32,
    "field": pl.Utf8,
    "path": pl.Utf8,
    "kind": pl.Utf8,
    "i": pl.Int64,
    "f": pl.Float64,
    "b": pl.Boolean,
    "t": pl.Utf8,
    "j": pl.Binary,
}
SCALAR_KINDS = ("int", "float", "bool", "str")
_UID = operator.attrgetter("uid")


def _column_kind(tp: Any) -> str | None:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        return _column_kind(inner[0]) if len(inner) == 1 else None
    if origin is list:
        return "list"
    if origin is dict:
        return None
    return {str: "str", int: "int", bool: "bool", float: "float"}.get(tp)


_POLARS: dict[str, Any] = {
    "str": pl.Utf8,
    "int": pl.Int64,
    "bool": pl.Boolean,
    "float": pl.Float64,
    "list": pl.List(pl.Utf8),
}


@functools.cache
def column_kinds(registry: str) -> dict[str, str]:
    """Column → kind (``str int bool float list``) of the base frame of ``registry``.

    Example:
        >>> column_kinds("user")["handle"]
        'str'
    """
    out: dict[str, str] = {}
    for f in msgspec.structs.fields(STRUCTS[registry]):
        kind = _column_kind(f.type)
        if kind is not None:
            out[f.name] = kind
    return out


def base_schema(registry: str) -> dict[str, Any]:
    """The polars schema of the base frame of ``registry`` (plus the record's JSON)."""
    schema = {name: _POLARS[kind] for name, kind in column_kinds(registry).items()}
    schema[JSON] = pl.Binary
    return schema


@functools.cache
def dict_fields(registry: str) -> list[str]:
    """Fields whose values go to the long value rows (dict fields and ``features``)."""
    schema = SCHEMAS[registry]
    return sorted(schema.dicts) + (["features"] if schema.has_features else [])


_NULL = type(None)


class _ValueCollector:
    """Value rows gathered per kind (one tuple each), turned into columns in bulk.

    The kinds and columns are those of the module docstring; dicts also emit one row per
    key, recursively (path joined by ``SEP``).
    """

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[int, str, str, Any]]] = {
            k: [] for k in ("int", "float", "bool", "str", "null", "dict", "list", "py")
        }

    def add(self, row: int, field: str, path: str, value: Any) -> None:
        """Add the value rows of one value (and of its keys, for a dict)."""
        # exact type checks first: values decoded from JSON are exactly these types
        tp = type(value)
        if tp is str:
            self.rows["str"].append((row, field, path, value))
        elif tp is int:
            kind = "int" if -_I64 <= value < _I64 else "py"
            self.rows[kind].append((row, field, path, value))
        elif tp is float:
            self.rows["py" if math.isnan(value) else "float"].append((row, field, path, value))
        elif tp is bool:
            self.rows["bool"].append((row, field, path, value))
        elif tp is _NULL:
            self.rows["null"].append((row, field, path, None))
        else:
            self._add_other(row, field, path, value)

    def _add_other(self, row: int, field: str, path: str, value: Any) -> None:
        kind = "py"
        if isinstance(value, bool):
            kind = "bool"
        elif isinstance(value, int):
            kind = "int" if -_I64 <= value < _I64 else "py"
        elif isinstance(value, float):
            kind = "py" if math.isnan(value) else "float"
        elif isinstance(value, str):
            kind = "str"
        elif isinstance(value, dict):
            kind = "dict"
        elif isinstance(value, list):
            kind = "list"
        self.rows[kind].append((row, field, path, value))
        if kind == "dict":
            for key, sub in value.items():
                self.add(row, field, f"{path}{SEP}{key}" if path else str(key), sub)

    def frame(self) -> pl.DataFrame:
        """Every value row, in the columns of ``VALUE_SCHEMA``."""
        frames = []
        for kind, items in self.rows.items():
            if not items:
                continue
            rows, fields, paths, values = zip(*items, strict=True)
            cols: dict[str, Any] = {"row": rows, "field": fields, "path": paths}
            if kind == "int":
                cols.update(i=values, t=list(map(str, values)))
            elif kind == "float":
                cols.update(f=values, t=list(map(str, values)))
            elif kind == "bool":
                cols.update(b=values, t=list(map(str, values)))
            elif kind == "str":
                cols["t"] = values
            elif kind != "null":
                cols["j"] = list(map(_ENC.encode, values))
            frame = pl.DataFrame(cols, schema={c: VALUE_SCHEMA[c] for c in cols})
            frames.append(
                frame.select(
                    pl.col(c)
                    if c in cols
                    else pl.lit(kind if c == "kind" else None, dtype=t).alias(c)
                    for c, t in VALUE_SCHEMA.items()
                )
            )
        if not frames:
            return pl.DataFrame(schema=VALUE_SCHEMA)
        return pl.concat(frames)


def _column(name: str, kind: str, values: Sequence[Any]) -> pl.Series:
    if kind == "list":
        # polars builds a list column from Python lists row by row (~3 µs each); decoding
        # the lists' JSON happens in Rust in one call
        text = pl.Series(name, list(map(_ENC.encode, values)), dtype=pl.Binary)
        return text.cast(pl.Utf8).str.json_decode(_POLARS["list"])
    return pl.Series(name, values, dtype=_POLARS[kind])


def build_frames(
    registry: str, records: list[BaseRecord], blobs: list[bytes] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The base frame (sorted by uid) and the value rows of ``records``.

    ``blobs``, if given, are the records' stored JSON (in the same order): the frame keeps
    them instead of encoding every record again.

    Example:
        >>> base, values = build_frames("user", [user_record])  # doctest: +SKIP
    """
    if not records:  # most registries of most repositories: just the schema
        return pl.DataFrame(schema=base_schema(registry)), pl.DataFrame(schema=VALUE_SCHEMA)
    if blobs is None:
        records = sorted(records, key=_UID)
        blobs = list(map(_ENC.encode, records))
    else:
        uids = list(map(_UID, records))
        # records read in git's path order arrive sorted by uid already: check, not sort
        if not all(map(operator.le, uids, uids[1:])):
            order = sorted(range(len(records)), key=uids.__getitem__)
            records = [records[i] for i in order]
            blobs = [blobs[i] for i in order]
    kinds = column_kinds(registry)
    names = list(kinds)
    # one C-level attrgetter call per record (a tuple: every registry has the BaseRecord
    # columns), then a transpose: no per-field Python loop
    getter = operator.attrgetter(*names)
    columns = list(zip(*map(getter, records), strict=True)) if records else [()] * len(names)
    series = [_column(n, kinds[n], col) for n, col in zip(names, columns, strict=True)]
    series.append(pl.Series(JSON, blobs, dtype=pl.Binary))
    values = _ValueCollector()
    frames = []
    for field in dict_fields(registry):
        field_values = map(operator.attrgetter(field), records)
        if field == "features":
            frames.append(top_level_values(field, list(field_values), values))
        else:
            for row, value in enumerate(field_values):
                values.add(row, field, "", value)
    frames.append(values.frame())
    return pl.DataFrame(series), pl.concat(frames) if len(frames) > 1 else frames[0]


_SCALARS: dict[type, str] = {str: "str", int: "int", float: "float", bool: "bool", _NULL: "null"}


def top_level_values(
    field: str, dicts: list[dict[str, Any]], rest: _ValueCollector
) -> pl.DataFrame:
    """Value rows of one dict per row, one per key (the key is the path), built per column.

    Scalar values (nearly every feature value) are sorted into kinds by their exact type and
    become typed columns in bulk; the rest (lists, nested dicts, NaN, integers beyond 64
    bits) go to ``rest``, whose rows are the same as if every value had been added there.

    Example:
        >>> top_level_values("features", [{"n": 1}], _ValueCollector()).select("path", "i").rows()
        [('n', 1)]
    """
    counts = list(map(len, dicts))
    rows = pl.Series("row", list(chain.from_iterable(map(repeat, range(len(dicts)), counts))))
    rows = rows.cast(pl.UInt32)
    paths = pl.Series("path", list(chain.from_iterable(dicts)), dtype=pl.Utf8)
    values = list(chain.from_iterable(map(dict.values, dicts)))
    kinds = pl.Series("kind", list(map(_SCALARS.get, map(type, values))), dtype=pl.Utf8)
    frames = []
    for kind in (*dict.fromkeys(_SCALARS.values()), None):
        found = (kinds.is_null() if kind is None else kinds == kind).arg_true()
        if not len(found):
            continue
        if kind is None:  # lists, dicts, other types: row by row
            for n in found.to_list():
                rest.add(rows[n], field, paths[n], values[n])
            continue
        picked = _pick(values, found.to_list())
        odd = _inexact(kind, picked)
        if odd is not None:  # NaN, or beyond 64 bits: those rows through ``rest``
            for n in found.filter(odd).to_list():
                rest.add(rows[n], field, paths[n], values[n])
            picked = [v for v, bad in zip(picked, odd.to_list(), strict=True) if not bad]
            found = found.filter(~odd)
        cols: dict[str, pl.Series] = {}
        if kind == "str":
            cols["t"] = pl.Series(picked, dtype=pl.Utf8)
        elif kind != "null":
            typed = cols[_TYPED[kind]] = pl.Series(picked, dtype=_POLARS[kind])
            # polars writes integers as Python does; floats and bools differ ("true", "1e-05")
            text: pl.Series | list[str] = (
                typed.cast(pl.Utf8) if kind == "int" else list(map(str, picked))
            )
            cols["t"] = pl.Series(text, dtype=pl.Utf8)
        frames.append(_kind_frame(kind, field, rows.gather(found), paths.gather(found), cols))
    if not frames:
        return pl.DataFrame(schema=VALUE_SCHEMA)
    return pl.concat(frames) if len(frames) > 1 else frames[0]


def _pick(values: list[Any], positions: list[int]) -> list[Any]:
    """``values`` at ``positions`` (one C-level call)."""
    if len(positions) == 1:
        return [values[positions[0]]]
    return list(operator.itemgetter(*positions)(values))


_TYPED = {"int": "i", "float": "f", "bool": "b"}


def _inexact(kind: str, picked: list[Any]) -> pl.Series | None:
    """Which values no typed column holds exactly (None: none): NaN, beyond 64 bits."""
    if kind == "float" and any(map(math.isnan, picked)):
        return pl.Series(list(map(math.isnan, picked)), dtype=pl.Boolean)
    if kind == "int" and (min(picked) < -_I64 or max(picked) >= _I64):
        return pl.Series([not -_I64 <= v < _I64 for v in picked], dtype=pl.Boolean)
    return None


def _kind_frame(
    kind: str, field: str, rows: pl.Series, paths: pl.Series, cols: dict[str, pl.Series]
) -> pl.DataFrame:
    """Value rows of one kind in the columns of ``VALUE_SCHEMA`` (absent columns null)."""
    frame = pl.DataFrame([rows.alias("row"), paths.alias("path"), *cols.values()])
    frame.columns = ["row", "path", *cols]
    return frame.select(
        pl.col(c)
        if c in frame.columns
        else pl.lit(kind if c == "kind" else field if c == "field" else None, dtype=t).alias(c)
        for c, t in VALUE_SCHEMA.items()
    )


class ValueRows:
    """The value rows of one part, split by ``(field, path)`` on first use of each path.

    A condition reads only its own path's rows. Rows of a base on disk are read per path
    (the file is sorted by field and path, so parquet statistics skip other row groups).
    """

    def __init__(self, flat: pl.DataFrame | None = None, path: Path | None = None) -> None:
        self._flat = flat
        self._path = path
        self._cache: dict[tuple[str, str], pl.DataFrame | None] = {}
        self._fields: dict[str, pl.DataFrame] = {}

    @property
    def flat(self) -> pl.DataFrame:
        """Every value row (read in full on first use)."""
        if self._flat is None:
            assert self._path is not None
            self._flat = pl.read_parquet(self._path)
        return self._flat

    def field_rows(self, field: str) -> pl.DataFrame:
        """Every value row of one field (e.g. all ``features``; no ``field`` column), cached."""
        found = self._fields.get(field)
        if found is None:
            cond = pl.col("field") == field
            # without the (constant) field column: 16 bytes a row less in the cache
            if self._flat is None and self._path is not None:
                found = pl.scan_parquet(self._path).filter(cond).drop("field").collect()
            else:
                found = self.flat.filter(cond).drop("field")
            self._fields[field] = found
        return found

    def get(self, key: tuple[str, str]) -> pl.DataFrame | None:
        """Rows (row, kind, i, f, b, t, j) of one ``(field, path)``, or None if there are none."""
        if key not in self._cache:
            cond = (pl.col("field") == key[0]) & (pl.col("path") == key[1])
            if self._flat is None and self._path is not None:
                rows = pl.scan_parquet(self._path).filter(cond).collect()
            else:
                rows = self.flat.filter(cond)
            self._cache[key] = rows.drop("field", "path") if rows.height else None
        return self._cache[key]


class Columns:
    """A base frame whose columns are read from parquet only when a query needs them."""

    def __init__(self, frame: pl.DataFrame | None = None, path: Path | None = None) -> None:
        self._path = path
        self._loaded: dict[str, pl.Series] = {}
        self._lowered: dict[str, pl.Series] = {}
        if frame is not None:
            self._loaded = {c.name: c for c in frame.get_columns()}
            self._names = list(frame.columns)
        else:
            assert path is not None
            self._names = list(pl.read_parquet_schema(path))
        self.height = len(self.get(["uid"]).get_column("uid"))

    @property
    def names(self) -> list[str]:
        """Every column name."""
        return list(self._names)

    def get(self, names: list[str]) -> pl.DataFrame:
        """A frame of the named columns (reading missing ones from disk)."""
        missing = [n for n in dict.fromkeys(names) if n not in self._loaded]
        if missing:
            assert self._path is not None
            frame = pl.read_parquet(self._path, columns=missing)
            self._loaded.update({c.name: c for c in frame.get_columns()})
        return pl.DataFrame([self._loaded[n] for n in dict.fromkeys(names)])

    def all(self) -> pl.DataFrame:
        """The whole frame."""
        return self.get(self._names)

    def lowered(self, name: str) -> pl.Series:
        """Text column ``name`` lowercased, kept for the next search (the frame never changes)."""
        found = self._lowered.get(name)
        if found is None:
            found = self._lowered[name] = self.get([name]).get_column(name).str.to_lowercase()
        return found


def partition_values(values: pl.DataFrame) -> ValueRows:
    """Value rows made queryable by ``(field, path)``."""
    return ValueRows(values)


def decode_records(registry: str, blobs: list[bytes]) -> list[BaseRecord]:
    """Decode many records' JSON at once (one msgspec call).

    Example:
        >>> decode_records("user", [b'{"uid":"a",...}'])  # doctest: +SKIP
    """
    if not blobs:
        return []
    decoder = _DECODERS.get(registry)
    if decoder is None:
        struct: Any = STRUCTS[registry]
        decoder = _DECODERS[registry] = msgspec.json.Decoder(list[struct])
    # many small containers at once: pausing the cyclic GC avoids repeated full collections
    enabled = gc.isenabled()
    gc.disable()
    try:
        return list(decoder.decode(b"[" + b",".join(blobs) + b"]"))
    finally:
        if enabled:
            gc.enable()


_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {}
