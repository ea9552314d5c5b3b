"""Search ranking in polars: exact > whole word > word prefix > substring, case-insensitive.

The same ranks as :func:`lamingit.query.search.search_rank` (the per-record reference), computed
for a whole column at once; the cheap literal substring test runs first, the regexes only on the
rows it keeps.
"""

from __future__ import annotations

import polars as pl

_ALNUM = "[^a-z0-9]"


def _escaped(text: str) -> str:
    """``text`` as a literal of Rust's regex syntax (every non-alphanumeric as ``\\x{…}``)."""
    return "".join(c if c.isascii() and c.isalnum() else f"\\x{{{ord(c):x}}}" for c in text)


def rank_expr(fields: list[str], text: str) -> pl.Expr:
    """The best rank (0 exact … 3 substring) of ``text`` over string columns; null: no match.

    Example:
        >>> frame = pl.DataFrame({"name": ["p53", "P53mutant1", "xp53", "other"]})
        >>> frame.select(rank_expr(["name"], "P53")).to_series().to_list()
        [0, 2, 3, None]
    """
    q = text.strip().lower()
    if not q or not fields:
        return pl.lit(None, dtype=pl.UInt8)
    lit = _escaped(q)
    word = f"(?:^|{_ALNUM}){lit}(?:{_ALNUM}|$)"
    prefix = f"(?:^|{_ALNUM}){lit}"
    ranks = []
    for field in fields:
        t = pl.col(field).str.to_lowercase()
        ranks.append(
            pl.when(~t.str.contains(q, literal=True).fill_null(False))
            .then(None)
            .when(t == q)
            .then(pl.lit(0, dtype=pl.UInt8))
            .when(t.str.contains(word))
            .then(pl.lit(1, dtype=pl.UInt8))
            .when(t.str.contains(prefix))
            .then(pl.lit(2, dtype=pl.UInt8))
            .otherwise(pl.lit(3, dtype=pl.UInt8))
        )
    return pl.min_horizontal(ranks)


def hit_expr(fields: list[str], text: str) -> pl.Expr:
    """Whether any of ``fields`` contains ``text`` (lowercased): the rows that get a rank.

    Example:
        >>> pl.DataFrame({"key": ["A.csv", None]}).select(hit_expr(["key"], "a"))["key"].to_list()
        [True, False]
    """
    q = text.strip().lower()
    if not q or not fields:
        return pl.lit(False)
    return pl.any_horizontal(
        [pl.col(f).str.to_lowercase().str.contains(q, literal=True) for f in fields]
    ).fill_null(False)


def ranked(frame: pl.DataFrame, fields: list[str], text: str) -> pl.DataFrame:
    """``frame``'s rows matching ``text`` in any of ``fields``, with their rank in ``_rank``.

    Example:
        >>> ranked(pl.DataFrame({"key": ["a.csv", "b"]}), ["key"], "a").height
        1
    """
    q = text.strip().lower()
    fields = [f for f in fields if f in frame.columns]
    if not q or not fields:
        return frame.head(0).with_columns(pl.lit(None, dtype=pl.UInt8).alias("_rank"))
    return frame.filter(hit_expr(fields, text)).with_columns(rank_expr(fields, text).alias("_rank"))
