"""Lookups through the API: every operator, relations, dict fields, features, Q trees, errors."""

from __future__ import annotations

import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument


@pytest.fixture
def data(repo, write):  # type: ignore[no-untyped-def]
    ln.Feature(name="gc_content", dtype=float).save()
    ln.Feature(name="read_count", dtype=int).save()
    ln.Feature(name="experiment_date", dtype="date").save()
    ln.Feature(name="cell_type", dtype=str).save()
    ln.Feature(name="study_metadata", dtype=dict).save()
    t = ln.Transform(key="preprocess.py", kind="script")
    run = ln.Run(transform=t, params={"learning_rate": 0.01, "downsample": True}).save()
    a = ln.Artifact(write("raw/a.csv", "1"), key="raw/a.csv", run=run).save()
    b = ln.Artifact(write("b.parquet", "bb"), key="proc/b.parquet", description="Batch B").save()
    c = ln.Artifact(write("c.txt", "ccc"), key="notes/C.txt").save()
    a.features.add_values(
        {
            "gc_content": 0.55,
            "read_count": 2_000_000,
            "experiment_date": "2025-10-31",
            "study_metadata": {"assay": {"type": "RNA-seq"}, "detail1": "123"},
        }
    )
    b.features.add_values(
        {
            "gc_content": 0.4,
            "read_count": 10,
            "cell_type": "T cell",
            "study_metadata": {"assay": {"type": "ATAC"}},
        }
    )
    c.features.add_values({"read_count": 1_500_000})
    return {"a": a, "b": b, "c": c, "run": run, "t": t}


def keys(qs) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(x.key for x in qs)


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        ({"key": "raw/a.csv"}, ["raw/a.csv"]),
        ({"key__exact": "raw/a.csv"}, ["raw/a.csv"]),
        ({"key__iexact": "NOTES/c.TXT"}, ["notes/C.txt"]),
        ({"size__gt": 2}, ["notes/C.txt"]),
        ({"size__gte": 2}, ["notes/C.txt", "proc/b.parquet"]),
        ({"size__lt": 3}, ["proc/b.parquet", "raw/a.csv"]),
        ({"size__lte": 3}, ["notes/C.txt", "proc/b.parquet", "raw/a.csv"]),
        ({"suffix__in": [".csv", ".txt"]}, ["notes/C.txt", "raw/a.csv"]),
        ({"size__range": [2, 3]}, ["notes/C.txt", "proc/b.parquet"]),
        ({"key__contains": "/C"}, ["notes/C.txt"]),
        ({"key__icontains": "/c"}, ["notes/C.txt"]),
        ({"key__startswith": "raw/"}, ["raw/a.csv"]),
        ({"key__istartswith": "RAW/"}, ["raw/a.csv"]),
        ({"key__endswith": ".parquet"}, ["proc/b.parquet"]),
        ({"description__isnull": False}, ["proc/b.parquet"]),
        ({"key__regex": r"^(raw|proc)/"}, ["proc/b.parquet", "raw/a.csv"]),
        ({"run__transform__key": "preprocess.py"}, ["raw/a.csv"]),
        ({"transform__key__startswith": "pre"}, ["raw/a.csv"]),
        ({"created_by__handle": "testuser1"}, ["notes/C.txt", "proc/b.parquet", "raw/a.csv"]),
        ({"run__params__learning_rate": 0.01}, ["raw/a.csv"]),
        ({"run__isnull": True}, ["notes/C.txt", "proc/b.parquet"]),
        ({"gc_content": 0.55}, ["raw/a.csv"]),
        ({"read_count__gt": 1_000_000}, ["notes/C.txt", "raw/a.csv"]),
        ({"gc_content__gte": 0.5, "gc_content__lte": 0.6}, ["raw/a.csv"]),
        ({"experiment_date": "2025-10-31"}, ["raw/a.csv"]),
        ({"experiment_date__lt": "2026-01-01"}, ["raw/a.csv"]),
        ({"cell_type__isnull": False}, ["proc/b.parquet"]),
        ({"cell_type__isnull": True}, ["notes/C.txt", "raw/a.csv"]),
        ({"study_metadata__assay__type": "RNA-seq"}, ["raw/a.csv"]),
        ({"study_metadata__detail1": "123"}, ["raw/a.csv"]),
        ({"study_metadata__assay__type__in": ["RNA-seq", "ATAC"]}, ["proc/b.parquet", "raw/a.csv"]),
    ],
)
def test_lookup(data, lookup, expected) -> None:
    assert keys(ln.Artifact.filter(**lookup)) == expected
    assert ln.Artifact.filter(**lookup).count() == len(expected)


def test_q_combinations_and_order(data) -> None:
    Q = ln.Q
    assert keys(ln.Artifact.filter(Q(suffix=".csv") | Q(suffix=".txt"))) == [
        "notes/C.txt",
        "raw/a.csv",
    ]
    assert keys(ln.Artifact.filter(~Q(suffix=".csv"))) == ["notes/C.txt", "proc/b.parquet"]
    assert keys(ln.Artifact.filter(Q(read_count__gt=100) & ~Q(gc_content__isnull=True))) == [
        "raw/a.csv"
    ]
    ordered = ln.Artifact.filter().order_by("-size")
    assert [x.key for x in ordered] == ["notes/C.txt", "proc/b.parquet", "raw/a.csv"]
    assert ln.Artifact.filter(run=data["run"]).one() == data["a"]
    assert ln.Artifact.filter(transform=data["t"]).one() == data["a"]
    assert ln.Artifact.filter(run__in=ln.Run.filter(params__downsample=True)).one() == data["a"]
    assert ln.Run.filter(params__learning_rate=0.01).one() == data["run"]
    assert ln.Run.filter(params__learning_rate__gt=0.1).count() == 0


def test_runs_by_inputs(data) -> None:
    run = data["run"]
    from lamingit.api.core.commit import commit
    from lamingit.records import replace

    commit(
        lambda ch: ch.put(replace(ch.get("run", run.uid), inputs=[data["b"].uid])),
        run._obj_view,
        "x",
    )
    assert ln.Run.filter(inputs=data["b"]).one().uid == run.uid
    assert ln.Run.filter(input_artifacts=data["b"]).count() == 1
    assert ln.Run.filter(inputs__key="proc/b.parquet").count() == 1


def test_unknown_keyword_lists_fields_and_features(data) -> None:
    with pytest.raises(InvalidArgument) as info:
        ln.Artifact.filter(treatment="DMSO")
    msg = str(info.value)
    assert "'treatment' is neither a field of Artifact nor a feature" in msg
    assert "key" in msg and "suffix" in msg
    assert "gc_content" in msg and "study_metadata" in msg
    assert "\n" not in msg
    with pytest.raises(InvalidArgument, match="not a field of Transform"):
        ln.Artifact.filter(run__transform__nonsense=1)
    with pytest.raises(InvalidArgument, match="needs a list"):
        ln.Artifact.filter(key__in="a")


def test_to_dataframe_includes(data) -> None:
    df = ln.Artifact.filter().to_dataframe(include="features")
    assert df.index.name == "uid"
    assert df.loc[data["a"].uid, "gc_content"] == 0.55
    assert df.loc[data["b"].uid, "cell_type"] == "T cell"
    df2 = ln.Artifact.filter(key="raw/a.csv").to_dataframe(
        include=["created_by__handle", "run__transform__key"]
    )
    assert df2.iloc[0]["created_by__handle"] == "testuser1"
    assert df2.iloc[0]["run__transform__key"] == "preprocess.py"
    assert ln.Artifact.to_dataframe(limit=2).shape[0] == 2


def test_every_registry_answers(data) -> None:
    assert ln.Transform.filter(key="preprocess.py").count() == 1
    assert ln.Feature.filter(name__startswith="gc").one().dtype == "float"
    assert ln.User.get(handle="testuser1").handle == "testuser1"
    assert ln.User.lookup().testuser1.handle == "testuser1"
    assert ln.Artifact.filter(created_by=ln.User.get(handle="testuser1")).count() == 3
    assert ln.Transform.search("preprocess").first() == data["t"]
    assert ln.Feature.lookup().read_count.dtype == "int"
