"""ln.Record: types, same-name dedup, parents/children, recursive queries, lookup, search."""

from __future__ import annotations

import pytest

import lamingit as ln


def test_type_must_be_a_type_record(repo) -> None:
    plain = ln.Record(name="not-a-type").save()
    with pytest.raises(ValueError, match="is_type=True"):
        ln.Record(name="x", type=plain)
    with pytest.raises(ValueError, match="is_type=True"):
        ln.Record(name="x", type="Sample")  # type: ignore[arg-type]


def test_same_name_within_type_returns_existing(repo) -> None:
    sample = ln.Record(name="Sample", is_type=True).save()
    cell = ln.Record(name="CellLine", is_type=True).save()
    a = ln.Record(name="P53mutant1", type=sample).save()
    b = ln.Record(name="P53mutant1", type=sample).save()
    c = ln.Record(name="P53mutant1", type=cell).save()
    assert a.uid == b.uid
    assert c.uid != a.uid
    assert ln.Record.filter(name="P53mutant1").count() == 2
    assert ln.Record.get(name="P53mutant1", type=sample) == a
    assert a.type == sample


def test_parents_children_and_recursion_with_cycle(repo) -> None:
    sample = ln.Record(name="Sample", is_type=True).save()
    root = ln.Record(name="root", type=sample).save()
    mid = ln.Record(name="mid", type=sample).save()
    leaf = ln.Record(name="leaf", type=sample).save()
    mid.parents.add(root)
    leaf.parents.add(mid)
    assert [r.name for r in leaf.parents] == ["mid"]
    assert [r.name for r in root.children] == ["mid"]
    assert {r.name for r in leaf.query_parents()} == {"mid", "root"}
    assert {r.name for r in root.query_children()} == {"mid", "leaf"}
    root.parents.add(leaf)  # a cycle must not hang either direction
    assert {r.name for r in leaf.query_parents()} == {"mid", "root"}
    assert {r.name for r in root.query_children()} == {"mid", "leaf"}
    assert leaf.parents.to_dataframe().shape[0] == 1
    leaf.parents.remove(mid)
    assert leaf.parents.count() == 0
    with pytest.raises(ln.errors.InvalidArgument, match="own parent"):
        root.parents.add(root)


def test_type_records_and_query_records(repo) -> None:
    sample = ln.Record(name="Sample", is_type=True).save()
    sub = ln.Record(name="TumorSample", is_type=True, type=sample).save()
    ln.save([ln.Record(name=f"s{i}", type=sample) for i in range(3)])
    ln.Record(name="t1", type=sub).save()
    assert {r.name for r in sample.records} == {"s0", "s1", "s2", "TumorSample"}
    assert {r.name for r in sample.query_records()} == {"s0", "s1", "s2", "TumorSample", "t1"}
    assert ln.Record.filter(type=sample).count() == 4


def test_search_ranks_and_lookup(repo) -> None:
    sample = ln.Record(name="Sample", is_type=True).save()
    for name in ["WT-control", "P53mutant1", "p53", "my p53 line", "xp53"]:
        ln.Record(name=name, type=sample).save()
    names = [r.name for r in ln.Record.search("P53")]
    assert names == ["p53", "my p53 line", "P53mutant1", "xp53"]
    assert ln.Record.search("p53").to_dataframe().shape[0] == 4
    lookup = ln.Record.lookup()
    assert lookup.wt_control.name == "WT-control"
    assert lookup["P53mutant1"].name == "P53mutant1"
    with pytest.raises(AttributeError, match="known"):
        _ = lookup.nothing_like_this


def test_get_by_name_across_types_is_ambiguous(repo) -> None:
    sample = ln.Record(name="Sample", is_type=True).save()
    ln.Record(name="x").save()
    ln.Record(name="x", type=sample).save()
    with pytest.raises(ln.errors.MultipleResultsFound):
        ln.Record.get(name="x")
    assert ln.Record.get(name="x", type=sample).type == sample


def test_record_features_at_creation_and_from_dataframe(repo) -> None:
    import pandas as pd

    ln.Feature(name="age", dtype=int).save()
    ln.Feature(name="tissue", dtype=str).save()
    sample = ln.Record(name="Sample", is_type=True).save()
    donor = ln.Record(name="donor1", type=sample, features={"age": 42}).save()
    assert donor.features.get_values() == {"age": 42}
    assert ln.Record.filter(age=42).one() == donor
    with pytest.raises(ln.errors.ValidationError, match="'age' has dtype 'int'"):
        ln.Record(name="donor2", type=sample, features={"age": "old"}).save()
    assert ln.Record.filter(name="donor2").count() == 0  # nothing written
    df = pd.DataFrame({"age": [30, None], "tissue": ["lung", "liver"]}, index=["s1", "s2"])
    records = ln.Record.from_dataframe(df, type=sample)
    ln.save(records)
    assert ln.Record.get(name="s1").features.get_values() == {"age": 30, "tissue": "lung"}
    assert ln.Record.get(name="s2").features.get_values() == {"tissue": "liver"}
    assert {r.name for r in sample.records} == {"donor1", "s1", "s2"}
    with pytest.raises(ln.errors.ValidationError, match="does not exist"):
        ln.save(ln.Record.from_dataframe(pd.DataFrame({"name": ["x"], "unknown": [1]})))
