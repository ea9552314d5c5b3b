"""``lamingit log`` targets: stems and names come from the structs, the API agrees with them."""

from __future__ import annotations

from pathlib import Path

import lamingit as ln
from lamingit.api.core.catalog import classes
from lamingit.api.core.versioning import IsVersioned
from lamingit.models import STRUCTS
from lamingit.remote.history import family_stems, name_lookups, resolve_targets
from lamingit.session import SESSION


def test_versioned_classes_and_structs_declare_the_same_stems() -> None:
    versioned = {}
    for cls in classes().values():
        struct = STRUCTS[cls._registry]
        if issubclass(cls, IsVersioned):
            versioned[cls._registry] = cls._stem_length
        else:
            assert struct.stem_length == 0, cls.__name__  # a stem without versions
    # a registry versioned in the API but not in its struct (or the other way) is a drift
    assert family_stems() == versioned
    assert {"artifact", "transform", "collection"} <= set(versioned)


def test_name_lookups_are_those_the_records_write(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    first = ln.Artifact(write("a.csv", "x\n1\n"), key="data/a.csv").save()
    ln.Artifact(write("a.csv", "x\n2\n"), key="data/a.csv").save()
    ln.Feature(name="depth", dtype="float").save()
    ln.Project(name="atlas").save()
    ln.Collection([first], key="sets/one").save()
    ln.Transform(key="clean.py", kind="script").save()
    snapshot = SESSION.repository().snapshot()
    declared = dict(name_lookups())
    proved = set()
    for registry in STRUCTS:
        for record in snapshot.iter_records(registry):
            for name, value in record.lookups():
                field = name.split(".", 1)[1]
                if name.startswith(f"{registry}.") and getattr(record, field, None) == value:
                    if field == "hash":
                        continue
                    # a lookup by a plain field: `lamingit log VALUE` must know it
                    assert declared.get(registry) == name, (registry, name)
                    proved.add(registry)
    assert proved >= {"artifact", "collection", "feature", "project", "transform", "user"}
    collection = resolve_targets(snapshot, "sets/one")
    assert [r for r, _ in collection] == ["collection"]
    versions = resolve_targets(snapshot, "data/a.csv")
    assert len(versions) == 2 and {r for r, _ in versions} == {"artifact"}
