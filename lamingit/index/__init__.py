"""The Parquet query index (the only polars user): answers Q trees as of any commit.

``select`` / ``count`` raise :class:`Unsupported` when a query cannot be answered exactly from
the index; callers then scan git (``lamingit.router.scan``).
"""

from __future__ import annotations

from lamingit.index.evaluate import Evaluator, Unsupported
from lamingit.index.store import IndexState, RepoIndex
from lamingit.models import BaseRecord
from lamingit.query import Q
from lamingit.records import Snapshot


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


def _run(fn, snapshot: Snapshot):  # type: ignore[no-untyped-def]
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
    "IndexState",
    "RepoIndex",
    "Unsupported",
    "count",
    "index_of",
    "select",
    "state_for",
]
