"""describe() where a LaminDB user looks: dtypes, old versions, types and users by name (item 6)."""

from __future__ import annotations

import lamingit as ln


def _annotated(write):  # type: ignore[no-untyped-def]
    ln.Feature(name="gc_content", dtype=float).save()
    sample_type = ln.Record(name="Sample", is_type=True).save()
    sample = ln.Record(name="P53mutant1", type=sample_type).save()
    ln.Feature(name="sample", dtype=sample_type).save()
    artifact = ln.Artifact(write("a.csv", "x\n1\n"), key="a.csv").save()
    artifact.features.add_values({"gc_content": 0.55, "sample": "P53mutant1"})
    artifact.projects.add(ln.Project(name="Cancer Drug Screen 2025").save())
    artifact.records.add(sample)
    return artifact, sample


def test_features_have_a_dtype_column(repo, write) -> None:
    artifact, _ = _annotated(write)
    text = str(ln.Artifact.get(artifact.uid).describe(return_str=True))
    assert "gc_content  float                0.55" in text
    assert "sample      cat[Record[Sample]]  P53mutant1" in text
    assert ".projects  Project  Cancer Drug Screen 2025" in text
    assert ".records   Record   P53mutant1" in text


def test_old_version_says_it_is_not_the_latest(repo, write) -> None:
    first = ln.Artifact(write("a.csv", "v1\n"), key="a.csv").save()
    second = ln.Artifact(write("a.csv", "v2\n"), key="a.csv").save()
    old = str(ln.Artifact.get(first.uid).describe(return_str=True))
    assert f"! not the latest version; the latest is {second.uid} (version 2)" in old
    assert "not the latest" not in str(second.describe(return_str=True))


def test_record_type_and_creator_by_name(repo, write) -> None:
    ln.login("alice", name="Alice Liddell")
    _, sample = _annotated(write)
    text = str(sample.describe(return_str=True))
    assert f"type: Sample ({sample.type.uid})" in text
    assert "created_by: alice" in text
    run = ln.Run(transform=ln.Transform(key="clean.py", kind="script")).save()
    run.input_artifacts.add(ln.Artifact.get(key="a.csv"))
    described = str(run.describe(return_str=True))
    assert "transform: clean.py (" in described
    assert "inputs: a.csv" in described
    assert "created_by: alice" in described
