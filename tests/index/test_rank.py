"""Property: polars ranks whole columns exactly as the per-record reference ranks each text."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lamingit.index import rank as rank_module
from lamingit.index.rank import best_first, rank_expr, ranked
from lamingit.query.search import search_rank

ALPHABET = st.sampled_from(list("abAB09 -_./()[]*+?^$\\|{}#é\nß"))
texts = st.one_of(st.none(), st.text(ALPHABET, max_size=12))


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(texts, texts), min_size=1, max_size=8),
    query=st.text(ALPHABET, max_size=5),
)
def test_rank_expr_equals_search_rank(
    rows: list[tuple[str | None, str | None]], query: str
) -> None:
    frame = pl.DataFrame(
        {"key": [r[0] for r in rows], "description": [r[1] for r in rows]},
        schema={"key": pl.Utf8, "description": pl.Utf8},
    )
    expected = [search_rank([k, d], query) for k, d in rows]
    got = frame.with_columns(rank_expr(["key", "description"], query).alias("r"))["r"].to_list()
    assert got == expected
    kept = ranked(frame.with_row_index("n"), ["key", "description"], query)
    assert kept["n"].to_list() == [i for i, e in enumerate(expected) if e is not None]
    assert kept["_rank"].to_list() == [e for e in expected if e is not None]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(texts, texts, st.sampled_from(["1", "2", "é", None])), max_size=10),
    query=st.text(ALPHABET, max_size=4),
)
def test_best_first_in_python_equals_polars(
    rows: list[tuple[str | None, str | None, str | None]], query: str
) -> None:
    """A few rows are ranked and sorted in Python; many in polars: the same order either way."""
    frame = pl.DataFrame(
        {
            "uid": [f"u{len(rows) - i:02d}" for i in range(len(rows))],
            "key": [r[0] for r in rows],
            "description": [r[1] for r in rows],
            "created_at": [r[2] for r in rows],
        },
        schema={"uid": pl.Utf8, "key": pl.Utf8, "description": pl.Utf8, "created_at": pl.Utf8},
    )
    few = best_first(frame, ["key", "description"], query)
    saved = rank_module.FEW
    rank_module.FEW = -1  # every frame counts as many: the polars path
    try:
        many = best_first(frame, ["key", "description"], query)
    finally:
        rank_module.FEW = saved
    assert few.to_dicts() == many.to_dicts()
    expected = [
        (search_rank([k, d], query), c is not None, c or "", f"u{len(rows) - i:02d}")
        for i, (k, d, c) in enumerate(rows)
    ]
    assert few["uid"].to_list() == [e[3] for e in sorted(e for e in expected if e[0] is not None)]
