"""Three-way merge of record trees: per record, per field; link sets as sets, dicts per key.

Pure logic on decoded records (:func:`merge_record`) plus a tree-level merge
(:func:`merge_trees`) that turns two diverged commits into one ChangeSet on top of ours:
different records never conflict; link sets merge as sets; dicts merge per key; the same
scalar changed two ways keeps ours in the record and writes both values to a conflict entry
under ``conflicts/<registry>/<uid>.json``; version families re-elect exactly one latest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from lamingit._util import decode_counter, encode_counter, utcnow_iso
from lamingit.layout import RECORDS, SETTINGS_FILE, record_path, uid_from_path
from lamingit.merge.fields import (
    _MISSING,
    DERIVED_FIELDS,
    DICT_FIELDS,
    SAME_NAME,
    SET_FIELDS,
    FieldConflict,
    merge_record,
    merge_uid_lists,
    merge_values,
)
from lamingit.merge.ids import reid_arrivals
from lamingit.merge.twins import find_twins, name_clashes, rewrite_dtype, vanished_twins
from lamingit.models import (
    STRUCTS,
    ArtifactRecord,
    BaseRecord,
    CollectionRecord,
    SchemaRecord,
    TransformRecord,
    decode,
    encode,
)
from lamingit.records import ChangeSet, IndexOwner, Snapshot, replace
from lamingit.storage.git.store import GitStore

FAMILIES: dict[str, int] = {"artifact": 16, "collection": 16, "transform": 12}
"""Versioned registries → length of the family stem in the uid."""
CONFLICTS = "conflicts"


@dataclass
class MergeResult:
    """What :func:`merge_trees` produced: changes on top of ours, conflicts, renumberings."""

    changes: ChangeSet
    conflicts: list[FieldConflict] = field(default_factory=list)
    renumbered: dict[str, str] = field(default_factory=dict)
    deduplicated: dict[str, str] = field(default_factory=dict)
    """Their new record → our record with the same content under the same key (theirs dropped)."""
    unified: dict[str, str] = field(default_factory=dict)
    """Their new named record → ours of the same name, created on both sides (fields merged)."""
    reid: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Their new record → ``(old id, new id)``: its id was another record's, so it got a new one."""


def _record_diff(
    git: GitStore, base: Snapshot, other: Snapshot
) -> dict[str, tuple[bytes | None, bytes | None]]:
    out: dict[str, tuple[bytes | None, bytes | None]] = {}
    for path, old, new in git.diff_paths(base.tree, other.tree, RECORDS):
        out[path] = (old, new)
    return out


def _rewrite_refs(record: BaseRecord, mapping: dict[str, str]) -> BaseRecord:
    """Replace renumbered uids in a record's link fields (scalars and link lists)."""
    data = msgspec.to_builtins(record)
    changed = False
    for name, value in data.items():
        if name == "uid":
            continue
        if isinstance(value, str) and value in mapping:
            data[name] = mapping[value]
            changed = True
        elif name == "dtype" and isinstance(value, str) and "[" in value:
            data[name] = rewrite_dtype(value, mapping)
            changed = changed or data[name] != value
        elif isinstance(value, list) and any(isinstance(v, str) and v in mapping for v in value):
            moved = list(
                dict.fromkeys(mapping.get(v, v) if isinstance(v, str) else v for v in value)
            )
            data[name] = sorted(moved) if name in SET_FIELDS else moved  # members keep order
            changed = True
        elif isinstance(value, dict) and name in ("slots",):
            data[name] = {
                k: mapping.get(v, v) if isinstance(v, str) else v for k, v in value.items()
            }
            changed = changed or data[name] != value
    return msgspec.convert(data, type(record)) if changed else record


def merge_trees(
    git: GitStore,
    base_commit: str | None,
    ours_commit: str,
    theirs_commit: str,
    owner: IndexOwner | None = None,
) -> MergeResult:
    """Merge ``theirs`` into ``ours`` (common ancestor ``base``) as one ChangeSet on ours.

    ``owner`` (the repository) lets its query index find which records hold an arriving id.

    Example:
        >>> result = merge_trees(repo.git, base, repo.git.head(), fetched)  # doctest: +SKIP
        >>> [c.describe() for c in result.conflicts]  # doctest: +SKIP
    """
    base = Snapshot(git, base_commit)
    ours = Snapshot(git, ours_commit, owner)  # the owner's index answers id checks
    theirs = Snapshot(git, theirs_commit)
    changes = ChangeSet(ours)
    result = MergeResult(changes)
    ours_diff = _record_diff(git, base, ours)
    theirs_diff = _record_diff(git, base, theirs)

    # 1. Two new versions created independently under the same uid: renumber theirs.
    taken: dict[tuple[str, str], set[int]] = {}
    for path, (old, new) in sorted(theirs_diff.items()):
        registry, uid = uid_from_path(path)
        stem_len = FAMILIES.get(registry)
        if stem_len is None or old is not None or new is None or path not in ours_diff:
            continue
        ours_new = ours_diff[path][1]
        if ours_new is None or ours_new == new:
            continue
        same = _identity(decode(registry, new))
        if same is not None and same == _identity(decode(registry, ours_new)):
            continue  # the same version made twice: merged field by field below
        stem = uid[:stem_len]
        used = taken.setdefault((registry, stem), set())
        for snap in (ours, theirs):
            used.update(decode_counter(u[stem_len:]) for u in snap.uids_with_prefix(registry, stem))
        counter = max(used) + 1
        used.add(counter)
        result.renumbered[uid] = stem + encode_counter(counter)
    _rehome_new_families(base, ours, theirs, theirs_diff, result, taken)
    # 1b. The same name created on both sides (labels, records, features, projects): one record.
    result.unified = find_twins(base, ours, theirs_diff, {**result.renumbered})
    # ... and links to a label one side unified away in an earlier merge follow it.
    ours_redirects = vanished_twins(base, ours, ours_diff, theirs_diff)
    theirs_redirects = vanished_twins(base, theirs, theirs_diff, ours_diff)
    for registry, our_uid, their_uid in name_clashes(
        base, ours, theirs_diff, {**result.renumbered, **result.unified}
    ):
        result.conflicts.append(
            FieldConflict(registry, our_uid, SAME_NAME, _MISSING, our_uid, their_uid)
        )
    mapping = {**result.renumbered, **result.deduplicated, **result.unified, **ours_redirects}
    if mapping:
        renamed: dict[str, tuple[bytes | None, bytes | None]] = {}
        for path, (old, new) in theirs_diff.items():
            registry, uid = uid_from_path(path)
            if uid in result.deduplicated:
                continue  # the same content exists on our side: links now point there
            if uid in result.unified and new is not None:
                target = result.unified[uid]
                twin = _rewrite_refs(replace(decode(registry, new), uid=target), mapping)
                mine_bytes = ours.read_path(record_path(registry, target))
                assert mine_bytes is not None  # find_twins found it in ours
                our_twin = decode(registry, mine_bytes)
                if isinstance(our_twin, SchemaRecord):  # the same definition: ours' hash
                    twin = replace(twin, hash=our_twin.hash)
                merged, conflicts = merge_record(None, our_twin, twin, twins=True)
                result.conflicts.extend(conflicts)
                renamed[record_path(registry, target)] = (mine_bytes, encode(merged))
                continue
            if uid in result.renumbered and new is not None:
                new_uid = result.renumbered[uid]
                record = decode(registry, new)
                counter_old = decode_counter(uid[FAMILIES[registry] :])
                updates: dict[str, Any] = {"uid": new_uid}
                version = getattr(record, "version", None)
                if version == str(counter_old + 1):
                    updates["version"] = str(decode_counter(new_uid[FAMILIES[registry] :]) + 1)
                record = _rewrite_refs(replace(record, **updates), mapping)
                renamed[record_path(registry, new_uid)] = (None, encode(record))
            elif new is not None:
                record = _rewrite_refs(decode(registry, new), mapping)
                renamed[path] = (old, encode(record))
            else:
                renamed[path] = (old, new)
        theirs_diff = renamed

    # 2. Apply theirs, merging field by field where ours changed the same record.
    touched: set[tuple[str, str]] = set()
    arrivals: list[tuple[str, str]] = []
    for path, (old, new) in sorted(theirs_diff.items()):
        registry, uid = uid_from_path(path)
        touched.add((registry, uid))
        mine = ours.read_path(path)
        if mine == new:
            continue
        if path not in ours_diff or mine == old:
            if new is None:
                changes.remove(registry, uid)
            else:
                changes.put(decode(registry, new))
                if old is None and mine is None:
                    arrivals.append((registry, uid))
            continue
        if new is None or mine is None:
            # Deleted on one side, changed on the other: keep the changed record, say so.
            kept = mine if mine is not None else new
            assert kept is not None
            changes.put(decode(registry, kept))
            result.conflicts.append(
                FieldConflict(
                    registry,
                    uid,
                    "(record)",
                    "present",
                    "deleted" if mine is None else "changed",
                    "deleted" if new is None else "changed",
                )
            )
            continue
        base_rec = decode(registry, old) if old is not None else None
        merged, conflicts = merge_record(base_rec, decode(registry, mine), decode(registry, new))
        result.conflicts.extend(conflicts)
        changes.put(merged)
    # 2b. An arriving record whose random id another record holds gets a fresh one.
    result.reid = reid_arrivals(ours, changes, arrivals)
    for path in ours_diff:
        touched.add(uid_from_path(path))
    if theirs_redirects:  # our records still linking to a label they unified away
        for registry, uid in sorted(touched):
            current = changes.get(registry, uid)
            if current is not None:
                moved = _rewrite_refs(current, theirs_redirects)
                if moved is not current:
                    changes.put(moved)

    # 3. Repository settings merge per key (ours wins a conflict, which is reported).
    _merge_settings(base, ours, theirs, result)
    # 4. Conflict entries: theirs' open conflicts join ours; new ones are appended.
    _merge_conflict_files(git, base, ours, theirs, result, ours_commit, theirs_commit)
    # 5. Exactly one latest per touched version family.
    for registry, uid in sorted(touched):
        stem_len = FAMILIES.get(registry)
        if stem_len is not None:
            elect_family(changes, registry, uid[:stem_len])
    changes.summary.append(f"merge {theirs_commit[:12]} into {ours_commit[:12]}")
    return result


_KEY_LOOKUPS = {
    "artifact": "artifact.key",
    "collection": "collection.key",
    "transform": "transform.key",
}


def _rehome_new_families(
    base: Snapshot,
    ours: Snapshot,
    theirs: Snapshot,
    theirs_diff: dict[str, tuple[bytes | None, bytes | None]],
    result: MergeResult,
    taken: dict[tuple[str, str], set[int]],
) -> None:
    """Both sides started a family under the same key: theirs become versions of ours.

    Saving different content under an existing key makes a new version of that key's family;
    two clones that each saved a first version of ``a.csv`` offline get the same outcome after
    the merge: their versions are renumbered into our family, after our newest.
    """
    for registry, lookup_name in _KEY_LOOKUPS.items():
        stem_len = FAMILIES[registry]
        families: dict[str, list[str]] = {}
        keys: dict[str, set[str]] = {}
        identities: dict[str, tuple[Any, ...] | None] = {}
        for path, (old, new) in theirs_diff.items():
            reg, uid = uid_from_path(path)
            if reg != registry or old is not None or new is None or uid in result.renumbered:
                continue
            stem = uid[:stem_len]
            if base.uids_with_prefix(registry, stem) or ours.uids_with_prefix(registry, stem):
                continue  # not a family that only they started
            families.setdefault(stem, []).append(uid)
            record = decode(registry, new)
            identities[uid] = _identity(record)
            key = getattr(record, "key", None)
            if key:
                keys.setdefault(stem, set()).add(key)
        for stem, uids in sorted(families.items()):
            if len(keys.get(stem, ())) != 1:
                continue
            (key,) = keys[stem]
            targets = [u for u in ours.lookup(lookup_name, key) if not u.startswith(stem)]
            if not targets:
                continue
            target = targets[0][:stem_len]
            used = taken.setdefault((registry, target), set())
            family = ours.uids_with_prefix(registry, target)
            used.update(decode_counter(u[stem_len:]) for u in family)
            used.update(
                decode_counter(u[stem_len:]) for u in theirs.uids_with_prefix(registry, target)
            )
            same_content = {
                _identity(r): r.uid
                for u in family
                if (r := ours.find(registry, u)) is not None and not getattr(r, "trashed", False)
            }
            for uid in sorted(uids):
                ident = identities[uid]
                twin = same_content.get(ident) if ident is not None else None
                if twin is not None:
                    result.deduplicated[uid] = twin
                    continue
                counter = max(used) + 1
                used.add(counter)
                result.renumbered[uid] = target + encode_counter(counter)


def _identity(record: BaseRecord) -> tuple[Any, ...] | None:
    """What makes two versions the same, as saving decides it (None: never the same)."""
    if isinstance(record, ArtifactRecord):
        if record.size == 0 and not record.n_files:
            return None  # empty files never deduplicate
        return (record.hash,)
    if isinstance(record, TransformRecord):
        return (record.hash, record.kind)
    if isinstance(record, CollectionRecord):
        return (record.hash,) if record.hash else None
    return None


def elect_family(changes: ChangeSet, registry: str, stem: str) -> None:
    """Make exactly one version of a family latest: the highest counter not in the trash.

    Example:
        >>> elect_family(changes, "artifact", artifact.uid[:16])  # doctest: +SKIP
    """
    stem_len = FAMILIES[registry]
    records = [
        r for u in changes.uids_with_prefix(registry, stem) if (r := changes.get(registry, u))
    ]
    alive = [r for r in records if not getattr(r, "trashed", False)]
    winner = max(alive, key=lambda r: decode_counter(r.uid[stem_len:])).uid if alive else None
    for record in records:
        should = record.uid == winner
        if getattr(record, "is_latest", should) != should:
            changes.put(replace(record, is_latest=should))


def _merge_settings(base: Snapshot, ours: Snapshot, theirs: Snapshot, result: MergeResult) -> None:
    import tomllib

    from lamingit._util import dump_toml

    b, o, t = (s.read_path(SETTINGS_FILE) for s in (base, ours, theirs))
    if t in (o, b):
        return
    if o == b:
        result.changes.put_file(SETTINGS_FILE, t)
        return

    def parse(data: bytes | None) -> dict[str, dict[str, str]]:
        if not data:
            return {}
        raw = tomllib.loads(data.decode())
        return {str(k): {str(a): str(v) for a, v in sec.items()} for k, sec in raw.items()}

    pb, po, pt = parse(b), parse(o), parse(t)
    merged: dict[str, dict[str, str]] = {}
    for section in sorted(set(pb) | set(po) | set(pt)):
        sb, so, st = pb.get(section, {}), po.get(section, {}), pt.get(section, {})
        out: dict[str, str] = {}
        for key in sorted(set(sb) | set(so) | set(st)):
            value, names = merge_values(
                key, sb.get(key, _MISSING), so.get(key, _MISSING), st.get(key, _MISSING)
            )
            if names:
                result.conflicts.append(
                    FieldConflict(
                        "settings",
                        SETTINGS_FILE,
                        f"{section}.{key}",
                        sb.get(key, _MISSING),
                        so.get(key, _MISSING),
                        st.get(key, _MISSING),
                    )
                )
            if value is not _MISSING:
                out[key] = value
        if out:
            merged[section] = out
    result.changes.put_file(SETTINGS_FILE, dump_toml(merged))


def conflict_path(registry: str, uid: str) -> str:
    """Tree path of the open conflict entries of one record.

    Example:
        >>> conflict_path("artifact", "AbCd")
        'conflicts/artifact/AbCd.json'
    """
    return f"{CONFLICTS}/{registry}/{uid}.json"


_ENTRIES = msgspec.json.Decoder(list[dict[str, Any]])


def read_conflicts(snapshot: Snapshot, registry: str, uid: str) -> list[dict[str, Any]]:
    """The open conflict entries of a record at a snapshot ([] when none).

    Example:
        >>> read_conflicts(repo.snapshot(), "artifact", uid)  # doctest: +SKIP
    """
    data = snapshot.read_path(conflict_path(registry, uid))
    return [] if data is None else _ENTRIES.decode(data)


def _merge_conflict_files(
    git: GitStore,
    base: Snapshot,
    ours: Snapshot,
    theirs: Snapshot,
    result: MergeResult,
    ours_commit: str,
    theirs_commit: str,
) -> None:
    pending: dict[str, list[dict[str, Any]]] = {}
    for path, old, new in git.diff_paths(base.tree, theirs.tree, CONFLICTS):
        mine = ours.read_path(path)
        if new is None:
            if mine == old:
                pending[path] = []  # resolved on their side
            continue
        entries = _ENTRIES.decode(mine) if mine else []
        for entry in _ENTRIES.decode(new):
            if entry not in entries:
                entries.append(entry)
        pending[path] = entries
    when = utcnow_iso()
    for conflict in result.conflicts:
        path = conflict_path(conflict.registry, conflict.uid.replace("/", "_"))
        if path not in pending:
            data = ours.read_path(path)
            pending[path] = _ENTRIES.decode(data) if data else []
        pending[path].append(
            {
                "field": conflict.field,
                "base": None if conflict.base is _MISSING else conflict.base,
                "ours": None if conflict.ours is _MISSING else conflict.ours,
                "theirs": None if conflict.theirs is _MISSING else conflict.theirs,
                "ours_commit": ours_commit,
                "theirs_commit": theirs_commit,
                "merged_at": when,
            }
        )
    for path, entries in pending.items():
        data = msgspec.json.format(msgspec.json.encode(entries), indent=1) + b"\n"
        result.changes.put_file(path, data if entries else None)


def merge_file(path: str, base: bytes | None, ours: bytes, theirs: bytes) -> tuple[bytes, bool]:
    """Merge one file of the committed tree (for the git merge driver): bytes, clean?

    Records merge field by field (a scalar conflict keeps ours and is reported unclean);
    lookup entries merge as uid sets. Anything else is unclean unless one side is unchanged.

    Example:
        >>> merge_file("lookup/user.handle/ab/cd/x", b'["a"]', b'["a","b"]', b'["a"]')
        (b'["a","b"]', True)
    """
    if path.startswith(f"{RECORDS}/") and path.endswith(".json"):
        registry, _uid = uid_from_path(path)
        if registry in STRUCTS:
            base_rec = decode(registry, base) if base else None
            merged, conflicts = merge_record(
                base_rec, decode(registry, ours), decode(registry, theirs)
            )
            return encode(merged), not conflicts
    if path.startswith("lookup/"):
        dec = msgspec.json.Decoder(list[str])
        uids = merge_uid_lists(
            dec.decode(base) if base else None, dec.decode(ours), dec.decode(theirs)
        )
        return msgspec.json.encode(uids), True
    if ours == theirs or theirs == base:
        return ours, True
    if ours == base:
        return theirs, True
    return ours, False


__all__ = [
    "CONFLICTS",
    "DERIVED_FIELDS",
    "DICT_FIELDS",
    "FAMILIES",
    "SET_FIELDS",
    "FieldConflict",
    "MergeResult",
    "conflict_path",
    "elect_family",
    "merge_file",
    "merge_record",
    "merge_trees",
    "merge_uid_lists",
    "merge_values",
    "read_conflicts",
]
