"""The transform graph: a transform's parents (transitively) and, optionally, its children.

Transforms can form cycles (a reads b's output in one run, b reads a's in another), so
every walk keeps a visited set and stops at ``MAX_NODES``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lamingit.api.present.lineage import MAX_NODES, LineageGraph, Node, show_graph
from lamingit.models import TransformRecord
from lamingit.query import Q

if TYPE_CHECKING:
    from lamingit.api.present.lineage_digraph import Digraph
    from lamingit.api.registries.transform import Transform


def _node(record: TransformRecord) -> Node:
    label = record.key or record.description or record.uid
    version = f" · v{record.version}" if record.version else ""
    return Node(record.uid, "transform", label, f"{record.kind} · {record.uid[:8]}…{version}")


def transform_graph(transform: Transform, with_children: bool = False) -> LineageGraph:
    """``transform``, its ancestors along ``parents`` and (``with_children``) descendants.

    Edges point from parent to child.

    Example:
        >>> [n.label for n in transform_graph(ln.Transform.get(key="model.py")).nodes]  # doctest: +SKIP
        ['model.py', 'clean.py']
    """
    view = transform._obj_view
    snapshot = view.snapshot()
    start = transform._record
    graph = LineageGraph(start.uid)
    nodes: dict[str, Node] = {start.uid: _node(start)}
    edges: set[tuple[str, str]] = set()
    stack = [start]
    while stack and len(nodes) < MAX_NODES:
        record = stack.pop()
        for uid in record.parents:
            edges.add((uid, record.uid))
            if uid in nodes:
                continue
            parent = snapshot.find("transform", uid)
            if isinstance(parent, TransformRecord):
                nodes[uid] = _node(parent)
                stack.append(parent)
    frontier = {start.uid} if with_children else set()
    while frontier and len(nodes) < MAX_NODES:
        fresh: set[str] = set()
        for child in view.select("transform", Q(parents__in=sorted(frontier))):
            assert isinstance(child, TransformRecord)
            edges.update((p, child.uid) for p in child.parents if p in frontier)
            if child.uid not in nodes:
                nodes[child.uid] = _node(child)
                fresh.add(child.uid)
        frontier = fresh
    graph.nodes = list(nodes.values())
    graph.edges = sorted((a, b) for a, b in edges if a in nodes and b in nodes)
    graph.truncated = len(nodes) >= MAX_NODES
    return graph


def view_parents(
    transform: Transform,
    with_children: bool = False,
    return_graph: bool = False,
    path: str | None = None,
) -> Digraph | Path | None:
    """Render the transform graph; see ``Transform.view_parents``.

    Example:
        >>> view_parents(ln.Transform.get(key="model.py"))  # doctest: +SKIP
        PosixPath('lineage_model.py.svg')
    """
    graph = transform_graph(transform, with_children=with_children)
    name = (transform.key or transform.uid).replace("/", "_")
    if return_graph:
        from lamingit.api.present.lineage_digraph import to_digraph

        return to_digraph(graph, f"lineage_{name}")
    return show_graph(graph, path, f"lineage_{name}.svg", transform.key or transform.uid)


__all__ = ["transform_graph", "view_parents"]
