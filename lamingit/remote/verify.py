"""Checks on what arrives by pull or clone (like git's ``transfer.fsckObjects``): every path a
new commit changes must be a well-formed record, lookup entry, conflict list or settings file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import msgspec

from lamingit._util import is_base62
from lamingit.blob_settings import parse_settings
from lamingit.errors import IncomingRejected, IntegrityError
from lamingit.layout import FORMAT_VERSION, LOOKUP, RECORDS, SETTINGS_FILE
from lamingit.merge import CONFLICTS
from lamingit.models import STRUCTS, ArtifactRecord, BaseRecord, RunRecord, decode
from lamingit.models.codec import MAX_RECORD_BYTES, bounds_problem
from lamingit.remote import gitcli
from lamingit.storage.git.bulk import cat_blobs

FILE_MODE = "100644"
"""The only tree entry mode accepted: a regular, non-executable file."""
KNOWN_SETTINGS = {"repository": {"format_version"}, "blobs": {"remote", "endpoint_url"}}
"""lamingit's own sections of ``lamingit.toml`` and their only fields."""
CHUNK = 20_000
"""Paths whose blobs are read and checked together."""
_OID = re.compile(r"[0-9a-f]{64}")
_LOOKUP_PATH = re.compile(rf"{LOOKUP}/([0-9a-f]{{2}})/([0-9a-f]{{2}})/([0-9a-f]{{40}})")
_MODES = {"120000": "a symbolic link", "160000": "a submodule", "100755": "an executable file"}
# The characters api/core/keys.py refuses in a key (tests/remote/test_verify_keys.py checks the
# two sets agree): a crafted commit must not bring in what a local save could not make.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_UIDS = msgspec.json.Decoder(list[str])
_ENTRIES = msgspec.json.Decoder(list[dict[str, object]])


@dataclass(frozen=True)
class Change:
    """A path a commit added or changed, with the new entry's mode and object id."""

    commit: str
    path: str
    mode: str
    oid: str


def unsafe_fields(record: BaseRecord) -> str | None:
    """Why fields that later become file names or blob paths are unsafe, or None.

    Example:
        >>> unsafe_fields(ArtifactRecord(uid="a", created_at="", created_by="", key="../x"))
        "key '../x' is not a safe relative path"
    """
    if isinstance(record, ArtifactRecord):
        if record.hash and not _OID.fullmatch(record.hash):
            return f"hash {record.hash[:80]!r} is not a content hash (64 hex digits)"
        key = record.key
        if key is not None and (
            not key
            or key.startswith("/")
            or "\\" in key
            or "\x00" in key
            or any(seg in ("", ".", "..") for seg in key.split("/"))
        ):
            return f"key {key[:80]!r} is not a safe relative path"
        if key is not None and any(
            unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in key
        ):
            return f"key {key[:80]!r} contains a control character or bidirectional override"
    if isinstance(record, RunRecord) and record.report and not _OID.fullmatch(record.report):
        return f"report {record.report[:80]!r} is not a content hash (64 hex digits)"
    return None


@dataclass(frozen=True)
class RecordCheck:
    """What :func:`check_record` found: the decoded record (if it decodes), the problem (if
    any), and whether the record may be used (decodes and sits at its uid's path)."""

    record: BaseRecord | None
    problem: str | None
    usable: bool


def check_record(path: str, data: bytes) -> RecordCheck:
    """Check the bytes at a ``records/`` path: path form, size and depth, schema, uid.

    A record with unsafe fields is usable (it is listed, and refused where the field would
    become a path); one at the wrong path is not.

    Example:
        >>> check_record("records/user/a/b/abc.json", b"{}").problem  # doctest: +ELLIPSIS
        'a user record does not match its schema ...'
    """
    parts = path.split("/")
    if len(parts) != 5 or parts[0] != RECORDS or parts[1] not in STRUCTS:
        return RecordCheck(
            None, "a file in records/ that is not a record of a known registry", False
        )
    if not parts[-1].endswith(".json"):
        return RecordCheck(None, "a file in records/ that is not a record (<uid>.json)", False)
    try:
        record = decode(parts[1], data)
    except IntegrityError as exc:
        return RecordCheck(None, str(exc), False)
    uid = record.uid
    if not is_base62(uid) or len(uid) < 2 or parts[2:] != [uid[0], uid[1], f"{uid}.json"]:
        return RecordCheck(record, f"record uid {uid[:40]!r} does not match its path {path}", False)
    return RecordCheck(record, unsafe_fields(record), True)


def settings_problem(data: bytes) -> str | None:
    """Why the bytes of ``lamingit.toml`` are not acceptable, or None.

    Example:
        >>> settings_problem(b'[blobs]\\nremote = 3\\n')
        'lamingit.toml: blobs.remote is not a string'
    """
    try:
        parsed = parse_settings(data)
    except IntegrityError as exc:
        return str(exc)
    for section, fields in parsed.items():
        # Other sections are the team's own (merged key by key); lamingit's are exact.
        if not isinstance(fields, dict):
            return f"lamingit.toml: {section!r} is not a [section] of settings"
        known = KNOWN_SETTINGS.get(section)
        for name, value in fields.items():
            if known is not None and name not in known:
                return f"lamingit.toml has an unknown field {section}.{name}"
            if not isinstance(value, str):
                return f"lamingit.toml: {section}.{name} is not a string"
    version = parsed.get("repository", {}).get("format_version", str(FORMAT_VERSION))
    if version != str(FORMAT_VERSION):
        return (
            f"lamingit.toml names format version {version[:20]!r}; this lamingit reads "
            f"version {FORMAT_VERSION} (upgrade lamingit)"
        )
    return None


def path_problem(path: str, data: bytes) -> str | None:
    """Why the bytes at a committed tree path are not acceptable there, or None.

    Example:
        >>> path_problem("README.md", b"hello")
        'is outside records/, lookup/, conflicts/ and lamingit.toml'
    """
    if path == SETTINGS_FILE:
        return settings_problem(data)
    top = path.split("/", 1)[0]
    if top == RECORDS:
        return check_record(path, data).problem
    if top == LOOKUP:
        if not _LOOKUP_PATH.fullmatch(path):
            return "is not a lookup entry path (lookup/<2 hex>/<2 hex>/<40 hex>)"
        return _list_problem(data, uids=True)
    if top == CONFLICTS:
        parts = path.split("/")
        if len(parts) != 3 or parts[1] not in STRUCTS or not is_base62(parts[2][:-5]):
            return "is not a conflict list path (conflicts/<registry>/<uid>.json)"
        return _list_problem(data, uids=False)
    return f"is outside {RECORDS}/, {LOOKUP}/, {CONFLICTS}/ and {SETTINGS_FILE}"


def _list_problem(data: bytes, *, uids: bool) -> str | None:
    problem = bounds_problem(data)
    if problem is not None:
        return problem
    try:
        if not uids:
            _ENTRIES.decode(data)
            return None
        listed = _UIDS.decode(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        return f"does not decode as a list of {'uids' if uids else 'conflicts'} ({exc})"
    bad = next((u for u in listed if not is_base62(u)), None)
    return None if bad is None else f"lists {bad[:40]!r}, which is not a uid"


def new_changes(gitdir: Path, tips: list[str], known: list[str]) -> list[Change]:
    """Every path added or changed by the commits reachable from ``tips`` but not ``known``.

    Each commit is compared with its first parent (a root commit with the empty tree): by
    induction that covers every entry of every new tree, merges included.

    Example:
        >>> new_changes(Path("mydata/.git"), ["FETCHED"], ["--branches"])  # doctest: +SKIP
    """
    if not tips:
        return []
    out = gitcli.git_bytes(
        ["log", "--format=%x01%H", "--raw", "-z", "-r", "--no-renames", "--no-abbrev"]
        + ["--diff-merges=first-parent", "--root", *tips, "--not", *known, "--"],
        gitdir=gitdir,
    )
    changes: list[Change] = []
    commit = ""
    tokens = iter(out.split(b"\0"))
    for raw in tokens:
        token = raw.lstrip(b"\n")
        if token.startswith(b"\x01"):
            commit = token[1:].decode()
        elif token.startswith(b":"):
            _old_mode, mode, _old, oid, status = token[1:].decode().split(" ")
            path = next(tokens).decode("utf-8", "surrogateescape")
            if status != "D":
                changes.append(Change(commit, path, mode, oid))
    return changes


def verify_incoming(gitdir: Path, tips: list[str], known: list[str], what: str) -> int:
    """Refuse (``IncomingRejected``) the transfer if a new commit breaks a rule; else the
    number of paths checked. ``what`` names the transfer in the message ("pull from origin").

    Example:
        >>> verify_incoming(Path("mydata/.git"), [tip], ["--branches"], "pull")  # doctest: +SKIP
        12
    """
    changes = new_changes(gitdir, tips, known)
    seen: dict[tuple[str, str], None] = {}
    todo: list[Change] = []
    for change in changes:
        if (change.path, change.oid) not in seen:
            seen[(change.path, change.oid)] = None
            todo.append(change)
    for change in todo:
        if change.mode != FILE_MODE:
            kind = _MODES.get(change.mode, f"an entry of mode {change.mode}")
            _refuse(what, change, f"is {kind}, not a regular file")
    sizes = _sizes(gitdir, sorted({c.oid for c in todo}))
    for change in todo:
        if sizes.get(change.oid, 0) > MAX_RECORD_BYTES:
            _refuse(what, change, f"is {sizes[change.oid]} bytes (at most {MAX_RECORD_BYTES})")
    # in chunks: a clone's whole history need not sit in memory at once
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        oids = sorted({c.oid for c in chunk})
        contents = cat_blobs(gitdir, oids)
        if contents is None:
            raise IncomingRejected(f"{what} refused: git could not read the fetched objects")
        data = dict(zip(oids, contents, strict=True))
        for change in chunk:
            problem = path_problem(change.path, data[change.oid])
            if problem is not None:
                _refuse(what, change, problem)
    return len(todo)


def _sizes(gitdir: Path, oids: list[str]) -> dict[str, int]:
    """Object sizes, asked before reading: an oversized blob is refused unread."""
    if not oids:
        return {}
    listed = gitcli.run_git(
        ["cat-file", "--batch-check=%(objectname) %(objectsize)"],
        gitdir=gitdir,
        input_text="\n".join(oids) + "\n",
    ).stdout
    sizes: dict[str, int] = {}
    for line in listed.splitlines():
        oid, _, size = line.partition(" ")
        if size.isdigit():
            sizes[oid] = int(size)
    return sizes


def _refuse(what: str, change: Change, reason: str) -> None:
    path = change.path if len(change.path) <= 120 else change.path[:117] + "..."
    raise IncomingRejected(
        f"{what} refused: commit {change.commit[:12]} {path!r}: {reason}; nothing here was "
        "changed (ask whoever pushed that commit to replace it)"
    )


__all__ = [
    "Change",
    "RecordCheck",
    "check_record",
    "new_changes",
    "path_problem",
    "settings_problem",
    "unsafe_fields",
    "verify_incoming",
]
