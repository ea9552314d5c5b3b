"""view_lineage(return_graph=True) returns a graphviz.Digraph, as in LaminDB (issue 18, item 9)."""

from __future__ import annotations

import shutil
from pathlib import Path

import graphviz
import pytest

import lamingit as ln


@pytest.fixture
def chain(repo, write):  # type: ignore[no-untyped-def]
    fetch = ln.Run(transform=ln.Transform(key="fetch.py", kind="script")).save()
    raw = ln.Artifact(write("raw.csv", "r\n1\n"), key="raw.csv", run=fetch).save()
    clean = ln.Run(transform=ln.Transform(key="clean.py", kind="script")).save()
    clean.input_artifacts.add(raw)
    out = ln.Artifact(write("clean.csv", "c\n1\n"), key="clean.csv", run=clean).save()
    return raw, out, clean


def test_return_graph_is_a_digraph_with_nodes_and_edges(chain) -> None:  # type: ignore[no-untyped-def]
    raw, out, clean = chain
    dot = out.view_lineage(return_graph=True)
    assert isinstance(dot, graphviz.Digraph)
    source = dot.source
    assert source.startswith("digraph")
    assert "rankdir=LR" in source
    unquoted = source.replace('"', "")  # graphviz quotes ids that start with a digit
    assert f"{raw.uid} -> {clean.uid}" in unquoted
    assert f"{clean.uid} -> {out.uid}" in unquoted
    assert 'label="clean.csv\\n' in source and 'label="clean.py' in source
    assert "\n\t" in source and "csv\n" not in source  # line breaks are DOT escapes
    assert "mistyrose" in source  # the artifact asked about is highlighted
    assert {n.label for n in dot.lineage.nodes} >= {"raw.csv", "clean.py", "clean.csv"}


def test_plain_view_lineage_still_writes_svg_without_graphviz(chain, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = chain
    path = out.view_lineage(path=str(tmp_path / "l.svg"))
    assert Path(path).read_text().lstrip().startswith("<svg")


def test_transform_view_parents_returns_a_digraph(chain) -> None:  # type: ignore[no-untyped-def]
    dot = ln.Transform.get(key="clean.py").view_parents(return_graph=True)
    assert isinstance(dot, graphviz.Digraph)
    assert 'label="fetch.py' in dot.source


@pytest.mark.skipif(shutil.which("dot") is None, reason="rendering needs the graphviz binary")
def test_render_with_the_system_binary(chain, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = chain
    rendered = out.view_lineage(return_graph=True).render(tmp_path / "lineage", format="svg")
    assert Path(rendered).read_text().count("<svg") == 1
