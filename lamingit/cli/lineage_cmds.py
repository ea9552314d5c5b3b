"""``lamingit lineage REF``: write the lineage graph of an artifact (or of a transform) as SVG.

An artifact's graph is artifacts → runs → artifacts; a transform's graph is its parents and
children (the transforms whose outputs it read, and those that read its outputs).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from lamingit.cli.output import by_uid

if TYPE_CHECKING:
    from lamingit.api.core.base import Registry


def _find(ref: str) -> tuple[str, Any]:
    """("artifact" | "transform", the object) for a key or uid."""
    from lamingit.api.registries.artifact import Artifact
    from lamingit.api.registries.transform import Transform
    from lamingit.errors import DoesNotExist

    registries: tuple[tuple[str, type[Registry]], ...] = (
        ("artifact", Artifact),
        ("transform", Transform),
    )
    for registry, cls in registries:
        found = by_uid(cls, ref)
        if found is not None:
            return registry, found
        try:
            return registry, cls.get(key=ref)
        except DoesNotExist:
            continue
    raise DoesNotExist(
        f"no artifact or transform with key or uid {ref!r}; "
        "list them with `lamingit ls` or `lamingit search QUERY --registry transform`"
    )


@click.command()
@click.argument("key_or_uid")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="SVG file to write.")
@click.option("--json", "as_json", is_flag=True, help="Print nodes and edges as JSON instead.")
def lineage(key_or_uid: str, output: str | None, as_json: bool) -> None:
    """Draw the lineage of the artifact (or transform) KEY_OR_UID as SVG.

    For an artifact: its upstream and downstream artifacts and runs. For a transform (when
    no artifact has that key or uid): its parent and child transforms. Writes
    ./lineage_<key>.svg unless -o is given; no graphviz needed.

    Example: lamingit lineage figures/umap.png -o umap-lineage.svg
    """
    from lamingit.api.present.lineage import default_filename, lineage_graph
    from lamingit.api.present.lineage_svg import render_svg
    from lamingit.api.present.transform_graph import transform_graph

    registry, obj = _find(key_or_uid)
    if registry == "artifact":
        graph = lineage_graph(obj)
        path = output or default_filename(obj)
    else:
        graph = transform_graph(obj, with_children=True)
        path = output or f"lineage_{(obj.key or obj.uid).replace('/', '_')}.svg"
    if as_json:
        click.echo(json.dumps(graph.to_dict(), indent=1))
        return
    with open(path, "w") as fh:
        fh.write(render_svg(graph))
    if registry == "transform":
        click.echo(f"{path}: {len(graph.nodes)} transforms, {len(graph.edges)} edges")
        return
    n_runs = sum(1 for n in graph.nodes if n.kind == "run")
    click.echo(
        f"{path}: {len(graph.nodes) - n_runs} artifacts, {n_runs} runs, {len(graph.edges)} edges"
    )
