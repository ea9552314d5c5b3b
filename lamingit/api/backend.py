"""Answering a Q over a snapshot: from the Parquet index when available, else by scanning git."""

from __future__ import annotations

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
    return scan(snapshot, registry, q)
