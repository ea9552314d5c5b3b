"""``view_lineage(return_graph=True)``: a lineage graph as a ``graphviz.Digraph``, as LaminDB returns.

The only graphviz user; the Python package builds the object without the system ``dot`` binary
(only ``.render()``/``.pipe()`` need it). Imported on first use, never by ``import lamingit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Other modules name the type through this one (the only graphviz user).
    from graphviz import Digraph

    from lamingit.api.present.lineage import LineageGraph

_STYLE = {
    "artifact": {"shape": "box", "style": "rounded,filled", "fillcolor": "honeydew"},
    "run": {"shape": "box", "style": "filled", "fillcolor": "gainsboro"},
    "transform": {"shape": "box", "style": "filled", "fillcolor": "gainsboro"},
}
_FOCUS = {"fillcolor": "mistyrose", "penwidth": "2"}


def to_digraph(graph: LineageGraph, name: str) -> Digraph:
    """A ``graphviz.Digraph`` of ``graph`` (left to right, the focus highlighted), carrying the
    plain data as ``.lineage`` (nodes, edges, ``to_dict()``).

    Example:
        >>> dot = to_digraph(lineage_graph(artifact), "lineage_a.csv")  # doctest: +SKIP
        >>> print(dot.source)  # doctest: +SKIP
    """
    import graphviz

    dot = graphviz.Digraph(name, graph_attr={"rankdir": "LR"}, node_attr={"fontsize": "10"})
    for node in graph.nodes:
        attrs = dict(_STYLE.get(node.kind, {}))
        if node.uid == graph.focus:
            attrs.update(_FOCUS)
        # "\\n" is DOT's line break inside a label (a raw newline would end up in the source)
        label = node.label if not node.detail else f"{node.label}\\n{node.detail}"
        dot.node(node.uid, label=label, **attrs)
    for source, target in graph.edges:
        dot.edge(source, target)
    dot.lineage = graph  # the data LaminDB's Digraph does not have: nodes, edges, truncated
    return dot


__all__ = ["to_digraph"]
