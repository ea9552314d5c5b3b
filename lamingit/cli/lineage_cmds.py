"""``lamingit lineage KEY``: write an artifact's lineage graph as SVG (or print it as JSON)."""

from __future__ import annotations

import json

import click


@click.command()
@click.argument("key_or_uid")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="SVG file to write.")
@click.option("--json", "as_json", is_flag=True, help="Print nodes and edges as JSON instead.")
def lineage(key_or_uid: str, output: str | None, as_json: bool) -> None:
    """Draw the upstream and downstream lineage of the artifact KEY_OR_UID as SVG.

    Writes ./lineage_<key>.svg unless -o is given; no graphviz needed.

    Example: lamingit lineage figures/umap.png -o umap-lineage.svg
    """
    from lamingit.api.artifact import Artifact
    from lamingit.api.lineage import default_filename, lineage_graph
    from lamingit.api.lineage_svg import render_svg
    from lamingit.errors import DoesNotExist

    try:
        artifact = Artifact.get(key=key_or_uid)
    except DoesNotExist:
        artifact = Artifact.get(key_or_uid)
    graph = lineage_graph(artifact)
    if as_json:
        click.echo(json.dumps(graph.to_dict(), indent=1))
        return
    path = output or default_filename(artifact)
    with open(path, "w") as fh:
        fh.write(render_svg(graph))
    n_runs = sum(1 for n in graph.nodes if n.kind == "run")
    click.echo(
        f"{path}: {len(graph.nodes) - n_runs} artifacts, {n_runs} runs, {len(graph.edges)} edges"
    )
