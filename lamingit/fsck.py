"""``lamingit fsck``: check git objects, records, lookups, version families and blobs.

Every problem names the record (or tree path) it affects; nothing is changed.
"""

from __future__ import annotations

import importlib
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import msgspec

from lamingit.errors import IntegrityError, LamingitError
from lamingit.layout import LOOKUP, RECORDS, lookup_path
from lamingit.models import STRUCTS, ArtifactRecord, BaseRecord, RunRecord
from lamingit.records import Snapshot, lookup_values, rebuild_lookups
from lamingit.remote.verify import check_record
from lamingit.repo import Repository
from lamingit.storage.hashing import decode_manifest

STEM = 16
"""Artifact uids are a 16-character family stem plus a 4-character version counter."""
_OID = re.compile(r"[0-9a-f]{64}")
_BASE62 = re.compile(r"[0-9A-Za-z]+")

RemoteHas = Callable[[str], bool]
"""Asks the blob remote whether it holds a blob (the collaboration layer supplies it)."""


@dataclass(frozen=True)
class Problem:
    """One thing fsck found wrong.

    ``kind`` is one of ``git-object``, ``record``, ``lookup``, ``latest``, ``blob-corrupt``,
    ``blob-not-local``, ``index``; ``where`` names the record
    (``artifact/<uid>``) or the tree path it affects.
    """

    kind: str
    where: str
    message: str


@dataclass
class FsckReport:
    """What fsck checked and what it found.

    Example:
        >>> report = fsck(repo)  # doctest: +SKIP
        >>> report.ok  # doctest: +SKIP
        True
    """

    commit: str | None
    problems: list[Problem] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def add(self, kind: str, where: str, message: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(kind, where, message))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (``lamingit fsck --json``)."""
        return {
            "ok": self.ok,
            "commit": self.commit,
            "checked": dict(self.checked),
            "problems": [asdict(p) for p in self.problems],
            "notes": list(self.notes),
        }


def fsck(
    repo: Repository,
    *,
    sample: int | None = None,
    remote_has: RemoteHas | None = None,
    commit: str | None = None,
    seed: int | None = None,
) -> FsckReport:
    """Check the repository at ``commit`` (default: the branch head) without changing it.

    Checks: git objects of the head tree and its history; every record decodes against its
    schema and sits at the path its uid implies; ``lookup/`` entries equal
    ``records.rebuild_lookups``; no two records of one registry share an integer id;
    exactly one latest version per artifact family; every
    referenced blob is present locally (or, with ``remote_has``, on the blob remote);
    blobs re-hash to their name (all, or a random ``sample`` of them); stale ref locks are
    noted; and the query index answers with exactly the records git holds.

    Example:
        >>> report = fsck(Repository(Path("mydata")), sample=100)  # doctest: +SKIP
        >>> [p.where for p in report.problems]  # doctest: +SKIP
        []
    """
    head = repo.git.head() if commit is None else commit
    report = FsckReport(commit=head)
    _check_ref_locks(repo, report)
    if head is None:
        report.notes.append("empty repository: nothing to check")
        return report
    for where, message in repo.git.check_objects(head):
        report.add("git-object", where, message)
    snapshot = repo.snapshot(head)
    records, bad = _check_records(snapshot, report)
    _check_lookups(snapshot, records, bad, report)
    _check_latest(records, report)
    _check_ids(records, report)
    _check_blobs(repo, records, report, sample=sample, remote_has=remote_has, seed=seed)
    if not bad:
        _check_index(repo, snapshot, records, report)
    else:
        report.notes.append("query index not checked: some records are damaged")
    return report


def _check_ref_locks(repo: Repository, report: FsckReport) -> None:
    """Note ``*.lock`` files left in the git directory by a killed process.

    Not a problem of the data: the ref still names a complete commit, and the next save
    removes a stale lock by itself (see ``GitStore.set_branch``).
    """
    if not repo.git.stale_ref_locks():
        return
    # Another writer may hold one for a few milliseconds; look again holding the write lock.
    with repo.write_lock:
        for lock in repo.git.stale_ref_locks():
            report.notes.append(
                f"{lock.relative_to(repo.root)} was left by a killed process; the next save "
                "removes it"
            )


def _check_records(
    snapshot: Snapshot, report: FsckReport
) -> tuple[dict[str, list[BaseRecord]], set[str]]:
    """Decode every record; check its path, uid and the fields used as file names.

    Returns the good records by registry and the uids of the damaged ones.
    """
    records: dict[str, list[BaseRecord]] = defaultdict(list)
    bad: set[str] = set()
    count = 0
    damaged: list[str] = []

    def on_error(path: str, exc: IntegrityError) -> None:
        # check_objects reports the object itself; here only the record it takes with it.
        parts = path.split("/")
        if len(parts) == 5 and parts[-1].endswith(".json"):
            report.add("record", f"{parts[1]}/{parts[-1].removesuffix('.json')}", str(exc))
        damaged.append(path)

    for path, data in snapshot.git.walk_blobs(snapshot.tree, RECORDS, on_error=on_error):
        count += 1
        parts = path.split("/")
        name = parts[-1].removesuffix(".json")
        # the same rules a pull applies to arriving records (remote/verify.py)
        found = check_record(path, data)
        record = found.record
        if found.problem is not None:
            is_record_path = len(parts) == 5 and parts[1] in STRUCTS
            report.add("record", f"{parts[1]}/{name}" if is_record_path else path, found.problem)
            bad.update({name} if record is None else {name, record.uid})
        if record is not None and found.usable:
            records[type(record).registry].append(record)
    report.checked["records"] = count
    if damaged:
        bad.add("*")  # some records are unreadable: lookups cannot be checked exactly
    return records, bad


def _check_lookups(
    snapshot: Snapshot,
    records: dict[str, list[BaseRecord]],
    bad: set[str],
    report: FsckReport,
) -> None:
    """The committed lookup entries equal the ones recomputed from the records.

    Entries that differ only by damaged records (already reported) are not reported again.
    """
    if not bad:
        expected = rebuild_lookups(snapshot)
    else:
        # Some records do not decode: recompute from the ones that do (same rule).
        entries: dict[tuple[str, str], list[str]] = {}
        for group in records.values():
            for record in group:
                for entry in lookup_values(record):
                    entries.setdefault(entry, []).append(record.uid)
        expected = {
            lookup_path(n, v): msgspec.json.encode(sorted(u)) for (n, v), u in entries.items()
        }
    if "*" in bad:
        report.notes.append("lookup entries not checked: some records cannot be read")
        return
    actual = dict(snapshot.git.walk_blobs(snapshot.tree, LOOKUP, on_error=lambda p, e: None))
    report.checked["lookups"] = len(actual)
    for path in sorted(set(expected) | set(actual)):
        want, have = expected.get(path), actual.get(path)
        if want == have:
            continue
        if bad:
            want_set, have_set = set(_decode_uids(want)), set(_decode_uids(have))
            if want_set <= have_set and have_set - want_set <= bad:
                continue
        name = path.split("/")[1]
        if have is None:
            report.add(
                "lookup", path, f"missing {name} entry for {_uids(want)}; run `lamingit reindex`"
            )
        elif want is None:
            report.add(
                "lookup", path, f"stale {name} entry for {_uids(have)}; run `lamingit reindex`"
            )
        else:
            report.add(
                "lookup",
                path,
                f"{name} entry lists {_uids(have)} instead of {_uids(want)}; "
                "run `lamingit reindex`",
            )


def _decode_uids(data: bytes | None) -> list[str]:
    try:
        return msgspec.json.decode(data or b"[]", type=list[str])
    except msgspec.DecodeError:
        return ["(undecodable bytes)"]


def _uids(data: bytes | None) -> str:
    uids = _decode_uids(data)
    return ", ".join(f"artifact/{u}" if len(u) == 20 else u for u in uids) or "nothing"


def _check_ids(records: dict[str, list[BaseRecord]], report: FsckReport) -> None:
    """No two records of one registry share an integer id (``get(id=)`` must name one)."""
    for registry, group in sorted(records.items()):
        holders: dict[int, list[str]] = defaultdict(list)
        for record in group:
            holders[record.id].append(record.uid)
        for number, uids in sorted(holders.items()):
            if len(uids) < 2:
                continue
            for uid in sorted(uids):
                others = ", ".join(u for u in sorted(uids) if u != uid)
                report.add(
                    "id",
                    f"{registry}/{uid}",
                    f"id {number} is also the id of {registry}/{others}: get(id=) cannot tell "
                    "them apart; look them up by uid",
                )


def _check_latest(records: dict[str, list[BaseRecord]], report: FsckReport) -> None:
    """Exactly one latest version per artifact family that has a version not in the trash."""
    families: dict[str, list[ArtifactRecord]] = defaultdict(list)
    for record in records.get("artifact", []):
        if isinstance(record, ArtifactRecord):
            families[record.uid[:STEM]].append(record)
    for stem, members in families.items():
        latest = sorted(r.uid for r in members if r.is_latest)
        alive = [r for r in members if not r.trashed]
        trashed_latest = [r.uid for r in members if r.is_latest and r.trashed]
        if trashed_latest:
            report.add(
                "latest", f"artifact/{trashed_latest[0]}", "a version in the trash is marked latest"
            )
        if alive and len(latest) != 1:
            where = f"artifact/{latest[0] if latest else stem}"
            report.add(
                "latest",
                where,
                f"family {stem} has {len(latest)} latest versions ({', '.join(latest) or 'none'}); "
                "exactly one must be latest",
            )
    report.checked["artifact_families"] = len(families)


def referenced_blobs(
    records: Iterable[BaseRecord], read_manifest: Callable[[str], bytes | None]
) -> tuple[dict[str, list[str]], list[str]]:
    """Blob oid → the records (``artifact/<uid>``) that need it, plus unreadable manifests.

    An artifact needs its ``hash`` blob; a directory artifact also every file its manifest
    lists; a run needs its ``report`` blob.

    Example:
        >>> refs, missing = referenced_blobs(records, store.read_bytes)  # doctest: +SKIP
    """
    refs: dict[str, list[str]] = defaultdict(list)
    unreadable: list[str] = []
    for record in records:
        where = f"{type(record).registry}/{record.uid}"
        if isinstance(record, ArtifactRecord) and record.hash:
            refs[record.hash].append(where)
            if record.n_files is not None:
                data = read_manifest(record.hash)
                if data is None:
                    unreadable.append(record.hash)
                    continue
                try:
                    for entry in decode_manifest(data):
                        refs[entry.hash].append(where)
                except IntegrityError:
                    unreadable.append(record.hash)
        elif isinstance(record, RunRecord) and record.report:
            refs[record.report].append(where)
    return refs, unreadable


def _check_blobs(
    repo: Repository,
    records: dict[str, list[BaseRecord]],
    report: FsckReport,
    *,
    sample: int | None,
    remote_has: RemoteHas | None,
    seed: int | None,
) -> None:
    corrupt: set[str] = set()

    def read_manifest(oid: str) -> bytes | None:
        if not _OID.fullmatch(oid) or not repo.blobs.has(oid):
            return None
        try:
            return repo.blobs.read_bytes(oid)
        except IntegrityError:
            corrupt.add(oid)
            return None

    flat = [r for group in records.values() for r in group]
    refs, unreadable = referenced_blobs(flat, read_manifest)
    report.checked["referenced_blobs"] = len(refs)
    remote_count = 0
    for oid, owners in sorted(refs.items()):
        if not _OID.fullmatch(oid) or repo.blobs.has(oid):
            continue
        if remote_has is not None:
            try:
                if remote_has(oid):
                    remote_count += 1
                    continue
            except LamingitError as exc:
                report.notes.append(f"blob remote could not be asked: {exc}")
                remote_has = None
        where = "blob remote" if remote_has is not None else "a blob remote (none checked)"
        report.add(
            "blob-not-local",
            owners[0],
            f"blob {oid} is not local and not on {where}"
            + (f"; also needed by {len(owners) - 1} more" if len(owners) > 1 else ""),
        )
    if remote_has is not None:
        report.checked["blobs_on_remote"] = remote_count
    local = sorted(repo.blobs.iter_oids())
    if sample is not None and sample < len(local):
        local = random.Random(seed).sample(local, sample)
    for oid in local:
        if oid in corrupt or not repo.blobs.verify(oid):
            corrupt.add(oid)
    report.checked["blobs_rehashed"] = len(local)
    for oid in sorted(corrupt):
        owners = refs.get(oid, [])
        report.add(
            "blob-corrupt",
            owners[0] if owners else f"blob {oid}",
            f"blob {oid} does not match its hash"
            + (f" (needed by {', '.join(owners[:5])})" if owners else " (not referenced)")
            + "; fetch it again from the blob remote or remove it with `lamingit gc`",
        )
    for oid in sorted(set(unreadable) - corrupt):
        if repo.blobs.has(oid):
            owners = refs.get(oid, [])
            report.add(
                "blob-corrupt",
                owners[0] if owners else f"blob {oid}",
                f"directory manifest {oid} does not decode as a manifest",
            )


def _check_index(
    repo: Repository,
    snapshot: Snapshot,
    records: dict[str, list[BaseRecord]],
    report: FsckReport,
) -> None:
    """The query index answers with exactly the records git holds at this commit.

    Uses the index module's ``fsck_problems(root, snapshot)`` if it has one, else compares
    ``select(snapshot, registry, Q())`` with the records decoded from git.
    """
    try:
        module: Any = importlib.import_module("lamingit.index")
    except ImportError:
        module = None
    check = getattr(module, "fsck_problems", None)
    if check is not None:
        for where, message in check(repo.root, snapshot):
            report.add("index", where, message)
        return
    select = getattr(module, "select", None)
    if select is None:
        report.notes.append("query index not checked (no index module)")
        return
    from lamingit.query import Q

    for registry in STRUCTS:
        try:
            indexed = {r.uid: r for r in select(snapshot, registry, Q())}
        except Exception as exc:  # noqa: BLE001 - any failure of a derived cache is a finding
            report.add(
                "index",
                f"index/{registry}",
                f"the index cannot answer ({exc}); "
                "delete .lamingit/index or run `lamingit reindex`",
            )
            continue
        in_git = {r.uid: r for r in records.get(registry, [])}
        for uid in sorted(set(indexed) ^ set(in_git)):
            state = "missing from" if uid in in_git else "only in"
            report.add(
                "index",
                f"{registry}/{uid}",
                f"record {state} the query index; run `lamingit reindex`",
            )
        for uid in sorted(set(indexed) & set(in_git)):
            if indexed[uid] != in_git[uid]:
                report.add(
                    "index",
                    f"{registry}/{uid}",
                    "the query index holds another version of this record; run `lamingit reindex`",
                )
    report.checked["index_registries"] = len(STRUCTS)


__all__ = ["FsckReport", "Problem", "fsck", "referenced_blobs"]
