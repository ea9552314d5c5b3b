"""``lamingit track`` / ``lamingit finish``: runs for steps that are not Python (shell, Make).

``track`` records a transform and a started run and prints the run uid; the step's outputs
are saved with ``ln.Artifact(path, run=ln.Run.get(UID))``; ``finish`` completes the run,
optionally linking the inputs the step read. ``track … -- CMD`` runs CMD as the run, watched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click


def _parse_params(items: tuple[str, ...]) -> dict[str, object]:
    params: dict[str, object] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--param {item!r}: write NAME=VALUE, e.g. --param lr=0.01")
        try:
            params[name] = json.loads(raw)
        except ValueError:
            params[name] = raw
    return params


def _artifact_uids(refs: tuple[str, ...]) -> list[str]:
    from lamingit.api.registries.artifact import Artifact
    from lamingit.errors import DoesNotExist

    uids = []
    for ref in refs:
        try:
            uids.append(Artifact.get(key=ref).uid)
        except DoesNotExist:
            uids.append(Artifact.get(ref).uid)
    return uids


def _source_info(source: str | None, key: str | None, kind: str) -> Any:
    from lamingit.tracking.source import SourceInfo, git_origin

    if source is None and key is None:
        raise click.UsageError("give --source FILE or --key NAME")
    if source is not None:
        path = Path(source).resolve()
        root, git_commit = git_origin(path)
        return SourceInfo(
            path,
            key or (path.relative_to(root).as_posix() if root is not None else path.name),
            path.name,
            kind,
            path.read_text(errors="replace"),
            git_commit,
        )
    assert key is not None
    return SourceInfo(None, key, key, kind, "", None)


@click.command(context_settings={"ignore_unknown_options": True})
@click.option(
    "--source", type=click.Path(exists=True, dir_okay=False), help="The step's code file."
)
@click.option("--key", help="Transform key (default: --source relative to its git repository).")
@click.option("--kind", default="script", show_default=True, help="script, pipeline, upload, …")
@click.option("--description", help="Transform description.")
@click.option("--param", "params", multiple=True, help="NAME=VALUE (JSON values allowed).")
@click.option("--input", "inputs", multiple=True, help="Artifact key or uid the step reads.")
@click.option(
    "--watch",
    "watch",
    multiple=True,
    type=click.Path(),
    help="With -- CMD: a file or directory whose reads by CMD become inputs.",
)
@click.option("--json", "as_json", is_flag=True, help="Print run and transform uids as JSON.")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def track(
    source: str | None,
    key: str | None,
    kind: str,
    description: str | None,
    params: tuple[str, ...],
    inputs: tuple[str, ...],
    watch: tuple[str, ...],
    as_json: bool,
    command: tuple[str, ...],
) -> None:
    """Start a run of a non-Python step and print its uid; or, after --, run CMD as that run.

    Without CMD the run stays open until `lamingit finish UID`. With `-- CMD ARGS…` the
    command runs under the run (LAMINGIT_RUN is set for it), the files it reads in --watch
    paths and the repository cache become inputs, its output becomes the run's report, and
    its exit code decides completed/errored (and is lamingit's exit code).

    Example: RUN=$(lamingit track --source align.sh --param genome=hg38 --input reads.fastq.gz)

    Example: lamingit track --key count-lines --watch data/ -- wc -l data/genes.tsv
    """
    from lamingit.api.steps import run_step, start_step

    info = _source_info(source, key, kind)
    values = _parse_params(params)
    input_uids = _artifact_uids(inputs)
    if command:
        try:
            code = run_step(
                info,
                list(command),
                description=description,
                params=values,
                inputs=input_uids,
                watch=list(watch),
            )
        except OSError as exc:
            raise click.ClickException(f"could not start {command[0]!r}: {exc}") from None
        if code:
            sys.exit(code)
        return
    run = start_step(info, description=description, params=values, inputs=input_uids)
    if as_json:
        click.echo(json.dumps({"run": run.uid, "transform": run.transform_uid}))
    else:
        click.echo(run.uid)


@click.command()
@click.argument("run_uid")
@click.option(
    "--status",
    type=click.Choice(["completed", "errored", "aborted"]),
    default="completed",
    show_default=True,
)
@click.option("--input", "inputs", multiple=True, help="Artifact key or uid the step read.")
@click.option("--report", type=click.Path(exists=True, dir_okay=False), help="Log file to keep.")
def finish(run_uid: str, status: str, inputs: tuple[str, ...], report: str | None) -> None:
    """Finish the run RUN_UID started by `lamingit track`.

    Example: lamingit finish "$RUN" --input reference.fa --report align.log
    """
    from lamingit.api.steps import finish_step

    finish_step(
        run_uid,
        status=status,
        inputs=_artifact_uids(inputs),
        report=Path(report) if report else None,
    )
    click.echo(f"finished run {run_uid} ({status})")
