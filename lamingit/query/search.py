"""Ranking for text search: exact > whole word > word prefix > substring, case-insensitive.

The per-record reference of the ranking; queries rank whole columns in polars
(``lamingit/index/rank.py``, which uses :func:`ranker` for a few rows) and the tests check
both agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

SEARCH_FIELDS: tuple[str, ...] = ("name", "key", "description", "handle")


def ranker(query: str) -> Callable[[Sequence[str | None]], int | None] | None:
    """The rank function of ``query`` (patterns compiled once), or None for an empty query.

    Example:
        >>> rank = ranker("p53")
        >>> rank(["P53mutant1"]), rank(["xp53", "p53"]), rank(["other"])
        (2, 0, None)
    """
    q = query.strip().lower()
    if not q:
        return None
    word = re.compile(rf"(?<![a-z0-9]){re.escape(q)}(?![a-z0-9])").search
    prefix = re.compile(rf"(?<![a-z0-9]){re.escape(q)}").search

    def rank(texts: Sequence[str | None]) -> int | None:
        best: int | None = None
        for text in texts:
            if not text:
                continue
            t = text.lower()
            if q not in t:
                continue
            if t == q:
                return 0
            rank = 1 if word(t) else 2 if prefix(t) else 3
            best = rank if best is None else min(best, rank)
        return best

    return rank


def search_rank(texts: list[str | None], query: str) -> int | None:
    """Rank how well any of ``texts`` matches ``query``: 0 best … 3, None for no match.

    Example:
        >>> search_rank(["P53mutant1"], "p53")
        2
        >>> search_rank(["p53"], "P53")
        0
    """
    rank = ranker(query)
    return None if rank is None else rank(texts)
