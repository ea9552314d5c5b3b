"""transform.parents: the transforms whose artifacts a transform's runs read (seed 004)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import lamingit as ln
from lamingit.api.track import abandon
from lamingit.cli.main import cli
from lamingit.merge import merge_record
from lamingit.models import TransformRecord
from lamingit.session import SESSION


@pytest.fixture(autouse=True)
def _no_leftover_run() -> Iterator[None]:
    yield
    abandon()


def _made_by(transform_key: str, key: str, content: str, write: Any) -> ln.Artifact:
    """An artifact saved by a run of the script ``transform_key``."""
    run = ln.Run(transform=ln.Transform(key=transform_key, kind="script")).save()
    return ln.Artifact(write(key, content), key=key, run=run).save()


def test_load_inside_a_run_adds_the_parent_transform(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    raw = _made_by("upload.py", "raw.csv", "a\n1\n", write)
    ln.track(transform=ln.Transform(key="analysis.py", kind="script"), capture_output=False)
    raw.load()
    ln.finish()
    upload = ln.Transform.get(key="upload.py")
    analysis = ln.Transform.get(key="analysis.py")
    assert [t.key for t in analysis.parents] == ["upload.py"]
    assert [t.key for t in analysis.predecessors] == ["upload.py"]
    assert [t.key for t in upload.children] == ["analysis.py"]
    assert [t.key for t in upload.successors] == ["analysis.py"]
    assert upload.parents.count() == 0
    # queryable like any other relation, through the Parquet index
    assert [t.key for t in ln.Transform.filter(parents=upload)] == ["analysis.py"]
    assert [t.key for t in ln.Transform.filter(parents__key="upload.py")] == ["analysis.py"]
    assert [t.key for t in ln.Transform.filter(predecessors=upload)] == ["analysis.py"]
    assert ln.Transform.filter(parents__key="analysis.py").count() == 0


def test_cache_and_open_link_parents_and_a_second_read_adds_nothing(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    a = _made_by("make_a.py", "a.txt", "a\n", write)
    b = _made_by("make_b.py", "b.txt", "b\n", write)
    c = _made_by("make_b.py", "c.txt", "c\n", write)  # same transform as b
    ln.track(transform=ln.Transform(key="use.py", kind="script"), capture_output=False)
    a.cache()
    with b.open() as fh:
        fh.read()
    head = SESSION.repository().git.head()
    a.cache()  # already linked: no new commit
    assert SESSION.repository().git.head() == head
    c.load()  # a new input, but its transform is already a parent
    ln.finish()
    use = ln.Transform.get(key="use.py")
    assert use._record.parents == sorted([a.transform.uid, b.transform.uid])
    assert len(use._record.parents) == len(set(use._record.parents))


def test_a_transform_is_never_its_own_parent(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    step = ln.Transform(key="incremental.py", kind="script")
    ln.track(transform=step, capture_output=False)
    first = ln.Artifact(write("state.txt", "1\n"), key="state.txt").save()
    ln.finish()
    ln.track(transform=ln.Transform.get(key="incremental.py"), capture_output=False)
    assert first.load() == "1\n"
    ln.finish()
    runs = ln.Transform.get(key="incremental.py").runs.order_by("started_at").to_list()
    assert [a.key for a in runs[1].inputs] == ["state.txt"]  # the run input is linked...
    assert ln.Transform.get(key="incremental.py")._record.parents == []  # ...not a self-parent


def test_is_run_input_false_links_no_parent(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    a = _made_by("make_a.py", "a.txt", "a\n", write)
    ln.track(transform=ln.Transform(key="peek.py", kind="script"), capture_output=False)
    a.load(is_run_input=False)
    ln.finish()
    assert ln.Transform.get(key="peek.py")._record.parents == []


def test_a_plain_read_seen_by_the_watcher_links_the_parent_at_finish(
    repo: Path, write, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir()
    source = data / "genes.tsv"
    source.write_text("gene\nTP53\n")
    run = ln.Run(transform=ln.Transform(key="register.py", kind="script")).save()
    genes = ln.Artifact(source, key="genes.tsv", run=run).save()
    ln.track(
        transform=ln.Transform(key="count.sh", kind="script"),
        watch=[data],
        capture_output=False,
    )
    subprocess.run(["cat", str(source)], check=True, capture_output=True)
    ln.finish()
    count = ln.Transform.get(key="count.sh")
    assert [a.uid for a in count.runs.one().inputs] == [genes.uid]
    assert [t.key for t in count.parents] == ["register.py"]


def test_tracked_function_gets_the_parent(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    _made_by("upload.py", "s.txt", "abc\n", write)

    @ln.tracked()
    def shout(key: str) -> ln.Artifact:
        text = ln.Artifact.get(key=key).load()
        return ln.Artifact(write("shout.txt", text.upper()), key="shout.txt").save()

    result = shout("s.txt")
    assert [t.key for t in result.run.transform.parents] == ["upload.py"]


def test_cli_track_and_finish_inputs_link_parents(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    _made_by("fetch.py", "ref.fa", ">chr1\nACGT\n", write)
    _made_by("trim.py", "reads.fq", "@r1\nACGT\n+\nIIII\n", write)
    runner = CliRunner()
    result = runner.invoke(cli, ["track", "--key", "align.sh", "--input", "ref.fa", "--json"])
    assert result.exit_code == 0, result.output
    run_uid = json.loads(result.output)["run"]
    assert [t.key for t in ln.Transform.get(key="align.sh").parents] == ["fetch.py"]
    result = runner.invoke(cli, ["finish", run_uid, "--input", "reads.fq"])
    assert result.exit_code == 0, result.output
    assert sorted(t.key for t in ln.Transform.get(key="align.sh").parents) == [
        "fetch.py",
        "trim.py",
    ]


def test_describe_and_transform_graph_show_parents(repo: Path, write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    raw = _made_by("upload.py", "raw.csv", "r\n", write)
    ln.track(transform=ln.Transform(key="clean.py", kind="script"), capture_output=False)
    raw.load()
    clean = ln.Artifact(write("clean.csv", "c\n"), key="clean.csv").save()
    ln.finish()
    ln.track(transform=ln.Transform(key="model.py", kind="script"), capture_output=False)
    clean.load()
    ln.finish()
    upload = ln.Transform.get(key="upload.py")
    model = ln.Transform.get(key="model.py")
    text = ln.Transform.get(key="clean.py").describe(return_str=True)
    assert text is not None and f"parents: upload.py ({upload.uid})" in text
    graph = model.view_parents(return_graph=True).lineage
    assert [n.label for n in graph.nodes] == ["model.py", "clean.py", "upload.py"]
    clean_t = ln.Transform.get(key="clean.py")
    assert sorted(graph.edges) == sorted([(upload.uid, clean_t.uid), (clean_t.uid, model.uid)])
    down = upload.view_parents(with_children=True, return_graph=True).lineage
    assert {n.label for n in down.nodes} == {"upload.py", "clean.py", "model.py"}
    svg = model.view_parents(path=str(tmp_path / "t.svg"))
    assert Path(svg).read_text().count('class="node transform"') == 3
    result = CliRunner().invoke(cli, ["lineage", "clean.py", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["focus"] == clean_t.uid and len(data["nodes"]) == 3 and len(data["edges"]) == 2
    result = CliRunner().invoke(cli, ["lineage", "nothing-like-this"])
    assert result.exit_code != 0


def test_transform_cycles_never_hang(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    a_out = _made_by("a.py", "a.txt", "a\n", write)
    b_out = _made_by("b.py", "b.txt", "b\n", write)
    ln.track(transform=ln.Transform.get(key="a.py"), capture_output=False)
    b_out.load()
    ln.finish()
    ln.track(transform=ln.Transform.get(key="b.py"), capture_output=False)
    a_out.load()
    ln.finish()
    a = ln.Transform.get(key="a.py")
    assert [t.key for t in a.parents] == ["b.py"]
    assert [t.key for t in ln.Transform.get(key="b.py").parents] == ["a.py"]
    graph = a.view_parents(with_children=True, return_graph=True).lineage
    assert len(graph.nodes) == 2 and len(graph.edges) == 2


def test_parents_merge_as_a_set() -> None:
    fields: dict[str, Any] = {
        "uid": "T" * 16,
        "created_at": "2026-01-01T00:00:00+00:00",
        "created_by": "u1",
        "key": "down.py",
    }
    base = TransformRecord(**fields, parents=["P1"])
    ours = TransformRecord(**fields, parents=["P1", "P2"], updated_at="2026-01-02")
    theirs = TransformRecord(**fields, parents=["P1", "P3"], updated_at="2026-01-03")
    merged, conflicts = merge_record(base, ours, theirs)
    assert conflicts == []
    assert isinstance(merged, TransformRecord) and merged.parents == ["P1", "P2", "P3"]
