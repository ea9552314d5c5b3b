"""A small layered (Sugiyama-style) layout and SVG writer for lineage graphs: no graphviz.

Layers are longest-path ranks over the graph with back edges set aside (so a cycle in the
data cannot hang the layout), orders within a layer come from barycenter sweeps, and edges
are drawn as cubic curves with arrowheads.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from lamingit.api.present.lineage import LineageGraph

CHAR_W = 6.6
NODE_H = 44
LAYER_GAP = 64
NODE_GAP = 28
MARGIN = 24
MAX_LABEL = 44
STYLE = {
    "artifact": ("#e8f1fb", "#3b6ea8"),
    "run": ("#fdf1e3", "#c07a26"),
    "transform": ("#eaf6ea", "#3f8a3f"),
    "collection": ("#f3ecfa", "#7a4fa8"),
}


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    """Escaped text with the characters XML cannot hold (control chars) replaced by U+FFFD."""
    return escape(_INVALID_XML.sub("\ufffd", text), {'"': "&quot;"})


def _clip(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _acyclic_edges(ids: list[str], edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges minus back edges found by an iterative depth-first search."""
    succ: dict[str, list[str]] = {i: [] for i in ids}
    for a, b in edges:
        if a in succ and b in succ and a != b:
            succ[a].append(b)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    for root in ids:
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            if i < len(succ[node]):
                stack[-1] = (node, i + 1)
                child = succ[node][i]
                if state.get(child) == 1:
                    back.add((node, child))
                elif child not in state:
                    state[child] = 1
                    stack.append((child, 0))
            else:
                state[node] = 2
                stack.pop()
    return [(a, b) for a, b in edges if a in succ and b in succ and a != b and (a, b) not in back]


def layout(graph: LineageGraph) -> dict[str, tuple[float, float, float]]:
    """``uid → (x, y, width)`` of each node's top-left corner.

    Example:
        >>> layout(graph)[graph.focus]  # doctest: +SKIP
        (24.0, 132.0, 180.4)
    """
    ids = [n.uid for n in graph.nodes]
    dag = _acyclic_edges(ids, graph.edges)
    preds: dict[str, list[str]] = {i: [] for i in ids}
    succs: dict[str, list[str]] = {i: [] for i in ids}
    for a, b in dag:
        preds[b].append(a)
        succs[a].append(b)
    # Longest-path layering in topological order (Kahn).
    indegree = {i: len(preds[i]) for i in ids}
    queue = [i for i in ids if indegree[i] == 0]
    rank = dict.fromkeys(ids, 0)
    head = 0
    while head < len(queue):
        node = queue[head]
        head += 1
        for child in succs[node]:
            rank[child] = max(rank[child], rank[node] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                queue.append(child)
    layers: dict[int, list[str]] = {}
    for i in ids:
        layers.setdefault(rank[i], []).append(i)
    order = {i: idx for layer in layers.values() for idx, i in enumerate(layer)}
    levels = sorted(layers)
    for sweep in range(4):
        down = sweep % 2 == 0
        for level in levels if down else reversed(levels):
            neighbours = preds if down else succs

            def bary(node: str, nb: dict[str, list[str]] = neighbours) -> float:
                near = nb[node]
                return sum(order[n] for n in near) / len(near) if near else order[node]

            layers[level].sort(key=bary)
            for idx, node in enumerate(layers[level]):
                order[node] = idx
    labels = {n.uid: n for n in graph.nodes}
    width = {i: max(len(_clip(labels[i].label)), len(labels[i].detail)) * CHAR_W + 24 for i in ids}
    row_width = {
        lv: sum(width[i] for i in layers[lv]) + NODE_GAP * (len(layers[lv]) - 1) for lv in levels
    }
    widest = max(row_width.values(), default=0.0)
    pos: dict[str, tuple[float, float, float]] = {}
    for lv in levels:
        x = MARGIN + (widest - row_width[lv]) / 2
        y = MARGIN + lv * (NODE_H + LAYER_GAP)
        for node in layers[lv]:
            pos[node] = (x, y, width[node])
            x += width[node] + NODE_GAP
    return pos


def render_svg(graph: LineageGraph) -> str:
    """The graph as a standalone SVG document.

    Example:
        >>> render_svg(graph).startswith("<svg")  # doctest: +SKIP
        True
    """
    pos = layout(graph)
    total_w = max((x + w for x, _, w in pos.values()), default=0.0) + MARGIN
    total_h = max((y + NODE_H for _, y, _ in pos.values()), default=0.0) + MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w:.0f}" height="{total_h:.0f}" '
        f'viewBox="0 0 {total_w:.0f} {total_h:.0f}" font-family="Helvetica, Arial, sans-serif">',
        "<title>lineage</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#666"/></marker></defs>',
    ]
    for a, b in graph.edges:
        if a not in pos or b not in pos:
            continue
        ax, ay, aw = pos[a]
        bx, by, bw = pos[b]
        x1, y1 = ax + aw / 2, ay + NODE_H
        x2, y2 = bx + bw / 2, by
        dash = ""
        if by <= ay:  # a back edge of a cycle: route it around, dashed
            x1, y1, x2, y2 = ax + aw, ay + NODE_H / 2, bx + bw, by + NODE_H / 2
            bend = max(x1, x2) + 60
            d = f"M{x1:.1f},{y1:.1f} C{bend:.1f},{y1:.1f} {bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
            dash = ' stroke-dasharray="5,4"'
        else:
            mid = (y1 + y2) / 2
            d = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2:.1f}"
        parts.append(
            f'<path class="edge" data-source="{_xml(a)}" data-target="{_xml(b)}" d="{d}" '
            f'fill="none" stroke="#666" stroke-width="1.3"{dash} marker-end="url(#arrow)"/>'
        )
    for node in graph.nodes:
        x, y, w = pos[node.uid]
        fill, stroke = STYLE.get(node.kind, ("#eee", "#666"))
        focus = node.uid == graph.focus
        radius = 6 if node.kind == "artifact" else NODE_H / 2
        parts.append(
            f'<g class="node {_xml(node.kind)}" data-uid="{_xml(node.uid)}">'
            f"<title>{_xml(node.label)} ({_xml(node.uid)})</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{NODE_H}" rx="{radius}" '
            f'fill="{"#fff4b8" if focus else fill}" stroke="{stroke}" '
            f'stroke-width="{3 if focus else 1.4}"/>'
            f'<text x="{x + w / 2:.1f}" y="{y + 19:.1f}" text-anchor="middle" font-size="12" '
            f'fill="#222">{_xml(_clip(node.label))}</text>'
            f'<text x="{x + w / 2:.1f}" y="{y + 34:.1f}" text-anchor="middle" font-size="10" '
            f'fill="#666">{_xml(node.detail)}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
