"""The validation engine of the curators: one DataFrame against column rules (pure pandas).

It reads nothing from a repository: categorical columns bring two callables (which of these
names are saved, and every saved name for "did you mean" suggestions), so the engine can be
tested alone and costs one lookup per distinct value, not a scan, when a dataset is valid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

Resolve = Callable[[list[str]], dict[str, str]]
"""Distinct values → ``{value: uid}`` for those that name a saved label or record."""
Names = Callable[[], list[str]]
"""Every saved name a categorical column may take (read only when a value fails)."""


@dataclass(frozen=True)
class ColumnRule:
    """What a schema asks of one column.

    Example:
        >>> ColumnRule("perturbation", "str").required
        True
    """

    name: str
    dtype: str
    nullable: bool = True
    required: bool = True
    resolve: Resolve | None = None
    names: Names | None = None
    label: str = ""
    """How categorical values are named in messages and fixes, e.g. ``ULabel`` or ``Record``."""
    coerce: bool = False
    """Cast this column to ``dtype`` when it does not fit (the feature's ``coerce=True``)."""
    default: Any = None
    """Fill a missing column and missing values with this (the feature's ``default_value``)."""
    synonyms: Callable[[], dict[str, str]] | None = None
    """Lower-cased synonym → the saved name it stands for (read only when a value fails)."""
    fix: str | None = None
    """How to fix case and spelling variants; default ``curator.cat.standardize(name)``."""
    save: str | None = None
    """How to save new terms; default ``{fix_hint}(name)`` of :func:`check_frame`."""


@dataclass
class Report:
    """What :func:`check_frame` found; ``problems`` is empty when the frame is valid."""

    frame: Any
    problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    wrong_dtype: dict[str, str] = field(default_factory=dict)
    non_validated: dict[str, list[str]] = field(default_factory=dict)
    suggestions: dict[str, dict[str, str]] = field(default_factory=dict)
    validated: dict[str, dict[str, str]] = field(default_factory=dict)
    """Categorical column → ``{value: uid}`` of the values that name saved records."""
    labels: dict[str, str] = field(default_factory=dict)
    """Categorical column → the label of what its values name (``ULabel``, ``Record``)."""
    coerced: list[str] = field(default_factory=list)
    """Columns cast to their feature's dtype (``frame`` is then a copy; the input is untouched)."""
    copied: bool = False
    """Whether ``frame`` is the engine's own copy (cast columns, filled defaults)."""
    column_synonyms: dict[str, str] = field(default_factory=dict)
    """Column → the feature it is a synonym (or case variant) of: what
    ``curator.cat.standardize("columns")`` renames."""

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.problems

    def message(self, what: str) -> str:
        """One line naming every problem, for ``ValidationError``.

        Example:
            >>> Report(None, ["column 'donor' is missing"]).message("the DataFrame")
            "the DataFrame does not validate: column 'donor' is missing"
        """
        return f"{what} does not validate: " + "; ".join(self.problems)


def _kind(series: pd.Series) -> str:
    return str(series.dtype)


def dtype_fits(series: pd.Series, dtype: str) -> bool:
    """Whether a column's values have the feature dtype (nulls are judged elsewhere).

    Example:
        >>> import pandas as pd
        >>> dtype_fits(pd.Series([1, 2]), "float"), dtype_fits(pd.Series(["a"]), "int")
        (True, False)
    """
    import pandas as pd
    from pandas.api import types as pt

    kind = series.dtype
    # Cheap dtype tests first: a valid column never pays for a pass over its values in Python.
    if dtype in ("float", "num"):
        return bool(pt.is_numeric_dtype(kind)) and not pt.is_bool_dtype(kind)
    if dtype == "int":
        if pt.is_integer_dtype(kind):
            return True
        if not pt.is_float_dtype(kind) or not series.isna().any():
            return False
        values = series.dropna()  # pandas stores an int column with nulls as float
        return bool((values == values.round()).all())
    if dtype == "str" or dtype.startswith("cat["):
        if isinstance(kind, pd.CategoricalDtype):
            return pt.infer_dtype(series.cat.categories) in ("string", "empty")
        return bool(pt.is_string_dtype(kind)) and pt.infer_dtype(series, skipna=True) in (
            "string",
            "empty",
        )
    if dtype == "datetime":
        return bool(pt.is_datetime64_any_dtype(kind))
    if dtype == "bool":
        return bool(pt.is_bool_dtype(kind)) or pt.infer_dtype(series, skipna=True) == "boolean"
    items = series.dropna().tolist()
    if dtype == "date":
        import datetime as dt

        if pt.is_datetime64_any_dtype(kind):
            return True
        return all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in items)
    if dtype == "dict":
        return all(isinstance(v, dict) for v in items)
    if dtype.startswith("list["):
        return all(isinstance(v, list | tuple) for v in items)
    return False


def coerce_column(series: pd.Series, dtype: str) -> pd.Series | None:
    """The column cast to ``dtype``, or None when a value cannot be cast.

    Example:
        >>> import pandas as pd
        >>> coerce_column(pd.Series(["1", "2"]), "int").tolist()
        [1, 2]
    """
    import pandas as pd

    try:
        if dtype == "int":
            return pd.to_numeric(series, errors="raise").astype("Int64")
        if dtype in ("float", "num"):
            return pd.to_numeric(series, errors="raise").astype(float)
        if dtype == "str":
            return series.astype(str).where(series.notna(), None)
        if dtype.startswith("cat["):
            return series.astype("category")
        if dtype == "datetime":
            return pd.to_datetime(series, errors="raise")
        if dtype == "date":
            return pd.to_datetime(series, errors="raise").dt.date
        if dtype == "bool" and set(series.dropna().unique()) <= {0, 1}:  # True == 1, False == 0
            return series.astype(bool)
    except (ValueError, TypeError):
        return None
    return None


def suggest(value: str, names: Sequence[str]) -> str | None:
    """The saved name closest to ``value`` (case and spacing first, then spelling).

    Example:
        >>> suggest("B-cell", ["B cell", "T cell"]), suggest("t cell", ["B cell", "T cell"])
        ('B cell', 'T cell')
    """
    norm = _normal(value)
    for name in names:
        if _normal(name) == norm:
            return name
    import difflib  # a suggestion for a value no name matches: not loaded with ln.Artifact

    close = difflib.get_close_matches(value, list(names), n=1, cutoff=0.6)
    return close[0] if close else None


def canonical(value: str, names: Sequence[str]) -> str | None:
    """The saved name ``value`` is a variant of (same letters and digits, ignoring case,
    spaces and punctuation), or None: what ``curator.cat.standardize()`` replaces.

    Example:
        >>> canonical("b-cell", ["B cell"]), canonical("B cel", ["B cell"])
        ('B cell', None)
    """
    norm = _normal(value)
    if not norm:
        return None
    matches = [name for name in names if _normal(name) == norm]
    return matches[0] if len(matches) == 1 else None


def _normal(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _show(values: Sequence[Any], limit: int = 20) -> str:
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", … ({len(values) - limit} more)" if len(values) > limit else "")


def _categories(series: pd.Series) -> list[str]:
    from pandas.api.types import infer_dtype

    values = series.dropna()
    if infer_dtype(values, skipna=True) in ("string", "categorical", "empty"):
        return sorted({str(v) for v in values.unique()})  # the common case, in C
    out: set[str] = set()
    for v in values.tolist():
        if isinstance(v, list | tuple):
            out.update(str(x) for x in v)
        else:
            out.add(str(v))
    return sorted(out)


def check_frame(
    frame: pd.DataFrame,
    rules: Sequence[ColumnRule],
    *,
    maximal_set: bool = False,
    ordered_set: bool = False,
    coerce: bool = False,
    fix_hint: str = "curator.cat.add_new_from",
    column_synonyms: dict[str, str] | None = None,
) -> Report:
    """Check every column of ``frame`` against ``rules``; collect every problem.

    Columns without a rule are allowed unless ``maximal_set``. With ``coerce`` a column of
    another dtype is cast where every value can be (the report's ``frame`` is the cast copy).
    ``column_synonyms`` (column → feature name) turn a missing column into a rename hint.

    Example:
        >>> import pandas as pd
        >>> r = check_frame(pd.DataFrame({"a": ["x"]}), [ColumnRule("a", "int")])
        >>> r.problems
        ["column 'a' has dtype object, expected int"]
    """
    report = Report(frame, column_synonyms=dict(column_synonyms or {}))
    names = [r.name for r in rules]
    present = [str(c) for c in frame.columns]
    if len(set(present)) != len(present):
        dup = sorted({c for c in present if present.count(c) > 1})
        report.problems.append(f"duplicate column(s) {_show(dup)}; rename them")
    for rule in rules:
        if rule.default is None:
            continue
        series = report.frame[rule.name] if rule.name in present else None
        if series is None or bool(series.isna().any()):
            _own_copy(report)
            if series is None:
                report.frame[rule.name] = rule.default
                present.append(rule.name)
            else:
                report.frame[rule.name] = series.fillna(rule.default)
    for rule in rules:
        if rule.name not in present and rule.required:
            report.missing.append(rule.name)
    if report.missing:
        renames = {c: f for c, f in report.column_synonyms.items() if f in report.missing}
        hint = (
            " ("
            + ", ".join(f"{c!r} is a synonym of {f!r}" for c, f in renames.items())
            + " → curator.cat.standardize('columns') renames them)"
            if renames
            else ""
        )
        report.problems.append(f"column(s) {_show(report.missing)} missing{hint}")
    if maximal_set:
        report.unexpected = [c for c in present if c not in names]
        if report.unexpected:
            report.problems.append(
                f"column(s) {_show(report.unexpected)} not in the schema (maximal_set=True)"
            )
    if ordered_set:
        order = [c for c in present if c in names]
        if order != [n for n in names if n in present]:
            report.problems.append(f"columns are not in the schema's order {_show(names)}")
    for rule in rules:
        if rule.name not in present:
            continue
        _check_column(report, rule, coerce, fix_hint)
    return report


def _own_copy(report: Report) -> None:
    """Let the report change its frame: a copy, made once (never the user's DataFrame)."""
    if not report.copied:
        report.frame = report.frame.copy()
        report.copied = True


def _check_column(report: Report, rule: ColumnRule, coerce: bool, fix_hint: str) -> None:
    series = report.frame[rule.name]
    coerce = coerce or rule.coerce
    if not dtype_fits(series, rule.dtype):
        cast = coerce_column(series, rule.dtype) if coerce else None
        if cast is None:
            report.wrong_dtype[rule.name] = _kind(series)
            hint = "" if coerce else " (pass coerce_dtype=True to the Schema to cast it)"
            report.problems.append(
                f"column {rule.name!r} has dtype {_kind(series)}, expected {rule.dtype}{hint}"
            )
            return
        _own_copy(report)
        report.coerced.append(rule.name)
        report.frame[rule.name] = cast
        series = cast
    nulls = 0 if rule.nullable else int(series.isna().sum())
    if nulls:
        report.problems.append(f"column {rule.name!r} has {nulls} null value(s) (nullable=False)")
    if rule.resolve is None:
        return
    values = _categories(series)
    found = rule.resolve(values) if values else {}
    report.validated[rule.name] = found
    report.labels[rule.name] = rule.label
    bad = [v for v in values if v not in found]
    if not bad:
        return
    report.non_validated[rule.name] = bad
    saved = rule.names() if rule.names is not None else []
    synonyms = rule.synonyms() if rule.synonyms is not None else {}
    hints = {v: s for v in bad if (s := synonyms.get(v.lower()) or suggest(v, saved)) is not None}
    report.suggestions[rule.name] = hints
    shown = ", ".join(
        f"{v!r} (synonym of {hints[v]!r})"
        if v.lower() in synonyms
        else f"{v!r} (did you mean {hints[v]!r}?)"
        if v in hints
        else repr(v)
        for v in bad[:20]
    )
    more = f", … ({len(bad) - 20} more)" if len(bad) > 20 else ""
    fixable = any(v.lower() in synonyms or canonical(v, saved) is not None for v in bad)
    how = rule.fix or f"curator.cat.standardize({rule.name!r})"
    fix = f"{how} fixes case and spelling variants; " if fixable else "fix typos, remove them, or "
    report.problems.append(
        f"{len(bad)} term(s) not validated in feature {rule.name!r} "
        f"({rule.label or 'categorical'}): {shown}{more} → {fix}"
        f"save new terms: {rule.save or f'{fix_hint}({rule.name!r})'}"
    )


__all__ = [
    "ColumnRule",
    "Report",
    "canonical",
    "check_frame",
    "coerce_column",
    "dtype_fits",
    "suggest",
]
