"""The index on disk: catch-up after other processes, deltas, compaction, loss of the directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

import lamingit as ln
from lamingit import index
from lamingit.index import rebuild, store
from lamingit.query import Q
from lamingit.router import scan
from lamingit.session import SESSION

ROOT = Path(__file__).resolve().parents[2]

OTHER = """
import sys, lamingit as ln
ln.connect(sys.argv[1])
ln.Record(name=sys.argv[2]).save()
"""


def _other_process_saves(repo_path: Path, name: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", OTHER, str(repo_path), name], check=True, env=env)


def _manifest(repo_path: Path) -> dict:  # type: ignore[type-arg]
    return msgspec.json.decode((repo_path / ".lamingit" / "index" / "manifest.json").read_bytes())


def test_query_sees_commit_of_another_process_via_delta(repo) -> None:
    ln.Record(name="mine").save()
    assert ln.Record.filter().count() == 1
    base = _manifest(repo)["base"]
    _other_process_saves(repo, "theirs")
    assert {r.name for r in ln.Record.filter()} == {"mine", "theirs"}
    manifest = _manifest(repo)
    assert manifest["base"] == base  # caught up by a delta, not rebuilt
    assert len(manifest["deltas"]) >= 1
    assert manifest["commit"] == SESSION.repository().git.head()


def test_fresh_process_reads_base_plus_deltas(repo) -> None:
    for i in range(3):
        ln.Record(name=f"r{i}").save()
        assert ln.Record.filter(name=f"r{i}").count() == 1
    SESSION.repository().index.forget()
    snap = SESSION.repository().snapshot()
    assert [r.uid for r in index.select(snap, "record", Q())] == [
        r.uid for r in scan(snap, "record", Q())
    ]


def test_deleting_the_index_loses_nothing(repo, write) -> None:
    ln.Feature(name="n", dtype=int).save()
    a = ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    a.features.add_values({"n": 5})
    assert ln.Artifact.filter(n=5).count() == 1
    shutil.rmtree(repo / ".lamingit" / "index")
    SESSION.repository().index.forget()
    assert ln.Artifact.filter(n=5).one() == a
    assert (repo / ".lamingit" / "index" / "manifest.json").exists()
    # and when it vanishes under a running process, the next catch-up writes it again
    shutil.rmtree(repo / ".lamingit" / "index")
    ln.Record(name="after").save()
    assert ln.Record.filter(name="after").count() == 1
    assert (repo / ".lamingit" / "index" / "manifest.json").exists()
    SESSION.repository().index.forget()
    assert ln.Record.filter(name="after").count() == 1


def test_compaction_folds_overlay(repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "COMPACT_RECORDS", 3)
    first = None
    for i in range(8):
        ln.Record(name=f"r{i}").save()
        assert ln.Record.filter().count() == i + 1
        first = first or _manifest(repo)["base"]
    assert _manifest(repo)["base"] != first
    state = index.state_for(SESSION.repository().snapshot())
    assert state.overlay_size() <= 3
    SESSION.repository().index.forget()
    assert sorted(r.name for r in ln.Record.filter()) == [f"r{i}" for i in range(8)]


def test_deleted_and_updated_records_leave_the_index(repo, write) -> None:
    a = ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    b = ln.Artifact(write("b.txt", "b"), key="b.txt").save()
    assert ln.Artifact.filter().count() == 2
    a.delete(permanent=True)
    b.description = "changed"
    b.save()
    assert [x.key for x in ln.Artifact.filter()] == ["b.txt"]
    assert ln.Artifact.filter(description="changed").one() == b
    assert ln.Artifact.filter(description__isnull=True).count() == 0


def test_index_files_vanishing_under_a_loaded_index(repo, write) -> None:
    ln.Feature(name="n", dtype=int).save()
    a = ln.Artifact(write("a.txt", "a"), key="a.txt", description="first").save()
    a.features.add_values({"n": 1})
    assert ln.Artifact.filter().count() == 1  # builds the index and writes it to disk
    SESSION.repository().index.forget()
    assert ln.Artifact.filter(n=1).count() == 1  # loads only what this query needs
    shutil.rmtree(repo / ".lamingit" / "index")  # e.g. another process' reindex
    # columns and records not read yet must still be found: the index reloads itself
    assert ln.Artifact.filter(description="first").one() == a
    assert ln.Artifact.filter(n=1).one().features["n"] == 1


def test_a_build_in_chunks_equals_one_in_one_go(
    repo, write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 2 records: the same base frame and value rows as one chunk, the same answers."""
    ln.Feature(name="n", dtype=int).save()
    ln.Feature(name="meta", dtype=dict).save()
    for i in range(7):
        a = ln.Artifact(write(f"{i}.txt", str(i)), key=f"{i}.txt").save()
        a.features.add_values({"n": i * 10**18, "meta": {"a": {"b": i % 3}}})
    snapshot = SESSION.repository().snapshot()
    whole = store.build_state(snapshot)
    monkeypatch.setattr(rebuild, "BUILD_CHUNK", 2)
    chunked = store.build_state(snapshot)
    for name, reg in whole.registries.items():
        mine = chunked.registries[name].base
        assert mine.with_json().equals(reg.base.with_json())
        order = ["row", "field", "path", "kind"]
        assert store._flat_values(mine).sort(order).equals(store._flat_values(reg.base).sort(order))
    shutil.rmtree(repo / ".lamingit" / "index")
    SESSION.repository().index.forget()
    for q in (Q(n__gt=2 * 10**18), Q(meta__a__b=1), Q(key__startswith="3")):
        assert [r.uid for r in index.select(snapshot, "artifact", q)] == [
            r.uid for r in scan(snapshot, "artifact", q)
        ]


@pytest.mark.parametrize("many", [10, 5000])
@pytest.mark.parametrize("odd", [b'{"a":"\xff ]]]"}', b'{"a":"\xc3\xa9 ]]]"}'])
def test_bounds_of_many_blobs_are_counted_as_one_by_one(many: int, odd: bytes) -> None:
    """Few blobs are checked one by one, many in polars: the same verdict either way."""
    from lamingit.models.codec import MAX_RECORD_BYTES

    ok = [b'{"a":[1,{"b":2}]}'] * many + [odd, b"[" * 64 + b"]" * 64]
    assert not rebuild._out_of_bounds(ok)
    assert rebuild._out_of_bounds([*ok, b"[" * 65 + b"]" * 65])
    assert rebuild._out_of_bounds([*ok, b'"' + b"x" * MAX_RECORD_BYTES + b'"'])
    assert rebuild._out_of_bounds([*ok, b"{" * 40 + b"[" * 40 + b"]" * 40 + b"}" * 40])


def test_value_rows_sort_by_field_path_and_row_on_one_integer_key() -> None:
    """The packed-key sort orders exactly as sorting by the strings does (unicode included)."""
    import polars as pl

    from lamingit.index.rows import SEP, VALUE_SCHEMA

    paths = ["b", "a", f"a{SEP}z", "é", "Z", "", "a"]
    frame = pl.DataFrame(
        {
            "row": [3, 1, 2, 0, 5, 4, 0],
            "field": [
                "features",
                "params",
                "features",
                "features",
                "params",
                "environment",
                "features",
            ],
            "path": paths,
            "kind": ["int"] * 7,
        }
    ).with_columns(
        pl.col("row").cast(pl.UInt32),
        *(
            pl.lit(None, dtype=t).alias(c)
            for c, t in VALUE_SCHEMA.items()
            if c not in ("row", "field", "path", "kind")
        ),
    )
    got = store._sorted_by_path(frame)
    assert got.equals(frame.sort("field", "path", "row"))
    assert store._sorted_by_path(frame.head(0)).height == 0
