"""Record-level three-way merge: pure logic on decoded records (plus hypothesis properties)."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from lamingit.merge import merge_file, merge_record, merge_uid_lists, merge_values
from lamingit.models import ArtifactRecord, RunRecord, encode


def _artifact(**fields: Any) -> ArtifactRecord:
    base: dict[str, Any] = {
        "uid": "A" * 16 + "0000",
        "created_at": "2026-01-01T00:00:00+00:00",
        "created_by": "u1",
        "hash": "h",
        "key": "a.csv",
    }
    base.update(fields)
    return ArtifactRecord(**base)


def _run(**fields: Any) -> RunRecord:
    base: dict[str, Any] = {
        "uid": "R" * 20,
        "created_at": "2026-01-01T00:00:00+00:00",
        "created_by": "u1",
        "transform": "T" * 16,
        "started_at": "t",
    }
    base.update(fields)
    return RunRecord(**base)


def test_different_fields_merge() -> None:
    base = _artifact()
    ours = msgspec.structs.replace(base, description="cleaned")
    theirs = msgspec.structs.replace(base, kind="dataset")
    merged, conflicts = merge_record(base, ours, theirs)
    assert conflicts == []
    assert merged.description == "cleaned"  # type: ignore[attr-defined]
    assert merged.kind == "dataset"  # type: ignore[attr-defined]


def test_same_scalar_two_ways_is_a_conflict_naming_record_and_field() -> None:
    base = _artifact(description="raw")
    ours = msgspec.structs.replace(base, description="ours")
    theirs = msgspec.structs.replace(base, description="theirs")
    merged, conflicts = merge_record(base, ours, theirs)
    assert merged.description == "ours"  # type: ignore[attr-defined]
    assert len(conflicts) == 1
    c = conflicts[0]
    assert (c.registry, c.uid, c.field, c.base, c.ours, c.theirs) == (
        "artifact",
        base.uid,
        "description",
        "raw",
        "ours",
        "theirs",
    )
    assert "description" in c.describe() and base.uid in c.describe()


def test_link_sets_merge_as_sets() -> None:
    base = _run(inputs=["a", "b"], projects=["p1"])
    ours = msgspec.structs.replace(base, inputs=["a", "b", "c"], projects=[])
    theirs = msgspec.structs.replace(base, inputs=["b", "d"], projects=["p1", "p2"])
    merged, conflicts = merge_record(base, ours, theirs)
    assert conflicts == []
    assert merged.inputs == ["b", "c", "d"]  # type: ignore[attr-defined]
    assert merged.projects == ["p2"]  # type: ignore[attr-defined]


def test_dicts_merge_per_key_and_conflict_per_key() -> None:
    base = _run(params={"lr": 0.1, "epochs": 3})
    ours = msgspec.structs.replace(base, params={"lr": 0.2, "epochs": 3, "seed": 1})
    theirs = msgspec.structs.replace(base, params={"lr": 0.3, "batch": 8})
    merged, conflicts = merge_record(base, ours, theirs)
    assert merged.params == {"lr": 0.2, "seed": 1, "batch": 8}  # type: ignore[attr-defined]
    assert [c.field for c in conflicts] == ["params.lr"]
    assert (conflicts[0].ours, conflicts[0].theirs) == (0.2, 0.3)


def test_timestamps_and_latest_flag_never_conflict() -> None:
    base = _artifact(updated_at="2026-01-01")
    ours = msgspec.structs.replace(base, updated_at="2026-01-03", is_latest=False)
    theirs = msgspec.structs.replace(base, updated_at="2026-01-02", is_latest=True, description="x")
    merged, conflicts = merge_record(base, ours, theirs)
    assert conflicts == []
    assert merged.updated_at == "2026-01-03"


def test_both_created_same_record() -> None:
    ours = _artifact(created_at="2026-01-02", projects=["p1"])
    theirs = _artifact(created_at="2026-01-01", projects=["p2"])
    merged, conflicts = merge_record(None, ours, theirs)
    assert conflicts == []
    assert merged.created_at == "2026-01-01"
    assert merged.projects == ["p1", "p2"]  # type: ignore[attr-defined]


def test_merge_file_for_records_and_lookups() -> None:
    base = _artifact(description="raw")
    ours = msgspec.structs.replace(base, description="o")
    theirs = msgspec.structs.replace(base, kind="k")
    path = f"records/artifact/A/A/{base.uid}.json"
    data, clean = merge_file(path, encode(base), encode(ours), encode(theirs))
    assert clean
    assert data == encode(msgspec.structs.replace(base, description="o", kind="k"))
    conflict = msgspec.structs.replace(base, description="t")
    data, clean = merge_file(path, encode(base), encode(ours), encode(conflict))
    assert not clean and data == encode(ours)
    merged, clean = merge_file("lookup/artifact.hash/ab/cd/x", b'["a"]', b'["a","b"]', b"[]")
    assert clean and merged == b'["b"]'


uids = st.lists(st.sampled_from(list("abcdefgh")), unique=True).map(sorted)


@given(uids, uids, uids)
def test_set_merge_is_symmetric_and_keeps_both_sides_additions(
    base: list[str], ours: list[str], theirs: list[str]
) -> None:
    merged = merge_uid_lists(base, ours, theirs)
    assert merged == merge_uid_lists(base, theirs, ours)
    assert merged == sorted(set(merged))
    for uid in set(ours) - set(base):
        assert uid in merged
    for uid in set(theirs) - set(base):
        assert uid in merged
    for uid in set(base) - set(ours):
        assert uid not in merged


scalars = st.one_of(st.none(), st.integers(-3, 3), st.sampled_from(["x", "y", "z"]))


@given(scalars, scalars, scalars)
def test_scalar_merge_rules(base: Any, ours: Any, theirs: Any) -> None:
    value, conflicts = merge_values("description", base, ours, theirs)
    if ours == theirs or theirs == base:
        assert (value, conflicts) == (ours, [])
    elif ours == base:
        assert (value, conflicts) == (theirs, [])
    else:
        assert value == ours and conflicts == ["description"]
