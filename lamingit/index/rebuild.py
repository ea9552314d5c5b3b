"""Building the index from git in bulk: record blobs streamed in chunks, decoded, made columns.

The rebuild after a clone, or when no usable index exists (``store.RepoIndex``).
"""

from __future__ import annotations

import bisect
import gc
import operator
from itertools import repeat
from typing import Protocol

import msgspec
import polars as pl

from lamingit.errors import IntegrityError
from lamingit.index.rows import build_frames, decode_records
from lamingit.layout import RECORDS, uid_from_path
from lamingit.models import STRUCTS, BaseRecord, decode
from lamingit.models.codec import MAX_DEPTH, MAX_RECORD_BYTES, bounds_problem
from lamingit.records import Snapshot, skip_damaged
from lamingit.records import _checked as checked_uid
from lamingit.storage.git.bulk import iter_blobs

_UID = operator.attrgetter("uid")
_PATH = operator.itemgetter(0)
BUILD_CHUNK = 50_000
"""Records read, decoded and turned into columns at a time when an index is built from git."""


class Progress(Protocol):
    """Where a long index build reports its steps (the CLI shows a progress bar)."""

    def start(self, what: str, total: int) -> None:
        """A phase with ``total`` steps begins."""

    def advance(self) -> None:
        """One step is done."""

    def stop(self) -> None:
        """The phase ended."""


def build_registries(
    snapshot: Snapshot, progress: Progress | None = None
) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """Every registry's base frame (sorted by uid) and value rows, built from a commit's records.

    The record blobs are streamed from one bulk git read, :data:`BUILD_CHUNK` at a time, and
    each piece is decoded and turned into columns as it arrives: memory holds the columns
    made so far and one chunk of blobs and records, never every blob at once. ``progress``
    sees one step per chunk.

    Example:
        >>> frame, values = build_registries(repo.snapshot())["artifact"]  # doctest: +SKIP
    """
    builders = {registry: _RegistryBuilder(registry) for registry in STRUCTS}
    # millions of small objects are created and none is garbage: the cyclic GC would only
    # rescan them again and again (while reading too: the blobs are such objects)
    enabled = gc.isenabled()
    gc.disable()
    try:
        if snapshot.commit is not None:
            started = False

            def listed(total: int) -> None:  # the bulk reader knows how many blobs there are
                nonlocal started
                if progress is not None:
                    progress.start("building the query index", max(1, -(-total // BUILD_CHUNK)))
                started = True

            for chunk in iter_blobs(snapshot.git, snapshot.commit, RECORDS, BUILD_CHUNK, listed):
                if not started:  # read without the git command: the total is not known
                    listed(len(chunk))
                pieces = _by_registry(chunk)
                del chunk
                for registry, piece in pieces.items():
                    builder = builders.get(registry)
                    if builder is not None:  # like Snapshot.iter_records: only known registries
                        builder.add(piece)
                del pieces
                if progress is not None:
                    progress.advance()
        return {registry: builder.finish() for registry, builder in builders.items()}
    finally:
        if enabled:
            gc.enable()
        if progress is not None and snapshot.commit is not None and started:
            progress.stop()


def _by_registry(chunk: list[tuple[str, bytes]]) -> dict[str, list[tuple[str, bytes]]]:
    """The blobs of a chunk by registry (``records/<registry>/…``), in their order.

    git lists paths sorted, so each registry's blobs are one run: found by binary search and
    checked in one C-level pass per registry (blobs in any other order are sorted one by one).
    """
    pieces: dict[str, list[tuple[str, bytes]]] = {}
    start = 0
    while start < len(chunk):
        registry = chunk[start][0].split("/", 2)[1]
        prefix = f"{RECORDS}/{registry}/"
        # "0" follows "/": every path of this registry sorts before prefix[:-1] + "0"
        end = bisect.bisect_left(chunk, prefix[:-1] + "0", lo=start, key=_PATH)
        run = chunk[start:end]
        if (
            end <= start
            or registry in pieces
            or not all(map(str.startswith, map(_PATH, run), repeat(prefix)))
        ):
            return _by_registry_one_by_one(chunk)
        pieces[registry] = run
        start = end
    return pieces


def _by_registry_one_by_one(
    chunk: list[tuple[str, bytes]],
) -> dict[str, list[tuple[str, bytes]]]:
    pieces: dict[str, list[tuple[str, bytes]]] = {}
    for item in chunk:
        pieces.setdefault(item[0].split("/", 2)[1], []).append(item)
    return pieces


class _RegistryBuilder:
    """One registry's base frame and value rows, built from pieces of blobs as they arrive.

    Each piece is decoded, turned into columns and dropped. Pieces arrive in uid order (git
    lists paths sorted, and a record's path ``A/b/Ab….json`` sorts as its uid does; "."
    sorts before every uid character); if one does not, the rows are sorted at the end.
    """

    def __init__(self, registry: str) -> None:
        self.registry = registry
        self.frames: list[pl.DataFrame] = []
        self.values: list[pl.DataFrame] = []
        self.offset = 0
        self.last = ""
        self.ordered = True

    def add(self, items: list[tuple[str, bytes]]) -> None:
        """Decode ``items`` (``(path, blob)``) and append their rows."""
        records, kept = _decode_checked(self.registry, items)
        del items
        frame, vals = build_frames(self.registry, records, kept)
        del records, kept
        if not frame.height:
            return
        uids = frame.get_column("uid")
        if uids[0] <= self.last:
            self.ordered = False
        self.last = uids[-1]
        if self.offset:
            vals = vals.with_columns(pl.col("row") + pl.lit(self.offset, dtype=pl.UInt32))
        self.frames.append(frame)
        self.values.append(vals)
        self.offset += frame.height

    def finish(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The base frame (sorted by uid) and its value rows."""
        if not self.frames:
            return build_frames(self.registry, [])
        if len(self.frames) == 1:
            return self.frames[0], self.values[0]
        frame = pl.concat(self.frames, rechunk=False)
        values = pl.concat(self.values, rechunk=False)
        self.frames, self.values = [], []
        if self.ordered:
            return frame, values
        frame = frame.with_row_index("_old").sort("uid")
        # the new position of each old row: the inverse of the sort's permutation
        moved = frame.get_column("_old").arg_sort().cast(pl.UInt32)
        values = values.with_columns(pl.lit(moved).gather(pl.col("row")).alias("row"))
        return frame.drop("_old"), values


def _decode_checked(
    registry: str, items: list[tuple[str, bytes]]
) -> tuple[list[BaseRecord], list[bytes]]:
    """Decode blobs of ``registry`` into records and their bytes, in order.

    Each must be within the size and depth bounds and carry the uid its path names; one
    that does not is skipped with a warning (``records.skip_damaged``).
    """
    datas = [data for _, data in items]
    try:
        if _out_of_bounds(datas):
            raise msgspec.DecodeError("a record is out of bounds")
        records = decode_records(registry, datas)
    except msgspec.DecodeError:
        # one call for all failed: decode one by one, leaving out the damaged ones
        return _decode_one_by_one(registry, items)
    stems = [path[path.rfind("/") + 1 :].removesuffix(".json") for path, _ in items]
    if stems != list(map(_UID, records)):
        return _decode_one_by_one(registry, items)
    return records, datas


def _out_of_bounds(datas: list[bytes]) -> bool:
    """Whether a blob is too large or too deeply nested (``bounds_problem``), counted in bulk.

    Only blobs with more brackets than the depth limit are checked one by one (all of them,
    when one is not UTF-8: its decoding fails anyway).
    """
    if len(datas) < 4096:  # a polars pass costs more than counting a few blobs' brackets
        return any(map(bounds_problem, datas))
    try:
        text = pl.Series(datas, dtype=pl.Binary).cast(pl.Utf8)
    except pl.exceptions.PolarsError:
        return any(map(bounds_problem, datas))
    brackets = text.str.count_matches("[\\[{]")
    suspect = (brackets > MAX_DEPTH) | (text.str.len_bytes() > MAX_RECORD_BYTES)
    return any(bounds_problem(datas[i]) for i in suspect.arg_true().to_list())


def _decode_one_by_one(
    registry: str, items: list[tuple[str, bytes]]
) -> tuple[list[BaseRecord], list[bytes]]:
    records: list[BaseRecord] = []
    kept: list[bytes] = []
    for path, data in items:
        try:
            records.append(checked_uid(decode(registry, data), uid_from_path(path)[1]))
        except IntegrityError as exc:
            skip_damaged(path, exc)
            continue
        kept.append(data)
    return records, kept
