"""``index.page``: one sorted page of matches equals sorting every match and slicing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamingit import index
from lamingit.index import Unsupported
from lamingit.models import ArtifactRecord
from lamingit.query import Q
from lamingit.query.search import search_rank
from lamingit.records import ChangeSet
from lamingit.repo import Repository

AUTHOR = ("prop", "prop@example.org")
rows = st.lists(
    st.tuples(st.integers(0, 5), st.sampled_from([None, "a", "b", "B", "c"]), st.booleans()),
    min_size=0,
    max_size=30,
)


def _save(repo: Repository, specs: list[tuple[int, str | None, bool]], start: int) -> None:
    def build(changes: ChangeSet) -> None:
        for i, (size, key, trashed) in enumerate(specs):
            changes.put(
                ArtifactRecord(
                    uid=f"U{start + i:015d}0000",
                    key=key,
                    size=size,
                    trashed=trashed,
                    created_at=f"2026-01-01T00:00:{(start + i) % 60:02d}+00:00",
                    created_by="u",
                ),
                "put",
            )

    repo.transact(build, author=AUTHOR)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=rows,
    second=rows,
    order=st.sampled_from(["size", "-size", "key", "-key", "created_at", "-created_at"]),
    offset=st.integers(0, 40),
    limit=st.integers(1, 10),
    text=st.sampled_from([None, "a", "B", " "]),
)
def test_page_is_the_slice_of_the_full_sort(
    first: list[tuple[int, str | None, bool]],
    second: list[tuple[int, str | None, bool]],
    order: str,
    offset: int,
    limit: int,
    text: str | None,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repository.init(Path(tmp) / "r", author=AUTHOR)
        _save(repo, first, 0)
        index.count(repo.snapshot(), "artifact", Q())  # the index's base part: this commit
        # a second commit (replacing some records) lands in the overlay: pages merge both
        _save(repo, second, len(first) // 2)
        snapshot = repo.snapshot()
        q = Q(trashed=False)
        everything = index.select(snapshot, "artifact", q)
        column, desc = order.lstrip("-"), order.startswith("-")
        present = sorted(
            (r for r in everything if getattr(r, column) is not None),
            key=lambda r: (getattr(r, column), r.uid),
            reverse=desc,
        )
        expected = present + sorted(
            (r for r in everything if getattr(r, column) is None), key=lambda r: r.uid, reverse=desc
        )
        if text is not None and text.strip():
            # ranked (the table's search): best match first, no match last, stable within
            expected.sort(key=lambda r: _rank_or_last(r.key, text))
        total, page = index.page(snapshot, "artifact", q, order, offset, limit, rank=text)
        assert total == len(everything)
        assert [r.uid for r in page] == [r.uid for r in expected[offset : offset + limit]]


def _rank_or_last(key: str | None, text: str) -> int:
    rank = search_rank([key], text)
    return 4 if rank is None else rank


def test_page_refuses_a_column_it_cannot_sort(repo: Path) -> None:
    r = Repository(repo)
    _save(r, [(1, "a", False)], 0)
    with pytest.raises(Unsupported, match="cannot order"):
        index.page(r.snapshot(), "artifact", Q(), "features", 0, 10)
