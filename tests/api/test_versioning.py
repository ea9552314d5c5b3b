"""Version families (api/core/versioning.py): one rule set for artifacts, transforms and the
transforms of tracked scripts."""

from __future__ import annotations

from pathlib import Path

import lamingit as ln
from lamingit.api.core.commit import commit
from lamingit.api.core.versioning import IsVersioned, elect_latest, free_stem, next_version_uid
from lamingit.api.core.view import LIVE
from lamingit.records import ChangeSet


def _in_transaction(build):  # type: ignore[no-untyped-def]
    out = {}

    def wrapped(changes: ChangeSet) -> None:
        out["value"] = build(changes)

    commit(wrapped, LIVE, "test")
    return out["value"]


def test_artifact_and_transform_are_versioned() -> None:
    assert issubclass(ln.Artifact, IsVersioned) and issubclass(ln.Transform, IsVersioned)
    assert not issubclass(ln.Run, IsVersioned)
    assert (ln.Artifact._stem_length, ln.Transform._stem_length) == (16, 12)


def test_counters_count_up_per_family(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    v1 = ln.Artifact(write("a.csv", "1\n"), key="a.csv").save()
    v2 = ln.Artifact(write("a.csv", "2\n"), key="a.csv").save()
    assert v1.uid.endswith("0000") and v2.uid.endswith("0001")
    assert v1.stem_uid == v2.stem_uid == v1.uid[:16]
    uid, counter = _in_transaction(lambda c: next_version_uid(c, "artifact", v1.stem_uid))
    assert (uid, counter) == (v1.stem_uid + "0002", 2)
    fresh = _in_transaction(lambda c: next_version_uid(c, "artifact", "x" * 16))
    assert fresh == ("x" * 16 + "0000", 0)
    other = _in_transaction(lambda c: free_stem(c, "artifact", v1.stem_uid))
    assert len(other) == 16 and other != v1.stem_uid


def test_elect_latest_names_the_newest_version_not_in_the_trash(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    v1 = ln.Artifact(write("a.csv", "1\n"), key="a.csv").save()
    v2 = ln.Artifact(write("a.csv", "2\n"), key="a.csv").save()
    v2.delete()
    assert ln.Artifact.get(v1.uid).is_latest and not ln.Artifact.get(v2.uid).is_latest
    v2.restore()
    assert ln.Artifact.get(v2.uid).is_latest and not ln.Artifact.get(v1.uid).is_latest
    # A named winner overrides "newest" (a transform version given by uid).
    _in_transaction(lambda c: elect_latest(c, "artifact", v1.stem_uid, winner=v1.uid))
    assert [a.is_latest for a in v2.versions] == [False, True]


def test_a_transform_with_new_source_is_the_family_s_new_latest(repo: Path) -> None:
    t1 = ln.Transform(key="clean.py", kind="script", source_code="print(1)\n").save()
    t2 = ln.Transform(key="clean.py", kind="script", source_code="print(2)\n").save()
    assert t2.stem_uid == t1.stem_uid and t2.uid.endswith("0001")
    assert [t.uid for t in t2.versions] == [t2.uid, t1.uid]
    assert ln.Transform.get(t1.uid).is_latest is False and ln.Transform.get(t2.uid).is_latest
    assert ln.Transform.get(t1.stem_uid).uid == t2.uid
