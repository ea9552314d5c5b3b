"""Answer a Q from the index: conditions become polars expressions with the oracle's semantics.

Semantics follow :mod:`lamingit.query.evaluate` exactly (None never matches but ``isnull`` and
``exact=None``; numbers compare with numbers, never with bools; string lookups apply to
``str(value)``). What the expressions cannot express exactly raises :class:`Unsupported`, and the
caller answers by scanning git instead.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

import msgspec
import polars as pl

from lamingit.index.rows import SEP, column_kinds, decode_records
from lamingit.index.store import IndexState, Part
from lamingit.models import BaseRecord
from lamingit.query.evaluate import compare
from lamingit.query.expr import Condition, Q
from lamingit.query.fields import SCHEMAS, FieldKind, resolve_path

_TEXT_OPS = frozenset(
    {
        "iexact",
        "contains",
        "icontains",
        "startswith",
        "istartswith",
        "endswith",
        "iendswith",
        "regex",
        "iregex",
    }
)
_CMP = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
_I64 = 2**63


class Unsupported(Exception):
    """The index cannot answer a condition exactly (the caller falls back to scanning git)."""


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _same_kind(kind: str, target: Any) -> bool:
    """Whether a stored value of ``kind`` can equal/compare with ``target`` (the oracle's rule)."""
    if isinstance(target, bool):
        return kind == "bool"
    if kind == "bool":
        return False
    if _is_num(target):
        return kind in ("int", "float")
    if isinstance(target, str):
        return kind == "str"
    return False


def _check_num(target: Any) -> None:
    if isinstance(target, int) and not isinstance(target, bool) and not -_I64 <= target < _I64:
        raise Unsupported("integer beyond 64 bits")


def _text(col: pl.Expr, kind: str) -> pl.Expr:
    if kind == "str":
        return col
    if kind == "int":
        return col.cast(pl.Utf8)
    if kind == "bool":
        return pl.when(col).then(pl.lit("True")).otherwise(pl.lit("False"))
    raise Unsupported(f"text lookups on a {kind} column")


def _text_op(text: pl.Expr, op: str, target: Any) -> pl.Expr:
    t = str(target)
    if op == "iexact":
        return text.str.to_lowercase() == t.lower()
    if op == "contains":
        return text.str.contains(t, literal=True)
    if op == "icontains":
        return text.str.to_lowercase().str.contains(t.lower(), literal=True)
    if op == "startswith":
        return text.str.starts_with(t)
    if op == "istartswith":
        return text.str.to_lowercase().str.starts_with(t.lower())
    if op == "endswith":
        return text.str.ends_with(t)
    if op == "iendswith":
        return text.str.to_lowercase().str.ends_with(t.lower())
    if op == "regex":
        return text.str.contains(t)
    if op == "iregex":
        return text.str.contains(f"(?i){t}")
    raise Unsupported(op)


def scalar_expr(col: pl.Expr, kind: str, op: str, target: Any) -> pl.Expr:
    """A boolean expression: does a column of ``kind`` satisfy ``op target``? (nulls → null)

    Example:
        >>> scalar_expr(pl.col("size"), "int", "gt", 10)  # doctest: +SKIP
    """
    if op == "present":
        return col.is_not_null()
    if op == "exact":
        if target is None:
            return col.is_null()
        if not _same_kind(kind, target):
            return pl.lit(False)
        _check_num(target)
        return col == pl.lit(target)
    if op in _CMP:
        if not _same_kind(kind, target):
            return pl.lit(False)
        _check_num(target)
        return _CMP[op](col, pl.lit(target))
    if op == "in":
        vals = [t for t in target if t is not None and _same_kind(kind, t)]
        if not vals:
            return pl.lit(False)
        if kind == "str":
            return col.is_in(vals)
        for v in vals:
            _check_num(v)
        return functools.reduce(operator.or_, [col == pl.lit(v) for v in vals])
    if op == "range":
        lo, hi = target
        if not _same_kind(kind, lo):
            return pl.lit(False)
        if not _same_kind(kind, hi):
            raise Unsupported("range bounds of different kinds")
        _check_num(lo)
        _check_num(hi)
        return (col >= pl.lit(lo)) & (col <= pl.lit(hi))
    if op in _TEXT_OPS:
        return _text_op(_text(col, kind), op, target)
    raise Unsupported(op)


def _needs_python(target: Any) -> bool:
    return isinstance(target, list | dict) or (
        isinstance(target, list) and any(isinstance(t, list | dict) for t in target)
    )


def _value_expr(op: str, target: Any) -> pl.Expr:
    """A boolean expression over value rows (columns kind, i, f, b, t) for scalar kinds."""
    kind = pl.col("kind")
    if op == "present":
        return kind != "null"
    if op in _TEXT_OPS:
        return kind.is_in(["int", "float", "bool", "str"]) & _text_op(pl.col("t"), op, target)
    if op == "in":
        parts = [_value_expr("exact", t) for t in target if t is not None]
        return functools.reduce(operator.or_, parts) if parts else pl.lit(False)
    if op == "range":
        lo, hi = target
        if _is_num(lo) and _is_num(hi):
            return _value_expr("gte", lo) & _value_expr("lte", hi)
        if isinstance(lo, str) and isinstance(hi, str):
            return (kind == "str") & (pl.col("t") >= lo) & (pl.col("t") <= hi)
        if isinstance(lo, bool) and isinstance(hi, bool):
            return (kind == "bool") & (pl.col("b") >= lo) & (pl.col("b") <= hi)
        if lo is None or not any(map(_is_num, (lo,))) and not isinstance(lo, str | bool):
            return pl.lit(False)
        raise Unsupported("range bounds of different kinds")
    if op == "exact" and target is None:
        return kind == "null"
    if op not in _CMP and op != "exact":
        raise Unsupported(op)
    fn = operator.eq if op == "exact" else _CMP[op]
    if isinstance(target, bool):
        return (kind == "bool") & fn(pl.col("b"), pl.lit(target))
    if _is_num(target):
        _check_num(target)
        return ((kind == "int") & fn(pl.col("i"), pl.lit(target))) | (
            (kind == "float") & fn(pl.col("f"), pl.lit(float(target)))
        )
    if isinstance(target, str):
        return (kind == "str") & fn(pl.col("t"), pl.lit(target))
    return pl.lit(False)


_JSON_DEC = msgspec.json.Decoder()


def value_rows(rows: pl.DataFrame, op: str, target: Any) -> pl.Series:
    """Row positions whose value satisfies ``op target`` (vectorized, plus Python for JSON)."""
    hit = rows.filter(_value_expr(op, target).fill_null(False)).get_column("row")
    if op == "present":
        return hit
    kinds = ["py"]
    if (
        op in _TEXT_OPS
        or _needs_python(target)
        or op == "in"
        and any(isinstance(t, list | dict) for t in target)
    ):
        kinds += ["list", "dict"]
    extra = rows.filter(pl.col("kind").is_in(kinds))
    if extra.height:
        found = [
            r
            for r, j in zip(extra.get_column("row"), extra.get_column("j"), strict=True)
            if compare(op, _JSON_DEC.decode(j), target)
        ]
        if found:
            hit = pl.concat([hit, pl.Series("row", found, dtype=hit.dtype)])
    return hit


class Evaluator:
    """Evaluates Q trees against one :class:`IndexState`.

    Example:
        >>> Evaluator(state).frames("artifact", Q(suffix=".csv"))  # doctest: +SKIP
    """

    def __init__(self, state: IndexState) -> None:
        self.state = state

    # -- results ----------------------------------------------------------------------------
    def masks(self, registry: str, q: Q) -> list[tuple[Part, pl.Series]]:
        """For each part of ``registry``: a boolean mask of the rows that match."""
        out = []
        for part in self.state.registries[registry].parts():
            if part.height == 0:
                continue
            expr = self._q(registry, part, q)
            alive = part.alive()
            if alive is not None:
                expr = expr & pl.lit(alive)
            frame = part.cols(["uid", *_columns(registry, q)])
            # with_columns broadcasts a constant expression to every row (select would not)
            out.append((part, frame.with_columns(expr.alias("_m")).get_column("_m")))
        return out

    def records(self, registry: str, q: Q) -> list[BaseRecord]:
        """The matching records, in uid order."""
        chosen = [(p, m) for p, m in self.masks(registry, q) if m.any()]
        if not chosen:
            return []
        if len(chosen) == 1:
            part, mask = chosen[0]
            blobs = part.json().filter(mask)
        else:
            frame = pl.concat(
                [
                    pl.DataFrame({"uid": p.cols(["uid"])["uid"].filter(m), "j": p.json().filter(m)})
                    for p, m in chosen
                ]
            ).sort("uid")
            blobs = frame.get_column("j")
        return decode_records(registry, blobs.to_list())

    def count(self, registry: str, q: Q) -> int:
        """How many records match."""
        return sum(int(m.sum()) for _, m in self.masks(registry, q))

    def uids(
        self, registry: str, steps: list[tuple[str, FieldKind, str]], op: str, target: Any
    ) -> pl.Series:
        """Uids of ``registry`` records for which ``steps`` reach a value satisfying ``op``."""
        found = []
        for part in self.state.registries[registry].parts():
            if part.height == 0:
                continue
            expr = self._steps(registry, part, steps, op, target).fill_null(False)
            alive = part.alive()
            if alive is not None:
                expr = expr & pl.lit(alive)
            frame = part.cols(["uid", *_step_columns(steps)])
            found.append(frame.filter(expr).get_column("uid"))
        return pl.concat(found) if found else pl.Series("uid", [], dtype=pl.Utf8)

    # -- translation ------------------------------------------------------------------------
    def _q(self, registry: str, part: Part, q: Q) -> pl.Expr:
        exprs = [
            self._q(registry, part, c) if isinstance(c, Q) else self._cond(registry, part, c)
            for c in q.children
        ]
        if q.connector == "AND":
            expr = functools.reduce(operator.and_, exprs) if exprs else pl.lit(True)
        else:
            expr = functools.reduce(operator.or_, exprs) if exprs else pl.lit(False)
        return ~expr if q.negated else expr

    def _cond(self, registry: str, part: Part, cond: Condition) -> pl.Expr:
        steps = resolve_path(registry, cond.path)
        if cond.op == "isnull" or (cond.op == "exact" and cond.value is None):
            # `field=None` means "has no value" (Django's rule), the same as field__isnull=True
            wants_null = bool(cond.value) if cond.op == "isnull" else True
            present = self._steps(registry, part, steps, "present", None).fill_null(False)
            return ~present if wants_null else present
        return self._steps(registry, part, steps, cond.op, cond.value).fill_null(False)

    def _steps(
        self,
        registry: str,
        part: Part,
        steps: list[tuple[str, FieldKind, str]],
        op: str,
        target: Any,
    ) -> pl.Expr:
        name, kind, _ = steps[0]
        rest = steps[1:]
        if kind is FieldKind.SCALAR:
            return scalar_expr(pl.col(name), column_kinds(registry)[name], op, target)
        if kind in (FieldKind.DICT, FieldKind.FEATURE):
            keys = [s[0] for s in rest]
            field, path = (
                (name, SEP.join(keys))
                if kind is FieldKind.DICT
                else ("features", SEP.join([name, *keys]))
            )
            rows = part.values.get((field, path))
            if rows is None:
                return pl.lit(False)
            return _mask(part, value_rows(rows, op, target))
        if kind is FieldKind.ONE:
            if not rest:
                return scalar_expr(pl.col(name), "str", op, target)
            target_registry = SCHEMAS[registry].relations[name][0]
            sub = self.uids(target_registry, rest, op, target)
            rows = part.cols([name]).with_row_index("_r")
            return _mask(part, _rows_in(rows, name, sub))
        # MANY: explode the uid lists, test each element, map back to row positions
        exploded = part.cols([name]).select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("_r"), name
        )
        exploded = exploded.explode(name)
        if rest:
            target_registry = SCHEMAS[registry].relations[name][0]
            sub = self.uids(target_registry, rest, op, target)
            return _mask(part, _rows_in(exploded, name, sub))
        if op == "present":
            elem = pl.col(name).is_not_null()
        else:
            elem = scalar_expr(pl.col(name), "str", op, target)
        return _mask(part, exploded.filter(elem.fill_null(False)).get_column("_r"))


def _step_columns(steps: list[tuple[str, FieldKind, str]]) -> list[str]:
    """Base-frame columns a path's first step reads (none for dict and feature values)."""
    name, kind, _ = steps[0]
    return [] if kind in (FieldKind.DICT, FieldKind.FEATURE) else [name]


def _columns(registry: str, q: Q) -> list[str]:
    """Every base-frame column of ``registry`` that ``q`` reads."""
    out: list[str] = []
    for cond in q.conditions():
        out.extend(_step_columns(resolve_path(registry, cond.path)))
    return out


def _rows_in(frame: pl.DataFrame, name: str, uids: pl.Series) -> pl.Series:
    """Column ``_r`` of the rows of ``frame`` whose ``name`` is one of ``uids``."""
    # A semi-join, not `is_in`: polars 1.0-1.27 refuse `is_in(uids.implode())` ("shapes don't
    # match") and 1.28+ deprecate `is_in(uids)`; the join means the same on both, and is faster.
    return frame.join(uids.to_frame(name), on=name, how="semi").get_column("_r")


def _mask(part: Part, rows: pl.Series) -> pl.Expr:
    mask = pl.repeat(False, part.height, eager=True)
    if len(rows):
        # unique and sorted: polars before 1.4x refuse unsorted indices (a join need not keep
        # row order) and mis-set repeated ones (a many-relation row matches once per element)
        mask.scatter(rows.unique().sort(), True)
    return pl.lit(mask)


__all__ = ["Evaluator", "Unsupported", "scalar_expr", "value_rows"]
