"""The Parquet query index (the only polars user): answers Q trees as of any commit.

``select`` / ``count`` raise :class:`Unsupported` when a query cannot be answered exactly from
the index; callers then scan git (``lamingit.router.scan``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from lamingit.index.evaluate import Evaluator, Unsupported
from lamingit.index.rows import build_frames, partition_values
from lamingit.index.store import IndexState, Part, Progress, RegistryIndex, RepoIndex
from lamingit.index.table import FrameSpec, ResultFrame, result_frame, selected
from lamingit.models import BaseRecord
from lamingit.query import Q, matches
from lamingit.records import Snapshot

T = TypeVar("T")


def index_of(snapshot: Snapshot) -> RepoIndex:
    """The index of the repository the snapshot was taken from (``Repository.index``).

    A snapshot made without a repository (``Snapshot(git, commit)``) has none: ``Unsupported``,
    and the caller scans git.

    Example:
        >>> index_of(repo.snapshot()) is repo.index  # doctest: +SKIP
        True
    """
    if snapshot.owner is None:
        raise Unsupported("the snapshot was not taken from a repository: no index to ask")
    return snapshot.owner.index


def state_for(snapshot: Snapshot) -> IndexState:
    """The index as of the snapshot's commit (caught up or derived as needed).

    Example:
        >>> state_for(repo.snapshot()).commit == repo.snapshot().commit  # doctest: +SKIP
        True
    """
    assert snapshot.commit is not None
    return index_of(snapshot).state(snapshot.commit)


def build(snapshot: Snapshot, progress: Progress | None = None) -> None:
    """Build the snapshot's index from git in bulk now (``clone`` does, so the first query is fast).

    Example:
        >>> build(repo.snapshot())  # doctest: +SKIP
    """
    if snapshot.commit is not None:
        index_of(snapshot).build(snapshot.commit, progress)


def select(snapshot: Snapshot, registry: str, q: Q) -> list[BaseRecord]:
    """Records of ``registry`` satisfying ``q`` at the snapshot, in uid order.

    Example:
        >>> select(repo.snapshot(), "artifact", Q(size__gt=0))  # doctest: +SKIP
    """
    if snapshot.commit is None:
        return []
    return _run(lambda ev: ev.records(registry, q), snapshot)


def count(snapshot: Snapshot, registry: str, q: Q) -> int:
    """How many records of ``registry`` satisfy ``q`` at the snapshot.

    Example:
        >>> count(repo.snapshot(), "artifact", Q())  # doctest: +SKIP
    """
    if snapshot.commit is None:
        return 0
    return _run(lambda ev: ev.count(registry, q), snapshot)


def page(
    snapshot: Snapshot,
    registry: str,
    q: Q,
    order: str,
    offset: int,
    limit: int,
    rank: str | None = None,
) -> tuple[int, list[BaseRecord]]:
    """How many records match ``q``, and one page of them sorted by column ``order``.

    ``order`` is a scalar column (``-`` prefix: descending; ties broken by uid). With
    ``rank`` (a search text), rows whose search fields match it better come first (exact >
    word > prefix > substring > no match, as ``search``), ``order`` sorts within a rank.
    Only the page's records are decoded, so a page of a 100k-record registry costs little
    more than counting it.

    Example:
        >>> total, rows = page(repo.snapshot(), "artifact", Q(), "-created_at", 0, 50)  # doctest: +SKIP
    """
    if snapshot.commit is None:
        return 0, []
    return _run(lambda ev: _page(ev, registry, q, order, (offset, limit), rank), snapshot)


def _page(
    ev: Evaluator, registry: str, q: Q, order: str, window: tuple[int, int], rank: str | None
) -> tuple[int, list[BaseRecord]]:
    import polars as pl

    from lamingit.index.rank import rank_expr
    from lamingit.index.rows import column_kinds, decode_records
    from lamingit.query.search import SEARCH_FIELDS

    offset, limit = window
    kinds = column_kinds(registry)
    column = order.lstrip("-")
    if kinds.get(column) not in ("str", "int", "float", "bool"):
        raise Unsupported(f"cannot order {registry} by {column!r}")
    searched = [f for f in SEARCH_FIELDS if f in kinds] if rank and rank.strip() else []
    frames = []
    for part, mask in ev.masks(registry, q):
        if not mask.any():
            continue
        cols = part.cols(list(dict.fromkeys(["uid", column, *searched]))).with_row_index("_row")
        frames.append((part, cols.filter(mask)))
    total = sum(f.height for _, f in frames)
    if not frames:
        return total, []
    tagged = pl.concat(
        [f.with_columns(pl.lit(i).alias("_part")) for i, (_, f) in enumerate(frames)]
    )
    desc = order.startswith("-")
    if searched:
        assert rank is not None
        # no match ranks after every match (4); within a rank, the order column as asked
        ranked = tagged.with_columns(rank_expr(searched, rank).fill_null(4).alias("_rank"))
        by = ["_rank", column, "uid"]
        chosen = ranked.sort(by, descending=[False, desc, desc], nulls_last=True)
    else:
        # A partial sort of the first offset+limit rows: several times cheaper than sorting
        # all 100k when the page is near the start, as it nearly always is.
        by = [column, "uid"]
        top = (
            tagged.top_k(offset + limit, by=by) if desc else tagged.bottom_k(offset + limit, by=by)
        )
        chosen = top.sort(by, descending=[desc, desc], nulls_last=True)
    chosen = chosen.slice(offset, limit)
    blobs = [frames[p][0].json()[r] for p, r in zip(chosen["_part"], chosen["_row"], strict=True)]
    return total, decode_records(registry, blobs)


def frame(snapshot: Snapshot, registry: str, q: Q, spec: FrameSpec) -> ResultFrame:
    """Records of ``registry`` matching ``q`` as columns (``to_dataframe``, ``to_polars``).

    Built from the index; a query it cannot answer exactly is answered from the records
    themselves (a scan of git), turned into the same columns.

    Example:
        >>> frame(repo.snapshot(), "artifact", Q(), FrameSpec(limit=5)).to_pandas()  # doctest: +SKIP
    """
    if snapshot.commit is not None:
        try:
            return _run(lambda ev: result_frame(ev.state, registry, q, spec, snapshot), snapshot)
        except Unsupported:
            pass
    return result_frame(_scanned(snapshot, registry, q), registry, Q(), spec, snapshot)


def ordered_records(snapshot: Snapshot, registry: str, q: Q, spec: FrameSpec) -> list[BaseRecord]:
    """Records matching ``q`` ranked/ordered/limited by ``spec``; only those returned are decoded.

    Example:
        >>> ordered_records(snap, "record", Q(), FrameSpec(rank="p53", limit=1))  # doctest: +SKIP
    """
    if snapshot.commit is not None:
        try:
            return _run(
                lambda ev: selected(ev.state, registry, q, spec).records(snapshot), snapshot
            )
        except Unsupported:
            pass
    return selected(_scanned(snapshot, registry, q), registry, Q(), spec).records()


def _scanned(snapshot: Snapshot, registry: str, q: Q) -> IndexState:
    """An in-memory index of just the records matching ``q`` (found by scanning git)."""
    found = [r for r in snapshot.iter_records(registry) if matches(r, q, snapshot)]
    base, values = build_frames(registry, found)
    part = Part(base, partition_values(values))
    return IndexState(snapshot.commit or "", {registry: RegistryIndex(registry, part)})


def _run(fn: Callable[[Evaluator], T], snapshot: Snapshot) -> T:
    import polars as pl

    for attempt in range(2):
        try:
            # Catching up may compact, which reads the loaded base: it belongs inside the retry.
            return fn(Evaluator(state_for(snapshot)))
        except OSError as exc:
            # Files of the loaded index vanished (a compaction or reindex by another process,
            # or the directory was deleted): drop the in-memory index and load it afresh once.
            index_of(snapshot).forget()
            if attempt:
                raise Unsupported(f"index files unreadable: {exc}") from None
        except (pl.exceptions.PolarsError, OverflowError, TypeError) as exc:
            # e.g. a regex the Rust engine rejects, or a value polars cannot type exactly
            raise Unsupported(str(exc)) from None
    raise AssertionError("unreachable")


__all__ = [
    "FrameSpec",
    "ResultFrame",
    "frame",
    "ordered_records",
    "IndexState",
    "Progress",
    "RepoIndex",
    "build",
    "Unsupported",
    "count",
    "index_of",
    "page",
    "select",
    "state_for",
]
