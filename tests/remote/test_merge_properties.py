"""Property: any two diverged histories of artifact families merge into a consistent tree."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamingit._util import decode_counter, encode_counter
from lamingit.merge import elect_family, merge_trees
from lamingit.models import ArtifactRecord
from lamingit.records import ChangeSet, Snapshot, rebuild_lookups, replace
from lamingit.storage.git.store import GitStore

AUTHOR = ("p", "p@x")
STEMS = ["Aaaaaaaaaaaaaaaa", "Bbbbbbbbbbbbbbbb"]
KEYS = ["a.txt", "b.txt"]

op = st.one_of(
    st.tuples(st.just("version"), st.integers(0, 1), st.integers(0, 5)),
    st.tuples(st.just("describe"), st.integers(0, 1), st.sampled_from(["x", "y", None])),
    st.tuples(st.just("trash"), st.integers(0, 1), st.booleans()),
    st.tuples(st.just("family"), st.integers(0, 1), st.integers(0, 5)),
)


def _apply(git: GitStore, parent: str, ops: list[tuple[str, int, object]], side: str) -> str:
    head = parent
    for n, (kind, index, arg) in enumerate(ops):
        changes = ChangeSet(Snapshot(git, head))
        stem = STEMS[index]
        family = changes.uids_with_prefix("artifact", stem)
        if kind in ("version", "family"):
            if kind == "family":
                stem = f"{side}{n:02d}".ljust(16, "q")
                family = []
            counter = max((decode_counter(u[16:]) for u in family), default=-1) + 1
            changes.put(
                ArtifactRecord(
                    uid=stem + encode_counter(counter),
                    created_at=f"t{side}{n}",
                    created_by=side,
                    key=KEYS[index],
                    hash=f"h{arg}",
                    size=1,
                    version=str(counter + 1),
                )
            )
        elif family:
            record = changes.get("artifact", family[-1])
            assert isinstance(record, ArtifactRecord)
            if kind == "describe":
                changes.put(replace(record, description=arg))
            else:
                changes.put(replace(record, trashed=bool(arg)))
        elect_family(changes, "artifact", stem)
        if changes:
            head = git.write_commit(head, changes.to_changes(), f"{side} {n}", AUTHOR)
    return head


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(op, max_size=4), st.lists(op, max_size=4))
def test_merge_is_consistent(tmp_path: Path, ours_ops: list, theirs_ops: list) -> None:  # type: ignore[type-arg]
    gitdir = tmp_path / f"g{abs(hash((str(ours_ops), str(theirs_ops))))}"
    git = GitStore.init(gitdir)
    base_changes = ChangeSet(Snapshot(git, None))
    for stem, key in zip(STEMS, KEYS, strict=True):
        base_changes.put(
            ArtifactRecord(
                uid=stem + "0000",
                created_at="t0",
                created_by="b",
                key=key,
                hash=f"base-{key}",
                size=1,
                version="1",
            )
        )
    base = git.write_commit(None, base_changes.to_changes(), "base", AUTHOR)
    ours = _apply(git, base, ours_ops, "o")
    theirs = _apply(git, base, theirs_ops, "t")
    result = merge_trees(git, base, ours, theirs)
    merged = git.write_commit(ours, result.changes.to_changes(), "merge", AUTHOR, (theirs,))
    snap = Snapshot(git, merged)
    records = [r for r in snap.iter_records("artifact") if isinstance(r, ArtifactRecord)]
    # Exactly one latest per family with a live version; none in a fully trashed family.
    by_stem: dict[str, list[ArtifactRecord]] = {}
    for record in records:
        by_stem.setdefault(record.uid[:16], []).append(record)
    for members in by_stem.values():
        alive = [r for r in members if not r.trashed]
        latest = [r for r in members if r.is_latest]
        assert len(latest) == (1 if alive else 0)
        if alive:
            assert latest[0].uid == max(alive, key=lambda r: r.uid[16:]).uid
    # Derived lookups equal a rebuild from the records.
    assert dict(git.walk_blobs(snap.tree, "lookup")) == rebuild_lookups(snap)
    # Every version either side made survives (renumbered or deduplicated, never lost).
    contents = {(r.key, r.hash) for r in records}
    for side in (ours, theirs):
        for record in Snapshot(git, side).iter_records("artifact"):
            assert isinstance(record, ArtifactRecord)
            assert (record.key, record.hash) in contents
