"""Lineage: artifact.run/.transform/.input_of, the graph, its SVG, cycles, and the CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import lamingit as ln
from lamingit.api.core.links import creates_cycle
from lamingit.api.present.lineage import lineage_graph
from lamingit.api.present.lineage_svg import layout, render_svg
from lamingit.api.track import abandon
from lamingit.cli.main import cli
from lamingit.models import ArtifactRecord, RunRecord, TransformRecord
from lamingit.records import ChangeSet
from lamingit.session import SESSION

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _no_leftover_run() -> Iterator[None]:
    yield
    abandon()


def _step(name: str, inputs: list[ln.Artifact], output: Path, key: str) -> ln.Artifact:
    run = ln.Run(transform=ln.Transform(key=name, kind="script"))
    run.save()
    from lamingit.api.core.commit import commit
    from lamingit.api.core.view import LIVE
    from lamingit.records import replace

    def link(changes: ChangeSet) -> None:
        record = changes.get("run", run.uid)
        assert record is not None
        changes.put(replace(record, inputs=sorted(a.uid for a in inputs)))

    if inputs:
        commit(link, LIVE, "link")
    return ln.Artifact(output, key=key, run=ln.Run.get(run.uid)).save()


@pytest.fixture
def chain(repo: Path, write) -> dict[str, ln.Artifact]:  # type: ignore[no-untyped-def]
    """raw → [clean.py] → clean → [model.py] → model, fig; clean → [report.py] → report."""
    raw = ln.Artifact(write("raw.csv", "r\n1\n"), key="raw.csv").save()
    clean = _step("clean.py", [raw], write("clean.csv", "c\n1\n"), "clean.csv")
    model = _step("model.py", [clean], write("model.txt", "m\n"), "model.txt")
    fig_run = model.run
    fig = ln.Artifact(write("fig.png", b"\x89PNG fig"), key="figures/fig.png", run=fig_run).save()
    report = _step("report.py", [clean], write("report.md", "# r\n"), "report.md")
    return {"raw": raw, "clean": clean, "model": model, "fig": fig, "report": report}


def test_relations(chain: dict[str, ln.Artifact]) -> None:
    clean = chain["clean"]
    assert clean.run.transform.key == "clean.py"
    assert clean.transform.key == "clean.py"
    assert sorted(r.transform.key for r in clean.input_of) == ["model.py", "report.py"]
    assert [a.key for a in chain["model"].run.inputs] == ["clean.csv"]
    assert sorted(a.key for a in chain["model"].run.outputs) == ["figures/fig.png", "model.txt"]
    assert ln.Transform.get(key="model.py").runs.count() == 1
    runs = ln.Run.filter(inputs=clean).to_list()
    assert sorted(a.key for a in ln.Artifact.filter(run__in=runs)) == [
        "figures/fig.png",
        "model.txt",
        "report.md",
    ]
    assert ln.Artifact.filter(transform=ln.Transform.get(key="clean.py")).one().key == "clean.csv"


def test_graph_has_upstream_and_downstream(chain: dict[str, ln.Artifact]) -> None:
    graph = chain["clean"].view_lineage(return_graph=True).lineage
    labels = {n.uid: n.label for n in graph.nodes}
    edges = {(labels[a], labels[b]) for a, b in graph.edges}
    assert edges == {
        ("raw.csv", "clean.py"),
        ("clean.py", "clean.csv"),
        ("clean.csv", "model.py"),
        ("model.py", "model.txt"),
        ("model.py", "figures/fig.png"),
        ("clean.csv", "report.py"),
        ("report.py", "report.md"),
    }
    assert {n.kind for n in graph.nodes} == {"artifact", "run"}
    # Upstream of a leaf does not include siblings' branches.
    leaf = lineage_graph(chain["report"])
    assert {n.label for n in leaf.nodes} == {
        "raw.csv",
        "clean.py",
        "clean.csv",
        "report.py",
        "report.md",
    }


def test_svg_is_valid_and_layered(chain: dict[str, ln.Artifact], tmp_path: Path) -> None:
    out = chain["clean"].view_lineage(path=str(tmp_path / "l.svg"))
    assert out == tmp_path / "l.svg"
    root = ET.parse(out).getroot()
    assert root.tag == f"{SVG}svg"
    nodes = root.findall(f".//{SVG}g")
    assert len(nodes) == 8
    assert len(root.findall(f".//{SVG}path[@class='edge']")) == 7
    graph = lineage_graph(chain["clean"])
    pos = layout(graph)
    for a, b in graph.edges:
        assert pos[a][1] < pos[b][1]  # every edge points down a layer
    by_layer: dict[float, list[tuple[float, float]]] = {}
    for x, y, w in pos.values():
        by_layer.setdefault(y, []).append((x, x + w))
    for spans in by_layer.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # no overlap


def test_default_file_from_a_script(chain: dict[str, ln.Artifact]) -> None:
    out = chain["fig"].view_lineage()
    assert out.name == "lineage_figures_fig.png.svg"
    assert out.read_text().startswith("<svg")


def test_cycles_never_hang(repo: Path) -> None:
    """A cycle written by hand (or merged from two clones) is drawn, with a dashed back edge."""
    from lamingit.session import current_identity

    me = current_identity().uid
    now = "2026-01-01T00:00:00+00:00"
    base: dict[str, Any] = {"created_at": now, "created_by": me, "updated_at": now}
    t = TransformRecord(uid="Tcyc000000000000", key="loop.py", kind="script", **base)
    a_uid, b_uid = "A" + "a" * 19, "B" + "b" * 19
    r1 = RunRecord(uid="R1" + "x" * 18, transform=t.uid, started_at=now, inputs=[b_uid], **base)
    r2 = RunRecord(uid="R2" + "x" * 18, transform=t.uid, started_at=now, inputs=[a_uid], **base)
    a = ArtifactRecord(uid="A" + "a" * 19, key="a.txt", hash="h1", run=r1.uid, **base)
    b = ArtifactRecord(uid="B" + "b" * 19, key="b.txt", hash="h2", run=r2.uid, **base)

    def build(changes: ChangeSet) -> None:
        for record in (t, r1, r2, a, b):
            changes.put(record)

    SESSION.repository().transact(build, author=("t", "t@x"))
    artifact = ln.Artifact.get(key="a.txt")
    graph = artifact.view_lineage(return_graph=True).lineage
    assert len(graph.nodes) == 4
    assert len(graph.edges) == 4
    svg = render_svg(graph)
    assert "stroke-dasharray" in svg
    ET.fromstring(svg)
    snap_changes = ChangeSet(SESSION.repository().snapshot())
    assert creates_cycle(snap_changes, r1.uid, b.uid)
    assert not creates_cycle(snap_changes, "Rzzzzzzzzzzzzzzzzzzz", b.uid)


def test_input_that_would_close_a_cycle_is_not_linked(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    """run makes mine; derive() reads mine and makes derived; run then reads derived.

    Linking derived as an input of run would close run → mine → derive → derived → run.
    """
    other = ln.Artifact(write("other.txt", "o\n"), key="other.txt").save()
    run = ln.track(capture_output=False)
    mine = ln.Artifact(write("mine.txt", "m\n"), key="mine.txt").save()

    @ln.tracked()
    def derive() -> ln.Artifact:
        text = ln.Artifact.get(key="mine.txt").load()
        return ln.Artifact(write("derived.txt", text * 2), key="derived.txt").save()

    derived = derive()
    assert [a.uid for a in derived.run.inputs] == [mine.uid]
    assert derived.run.initiated_by_run.uid == run.uid
    derived.load()  # descends from this run: not linked
    mine.load()  # the run's own output: not linked
    other.load()  # unrelated: linked
    ln.finish()
    finished = ln.Run.get(run.uid)
    assert [a.key for a in finished.inputs] == ["other.txt"]
    changes = ChangeSet(SESSION.repository().snapshot())
    assert creates_cycle(changes, run.uid, derived.uid)
    assert not creates_cycle(changes, run.uid, other.uid)
    graph = derived.view_lineage(return_graph=True).lineage
    assert len(graph.edges) == 4  # run → mine → derive → derived, no loop back


def test_cli_lineage_writes_svg_and_json(chain: dict[str, ln.Artifact], tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli.svg"
    result = runner.invoke(cli, ["lineage", "clean.csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "5 artifacts, 3 runs, 7 edges" in result.output
    ET.parse(out)
    result = runner.invoke(cli, ["lineage", chain["raw"].uid, "--json"])
    data = json.loads(result.output)
    assert data["focus"] == chain["raw"].uid
    assert len(data["nodes"]) == 8


def test_cli_track_and_finish(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    ref = ln.Artifact(write("ref.fa", ">chr1\nACGT\n"), key="ref.fa").save()
    script = write("align.sh", "#!/bin/sh\nbwa mem ref.fa reads.fq > out.sam\n")
    log = write("align.log", "aligned 10 reads\n")
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "track",
            "--source",
            str(script),
            "--param",
            "threads=4",
            "--param",
            "genome=hg38",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    uids = json.loads(result.output)
    run = ln.Run.get(uids["run"])
    assert run.status == "started"
    assert run.params == {"threads": 4, "genome": "hg38"}
    assert run.transform.key == "align.sh"
    out = ln.Artifact(write("out.sam", "@HD\n"), key="out.sam", run=run).save()
    result = runner.invoke(cli, ["finish", run.uid, "--input", "ref.fa", "--report", str(log)])
    assert result.exit_code == 0, result.output
    run = ln.Run.get(run.uid)
    assert run.status == "completed"
    assert [a.uid for a in run.inputs] == [ref.uid]
    assert run.report == "aligned 10 reads\n"
    assert out.run.uid == run.uid
    result = runner.invoke(cli, ["track", "--param", "x"])
    assert result.exit_code != 0


def test_view_lineage_inline_in_a_kernel(chain: dict[str, ln.Artifact], tmp_path: Path) -> None:
    """In a Jupyter-like shell the SVG is displayed, not written to a file."""
    import os
    import subprocess
    import sys

    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "shown = []\n"
        "shell.display_pub.publish = lambda data, **kw: shown.append(data)\n"
        "import lamingit as ln\n"
        "result = ln.Artifact.get(key='clean.csv').view_lineage()\n"
        "assert result is None, result\n"
        "assert shown and shown[0]['image/svg+xml'].startswith('<svg'), shown\n"
        "print('inline ok')\n"
    )
    env = dict(os.environ, LAMINGIT_REPO=str(SESSION.repository().root))
    env["PYTHONPATH"] = str(Path(ln.__file__).resolve().parents[1])
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "inline ok" in proc.stdout
    assert not list(tmp_path.glob("*.svg"))
