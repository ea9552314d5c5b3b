"""The query router: answer a Q from the Parquet index if it can, else by scanning git."""

from __future__ import annotations

from lamingit._log import logger
from lamingit.models import BaseRecord
from lamingit.query import Q, matches
from lamingit.records import Snapshot


def scan(snapshot: Snapshot, registry: str, q: Q) -> list[BaseRecord]:
    """Brute force: decode every record of ``registry`` and test it (the reference answer).

    Example:
        >>> scan(snapshot, "artifact", Q(suffix=".csv"))  # doctest: +SKIP
    """
    found = [r for r in snapshot.iter_records(registry) if matches(r, q, snapshot)]
    found.sort(key=lambda r: r.uid)
    return found


def select(snapshot: Snapshot, registry: str, q: Q) -> list[BaseRecord]:
    """Records of ``registry`` satisfying ``q`` at ``snapshot``, in uid order.

    Example:
        >>> select(snapshot, "artifact", Q(key="a.csv"))  # doctest: +SKIP
    """
    from lamingit import index

    try:
        return index.select(snapshot, registry, q)
    except index.Unsupported as exc:
        logger.debug(f"query answered by scanning git ({exc})")
        return scan(snapshot, registry, q)


def count(snapshot: Snapshot, registry: str, q: Q) -> int:
    """How many records of ``registry`` satisfy ``q`` (without materializing them).

    Example:
        >>> count(snapshot, "artifact", Q(size__gt=0))  # doctest: +SKIP
    """
    from lamingit import index

    try:
        return index.count(snapshot, registry, q)
    except index.Unsupported:
        return len(scan(snapshot, registry, q))
