"""Ranking for text search: exact > whole word > word prefix > substring, case-insensitive.

The per-record reference of the ranking; queries rank whole columns in polars
(``lamingit/index/rank.py``) and the tests check both agree.
"""

from __future__ import annotations

import re

SEARCH_FIELDS: tuple[str, ...] = ("name", "key", "description", "handle")


def search_rank(texts: list[str | None], query: str) -> int | None:
    """Rank how well any of ``texts`` matches ``query``: 0 best … 3, None for no match.

    Example:
        >>> search_rank(["P53mutant1"], "p53")
        2
        >>> search_rank(["p53"], "P53")
        0
    """
    q = query.strip().lower()
    if not q:
        return None
    best: int | None = None
    for text in texts:
        if not text:
            continue
        t = text.lower()
        if t == q:
            rank = 0
        elif re.search(rf"(?<![a-z0-9]){re.escape(q)}(?![a-z0-9])", t):
            rank = 1
        elif re.search(rf"(?<![a-z0-9]){re.escape(q)}", t):
            rank = 2
        elif q in t:
            rank = 3
        else:
            continue
        best = rank if best is None else min(best, rank)
    return best
