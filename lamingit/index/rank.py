"""Search ranking in polars: exact > whole word > word prefix > substring, case-insensitive.

The same ranks as :func:`lamingit.query.search.search_rank` (the per-record reference), computed
for a whole column at once; the cheap literal substring test runs first, the regexes only on the
rows it keeps (a few rows are ranked by the reference itself: cheaper than building the query).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from lamingit.query.search import ranker

_ALNUM = "[^a-z0-9]"
FEW = 512
"""Up to this many matching rows are ranked in Python (a polars query costs ~1 ms to build)."""


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
    return with_rank(frame.filter(hit_expr(fields, text)), fields, text)


def with_rank(frame: pl.DataFrame, fields: list[str], text: str) -> pl.DataFrame:
    """``frame`` plus its rank in ``_rank``, rows that do not match dropped.

    Meant for rows already found to contain ``text`` (``hit_expr``): up to :data:`FEW` of
    them are ranked by the per-record reference, more in polars.

    Example:
        >>> with_rank(pl.DataFrame({"key": ["a.csv", "b"]}), ["key"], "a")["_rank"].to_list()
        [1]
    """
    rank = ranker(text)
    fields = [f for f in fields if f in frame.columns]
    if rank is None or not fields:
        return frame.head(0).with_columns(pl.lit(None, dtype=pl.UInt8).alias("_rank"))
    ranks: pl.Expr | pl.Series
    if frame.height > FEW:
        ranks = rank_expr(fields, text)
    else:
        ranks = pl.Series(_python_ranks(frame, fields, rank), dtype=pl.UInt8)
    return frame.with_columns(ranks.alias("_rank")).filter(pl.col("_rank").is_not_null())


def best_first(frame: pl.DataFrame, fields: list[str], text: str) -> pl.DataFrame:
    """The rows of ``frame`` matching ``text``, best rank first, then by ``created_at``, ``uid``.

    Up to :data:`FEW` rows are ranked and sorted in Python, with polars' order (nulls
    first; strings compare by code point, as UTF-8 bytes do).

    Example:
        >>> rows = pl.DataFrame({"uid": ["b", "a"], "created_at": ["1", "1"], "key": ["xa", "a"]})
        >>> best_first(rows, ["key"], "a")["uid"].to_list()
        ['a', 'b']
    """
    rank = ranker(text)
    fields = [f for f in fields if f in frame.columns]
    if rank is None or not fields or frame.height > FEW:
        ranked_rows = with_rank(frame, fields, text)
        return ranked_rows.sort(["_rank", "created_at", "uid"]).drop("_rank")
    ranks = _python_ranks(frame, fields, rank)
    created = frame.get_column("created_at").to_list()
    uids = frame.get_column("uid").to_list()

    def key(i: int) -> tuple[int, bool, str, str]:
        return ranks[i] or 0, created[i] is not None, created[i] or "", uids[i]

    order = sorted((i for i, r in enumerate(ranks) if r is not None), key=key)
    return frame[order] if order else frame.head(0)


def _python_ranks(
    frame: pl.DataFrame, fields: list[str], rank: Callable[[Sequence[str | None]], int | None]
) -> list[int | None]:
    texts = zip(*(frame.get_column(f).to_list() for f in fields), strict=True)
    return [rank(row) for row in texts]
