"""Property: polars ranks whole columns exactly as the per-record reference ranks each text."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lamingit.index.rank import rank_expr, ranked
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
