"""``lamingit gc`` and ``lamingit reindex``: pack git objects, drop unreferenced blobs and stale
temporary files, and rebuild derived lookup entries.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from lamingit._util import FileLock
from lamingit.errors import IntegrityError
from lamingit.layout import LOOKUP, RECORDS
from lamingit.records import ChangeSet, rebuild_lookups
from lamingit.repo import Repository
from lamingit.storage.hashing import decode_manifest

GRACE_SECONDS = 3600.0
"""Blobs and temporary files younger than this are never removed: a save may be using them."""
_OID = re.compile(r"[0-9a-f]{64}")
_ANY = msgspec.json.Decoder()


@dataclass
class GcReport:
    """What gc removed (or, with ``dry_run``, would remove).

    Example:
        >>> gc(repo, dry_run=True).blobs  # doctest: +SKIP
        []
    """

    dry_run: bool
    blobs: list[str] = field(default_factory=list)
    blob_bytes: int = 0
    kept_young: int = 0
    tmp_files: list[str] = field(default_factory=list)
    commits_walked: int = 0
    loose_before: int = 0
    loose_after: int = 0
    packs_before: int = 0
    packs_after: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (``lamingit gc --json``)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def needed_blobs(repo: Repository) -> tuple[set[str], list[str]]:
    """Every blob some record at ANY commit needs, plus directory manifests that are not local.

    Walks every commit reachable from a ref or reflog entry and reads each record version
    once (by diffing each commit against its first parent, skipping unchanged subtrees).
    Records are read schema-free, so a record written by a newer lamingit still protects
    its blobs: any string field holding a 64-hex content id counts (artifact ``hash``, run
    ``report``, and whatever blob fields are added later). A directory artifact also needs
    every file its manifest lists.

    Example:
        >>> needed, unresolved = needed_blobs(repo)  # doctest: +SKIP
    """
    needed: set[str] = set()
    manifests: set[str] = set()
    commits = repo.git.all_commits()
    for commit in commits:
        parents = repo.git.parents(commit)
        old = repo.git.tree_of(parents[0]) if parents else None
        new = repo.git.tree_of(commit)
        for _path, _before, after in repo.git.diff_paths(old, new, RECORDS):
            if after is None:
                continue
            try:
                data = _ANY.decode(after)
            except msgspec.DecodeError:
                continue  # not JSON at all: it cannot name a blob in any form we wrote
            for value in _strings(data):
                if _OID.fullmatch(value):
                    needed.add(value)
            if isinstance(data, dict) and data.get("n_files") is not None:
                oid = data.get("hash")
                if isinstance(oid, str) and _OID.fullmatch(oid):
                    manifests.add(oid)
    unresolved: list[str] = []
    for oid in sorted(manifests):
        if not repo.blobs.has(oid):
            unresolved.append(oid)
            continue
        try:
            needed.update(e.hash for e in decode_manifest(repo.blobs.read_bytes(oid)))
        except IntegrityError:
            unresolved.append(oid)
    return needed, unresolved


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def gc(
    repo: Repository,
    *,
    dry_run: bool = False,
    grace_seconds: float = GRACE_SECONDS,
    pack: bool = True,
) -> GcReport:
    """Remove blobs no record at any commit references, clear stale temporary files, pack git.

    Runs under the repository's write lock, so no save commits meanwhile; blobs younger
    than ``grace_seconds`` stay, because a save writes (or reuses, touching it) its blob
    before it takes the lock to commit. If a directory artifact's manifest is not local,
    its files cannot be told apart, so no blob is removed and a note says so.

    Example:
        >>> report = gc(repo, dry_run=True)  # doctest: +SKIP
        >>> report.blobs  # doctest: +SKIP
        ['9f3c…']
    """
    report = GcReport(dry_run=dry_run)
    now = time.time()
    with repo.write_lock:
        report.loose_before = repo.git.loose_objects()
        report.packs_before = repo.git.pack_count()
        report.commits_walked = len(repo.git.all_commits())
        needed, unresolved = needed_blobs(repo)
        if unresolved:
            report.notes.append(
                f"{len(unresolved)} directory manifest(s) are not local (e.g. {unresolved[0]}); "
                "no blob was removed: fetch the manifests first"
            )
        else:
            for oid in sorted(repo.blobs.iter_oids()):
                if oid in needed:
                    continue
                path = repo.blobs.path_for(oid)
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue
                if now - st.st_mtime < grace_seconds:
                    report.kept_young += 1
                    continue
                report.blobs.append(oid)
                report.blob_bytes += st.st_size
                if not dry_run:
                    repo.blobs.delete(oid)
        for tmp in _stale_tmp(repo, now - grace_seconds):
            report.tmp_files.append(str(tmp.relative_to(repo.root)))
            if not dry_run:
                if tmp.is_dir() and not tmp.is_symlink():
                    shutil.rmtree(tmp, ignore_errors=True)
                else:
                    tmp.unlink(missing_ok=True)
        if pack and not dry_run:
            with FileLock(repo.paths.pack_lock):  # after a background merge, never beside it
                repo.git.repack(full=True)
                repo.git.prune(expire=f"{int(grace_seconds)}.seconds.ago")
        report.loose_after = repo.git.loose_objects()
        report.packs_after = repo.git.pack_count()
    return report


def _stale_tmp(repo: Repository, cutoff: float) -> Iterator[Path]:
    """Temporary files older than ``cutoff``: tmp directories' entries and half-written packs."""
    for base in (repo.paths.objects / "tmp", repo.paths.local / "tmp"):
        if not base.is_dir():
            continue
        for entry in sorted(base.iterdir()):
            if _newest_mtime(entry) < cutoff:
                yield entry
    # A save killed while writing its pack leaves a tmp_pack_* file or a pack whose index was
    # never renamed into place; no reader uses either.
    pack_dir = repo.paths.gitdir / "objects" / "pack"
    if pack_dir.is_dir():
        for entry in sorted(pack_dir.iterdir()):
            orphan = entry.suffix == ".pack" and not entry.with_suffix(".idx").exists()
            if (entry.name.startswith("tmp_pack_") or orphan) and _newest_mtime(entry) < cutoff:
                yield entry


def _newest_mtime(path: Path) -> float:
    try:
        newest = path.lstat().st_mtime
    except FileNotFoundError:
        return float("inf")
    if path.is_dir() and not path.is_symlink():
        for child in path.rglob("*"):
            try:
                newest = max(newest, child.lstat().st_mtime)
            except FileNotFoundError:
                continue
    return newest


@dataclass
class ReindexReport:
    """What reindex changed."""

    commit: str | None
    changed: list[str] = field(default_factory=list)
    index: str = "not rebuilt (empty repository)"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"commit": self.commit, "changed": self.changed, "index": self.index}


def reindex(repo: Repository, *, author: tuple[str, str]) -> ReindexReport:
    """Rewrite the derived ``lookup/`` entries from the records, in one commit if they differ.

    Also rebuilds the query index when the index module offers ``rebuild(root, snapshot)``.

    Example:
        >>> reindex(repo, author=("ann", "ann@x")).changed  # doctest: +SKIP
        []
    """
    changed: list[str] = []

    def build(changes: ChangeSet) -> None:
        snap = changes.snapshot
        expected = rebuild_lookups(snap)
        actual = dict(snap.git.walk_blobs(snap.tree, LOOKUP))
        for path in sorted(set(expected) | set(actual)):
            if expected.get(path) != actual.get(path):
                changes.put_file(path, expected.get(path))
                changed.append(path)
        if changed:
            changes.summary.append(f"reindex: rewrite {len(changed)} lookup entries")

    repo.transact(build, author=author)
    report = ReindexReport(commit=repo.git.head(), changed=changed)
    # The index is a disposable cache: drop it (on disk and in memory), build it anew.
    index_dir = repo.paths.index
    with repo.write_lock:
        if index_dir.is_dir():
            for entry in index_dir.iterdir():
                if entry.name.endswith(".lock"):
                    continue  # another process may hold it: removing it breaks the lock
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        repo.index.forget()
    if report.commit is not None:
        repo.index.state(report.commit)
    report.index = "rebuilt"
    return report


__all__ = ["GcReport", "ReindexReport", "gc", "needed_blobs", "reindex"]
