"""Property tests of the lineage layout: any graph, cyclic or not, lays out finitely and legibly."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from lamingit.api.present.lineage import LineageGraph, Node
from lamingit.api.present.lineage_svg import NODE_H, layout, render_svg

graphs = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n, unique=True
        ),
    )
)


@settings(max_examples=150, deadline=None)
@given(graphs, st.text(max_size=60))
def test_any_graph_lays_out_without_overlap(
    spec: tuple[int, list[tuple[int, int]]], label: str
) -> None:
    n, pairs = spec
    nodes = [
        Node(f"n{i}", "artifact" if i % 2 else "run", f"{label}{i}", "detail") for i in range(n)
    ]
    graph = LineageGraph("n0", nodes, [(f"n{a}", f"n{b}") for a, b in pairs])
    pos = layout(graph)
    assert set(pos) == {node.uid for node in nodes}
    rows: dict[float, list[tuple[float, float]]] = {}
    for x, y, w in pos.values():
        assert w > 0
        rows.setdefault(y, []).append((x, x + w))
    for spans in rows.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    ys = sorted(rows)
    assert all(b - a >= NODE_H for a, b in zip(ys, ys[1:], strict=False))
    root = ET.fromstring(render_svg(graph))  # escaped, well-formed whatever the labels hold
    assert len(root.findall("{http://www.w3.org/2000/svg}g")) == n
