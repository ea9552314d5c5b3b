"""Lineage: the graph artifacts → runs → artifacts around one artifact, drawn as SVG.

Upstream is followed by point lookups (an artifact names its run, a run lists its inputs);
downstream by one query per level (runs whose inputs contain the frontier, then their
outputs). Visited sets make every walk finite, whatever the data holds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lamingit.models import ArtifactRecord, CollectionRecord, RunRecord, TransformRecord
from lamingit.query import Q

if TYPE_CHECKING:
    from lamingit.api.core.view import View
    from lamingit.api.present.lineage_digraph import Digraph
    from lamingit.api.registries.artifact import Artifact

MAX_NODES = 2000
"""A lineage drawing stops growing here (a huge graph is unreadable anyway)."""


@dataclass(frozen=True)
class Node:
    """One node of a lineage graph: an artifact or a run."""

    uid: str
    kind: str
    label: str
    detail: str = ""


@dataclass
class LineageGraph:
    """Nodes and directed edges (``(source uid, target uid)``) around ``focus``.

    Example:
        >>> graph = lineage_graph(artifact)  # doctest: +SKIP
        >>> [(n.kind, n.label) for n in graph.nodes]  # doctest: +SKIP
    """

    focus: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    truncated: bool = False

    def node(self, uid: str) -> Node | None:
        """The node with ``uid``, or None."""
        return next((n for n in self.nodes if n.uid == uid), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for ``--json`` and notebooks)."""
        return {
            "focus": self.focus,
            "nodes": [n.__dict__ for n in self.nodes],
            "edges": [list(e) for e in self.edges],
            "truncated": self.truncated,
        }


class _Builder:
    def __init__(self, view: View, focus: str) -> None:
        self.view = view
        self.snapshot = view.snapshot()
        self.graph = LineageGraph(focus)
        self._ids: set[str] = set()
        self._edges: set[tuple[str, str]] = set()

    def full(self) -> bool:
        return len(self._ids) >= MAX_NODES

    def add_artifact(self, record: ArtifactRecord) -> None:
        if record.uid in self._ids:
            return
        self._ids.add(record.uid)
        label = record.key or record.description or record.uid
        detail = f"artifact · {record.uid[:8]}… · v{record.version}" if record.version else ""
        self.graph.nodes.append(Node(record.uid, "artifact", label, detail))

    def add_run(self, record: RunRecord) -> None:
        if record.uid in self._ids:
            return
        self._ids.add(record.uid)
        transform = self.snapshot.find("transform", record.transform)
        name = record.transform
        kind = "run"
        if isinstance(transform, TransformRecord):
            name = transform.key or transform.description or transform.uid
            kind = transform.kind
        detail = f"{kind} run · {record.started_at[:16].replace('T', ' ')}"
        self.graph.nodes.append(Node(record.uid, "run", name, detail))

    def add_collection(self, record: CollectionRecord) -> None:
        if record.uid in self._ids:
            return
        self._ids.add(record.uid)
        label = record.key or record.description or record.uid
        detail = f"collection · {len(record.artifacts)} artifacts · v{record.version}"
        self.graph.nodes.append(Node(record.uid, "collection", label, detail))

    def collections_of(self, artifact_uid: str) -> None:
        """The collections that hold ``artifact_uid`` (an edge from it to each)."""
        for found in self.view.select("collection", Q(artifacts=artifact_uid, trashed=False)):
            if isinstance(found, CollectionRecord) and not self.full():
                self.add_collection(found)
                self.edge(artifact_uid, found.uid)

    def edge(self, source: str, target: str) -> None:
        if (source, target) not in self._edges:
            self._edges.add((source, target))
            self.graph.edges.append((source, target))

    def upstream(self, start: ArtifactRecord) -> None:
        stack = [start]
        seen_runs: set[str] = set()
        seen: set[str] = set()
        while stack and not self.full():
            record = stack.pop()
            if record.uid in seen:
                continue
            seen.add(record.uid)
            self.add_artifact(record)
            if record.run is None:
                continue
            run = self.snapshot.find("run", record.run)
            if not isinstance(run, RunRecord):
                continue
            self.add_run(run)
            self.edge(run.uid, record.uid)
            if run.uid in seen_runs:
                continue
            seen_runs.add(run.uid)
            for uid in run.inputs:
                parent = self.snapshot.find("artifact", uid)
                if isinstance(parent, ArtifactRecord):
                    self.add_artifact(parent)
                    self.edge(uid, run.uid)
                    stack.append(parent)

    def downstream(self, start: ArtifactRecord) -> None:
        frontier = {start.uid}
        seen_artifacts = {start.uid}
        seen_runs: set[str] = set()
        while frontier and not self.full():
            runs = [
                r
                for r in self.view.select("run", Q(inputs__in=sorted(frontier)))
                if isinstance(r, RunRecord) and not r.trashed
            ]
            fresh: list[str] = []
            for run in runs:
                self.add_run(run)
                for uid in run.inputs:
                    if uid in frontier:
                        self.edge(uid, run.uid)
                if run.uid not in seen_runs:
                    seen_runs.add(run.uid)
                    fresh.append(run.uid)
            frontier = set()
            if not fresh:
                break
            for out in self.view.select("artifact", Q(run__in=fresh, trashed=False)):
                assert isinstance(out, ArtifactRecord)
                self.add_artifact(out)
                self.edge(str(out.run), out.uid)
                if out.uid not in seen_artifacts:
                    seen_artifacts.add(out.uid)
                    frontier.add(out.uid)
        self.graph.truncated = self.full()


def lineage_graph(artifact: Artifact) -> LineageGraph:
    """The upstream and downstream lineage of ``artifact`` as data.

    Example:
        >>> lineage_graph(ln.Artifact.get(key="hits.parquet")).edges  # doctest: +SKIP
    """
    record = artifact._record
    builder = _Builder(artifact._obj_view, record.uid)
    builder.upstream(record)
    builder.downstream(record)
    builder.collections_of(record.uid)
    return builder.graph


def collection_lineage_graph(collection: Any) -> LineageGraph:
    """A collection's lineage: its members' upstream lineage, each member → the collection,
    and the run that made it.

    Example:
        >>> collection_lineage_graph(ln.Collection.get(key="batches")).nodes  # doctest: +SKIP
    """
    record = collection._record
    builder = _Builder(collection._obj_view, record.uid)
    builder.add_collection(record)
    for uid in record.artifacts:
        member = builder.snapshot.find("artifact", uid)
        if isinstance(member, ArtifactRecord):
            builder.upstream(member)
            builder.edge(uid, record.uid)
    run = builder.snapshot.find("run", record.run) if record.run else None
    if isinstance(run, RunRecord):
        builder.add_run(run)
        builder.edge(run.uid, record.uid)
    builder.graph.truncated = builder.full()
    return builder.graph


def _in_notebook() -> bool:
    import sys

    module = sys.modules.get("IPython")
    if module is None:
        return False
    try:
        shell = module.get_ipython()
    except Exception:
        return False
    return shell is not None and type(shell).__name__ != "TerminalInteractiveShell"


def view_lineage(
    artifact: Artifact, return_graph: bool = False, path: str | None = None
) -> Digraph | Path | None:
    """Render ``artifact``'s lineage; see ``Artifact.view_lineage``.

    Returns a ``graphviz.Digraph`` (``return_graph=True``; its ``.lineage`` is the plain
    ``LineageGraph``), else displays the SVG inline in Jupyter
    (returning None) or writes it (to ``path``, default ``./lineage_<key>.svg``) and
    returns the file's path.

    Example:
        >>> view_lineage(artifact)  # doctest: +SKIP
        PosixPath('lineage_hits.svg')
    """
    graph = lineage_graph(artifact)
    if return_graph:
        from lamingit.api.present.lineage_digraph import to_digraph

        return to_digraph(graph, default_filename(artifact).removesuffix(".svg"))
    return show_graph(graph, path, default_filename(artifact), artifact.key or artifact.uid)


def show_graph(graph: LineageGraph, path: str | None, default_name: str, label: str) -> Path | None:
    """Display ``graph`` inline in Jupyter (None), else write its SVG and return the path.

    Example:
        >>> show_graph(graph, None, "lineage_a.svg", "a.csv")  # doctest: +SKIP
        PosixPath('lineage_a.svg')
    """
    # Loaded here, not at import: xml.sax.saxutils pulls in urllib and email (~15 ms) that
    # every `import` of an artifact would otherwise pay.
    from lamingit.api.present.lineage_svg import render_svg

    svg = render_svg(graph)
    if path is None and _in_notebook():
        from IPython.display import SVG, display

        display(SVG(svg))
        return None
    target = Path(path) if path is not None else Path.cwd() / default_name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(svg)
    print(f"lineage of {label} written to {target}")
    return target


def default_filename(artifact: Artifact) -> str:
    """``lineage_<key with / → _>.svg`` (or the uid when there is no key).

    Example:
        >>> default_filename(artifact)  # doctest: +SKIP
        'lineage_figures_umap.png.svg'
    """
    stem = (artifact.key or artifact.uid).replace(os.sep, "_").replace("/", "_")
    return f"lineage_{stem}.svg"


__all__ = [
    "LineageGraph",
    "Node",
    "collection_lineage_graph",
    "lineage_graph",
    "view_lineage",
]
