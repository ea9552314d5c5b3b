"""``lamingit track`` / ``lamingit finish``: runs for steps that are not Python (shell, Make).

``track`` records a transform and a started run and prints the run uid; the step's outputs
are saved with ``--run UID`` (or ``ln.Artifact(path, run=ln.Run.get(UID))``); ``finish``
completes the run, optionally linking the inputs the step read.
"""

from __future__ import annotations

import json
from pathlib import Path

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
    from lamingit.api.artifact import Artifact
    from lamingit.errors import DoesNotExist

    uids = []
    for ref in refs:
        try:
            uids.append(Artifact.get(key=ref).uid)
        except DoesNotExist:
            uids.append(Artifact.get(ref).uid)
    return uids


@click.command()
@click.option(
    "--source", type=click.Path(exists=True, dir_okay=False), help="The step's code file."
)
@click.option("--key", help="Transform key (default: --source relative to its git repository).")
@click.option("--kind", default="script", show_default=True, help="script, pipeline, upload, …")
@click.option("--description", help="Transform description.")
@click.option("--param", "params", multiple=True, help="NAME=VALUE (JSON values allowed).")
@click.option("--input", "inputs", multiple=True, help="Artifact key or uid the step reads.")
@click.option("--json", "as_json", is_flag=True, help="Print run and transform uids as JSON.")
def track(
    source: str | None,
    key: str | None,
    kind: str,
    description: str | None,
    params: tuple[str, ...],
    inputs: tuple[str, ...],
    as_json: bool,
) -> None:
    """Start a run of a non-Python step and print its uid.

    Example: RUN=$(lamingit track --source align.sh --param genome=hg38 --input reads.fastq.gz)
    """
    from lamingit._util import random_base62, utcnow_iso
    from lamingit.api.base import new_record_fields
    from lamingit.api.functions import commit
    from lamingit.api.track import _script_transform
    from lamingit.api.view import LIVE
    from lamingit.models import RunRecord
    from lamingit.records import ChangeSet
    from lamingit.tracking.environment import packages
    from lamingit.tracking.source import SourceInfo, git_origin

    if source is None and key is None:
        raise click.UsageError("give --source FILE or --key NAME")
    if source is not None:
        path = Path(source).resolve()
        root, git_commit = git_origin(path)
        info = SourceInfo(
            path,
            key or (path.relative_to(root).as_posix() if root is not None else path.name),
            path.name,
            kind,
            path.read_text(errors="replace"),
            git_commit,
        )
    else:
        assert key is not None
        info = SourceInfo(None, key, key, kind, "", None)
    values = _parse_params(params)
    input_uids = _artifact_uids(inputs)
    run_uid = random_base62(20)
    result: dict[str, str] = {}

    def build(changes: ChangeSet) -> None:
        record, _ = _script_transform(changes, info, None, description, [])
        changes.put(
            RunRecord(
                **new_record_fields(run_uid),
                transform=record.uid,
                started_at=utcnow_iso(),
                params=values,
                environment=packages(),
                inputs=sorted(set(input_uids)),
            ),
            f"start run {run_uid} of transform {record.uid} ({info.key})",
        )
        result["transform"] = record.uid

    commit(build, LIVE, "track")
    if as_json:
        click.echo(json.dumps({"run": run_uid, "transform": result["transform"]}))
    else:
        click.echo(run_uid)


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
    from lamingit._util import utcnow_iso
    from lamingit.api.functions import commit
    from lamingit.api.lineage import creates_cycle
    from lamingit.api.view import LIVE
    from lamingit.errors import DoesNotExist
    from lamingit.models import RunRecord
    from lamingit.records import ChangeSet, replace
    from lamingit.session import SESSION

    repo = SESSION.repository()
    if not isinstance(repo.snapshot().find("run", run_uid), RunRecord):
        raise DoesNotExist(f"no run {run_uid!r}; start one with `lamingit track`")
    input_uids = _artifact_uids(inputs)
    report_oid = repo.blobs.put_bytes(Path(report).read_bytes()) if report else None

    def build(changes: ChangeSet) -> None:
        run = changes.get("run", run_uid)
        assert isinstance(run, RunRecord)
        linked = [u for u in input_uids if not creates_cycle(changes, run_uid, u)]
        changes.put(
            replace(
                run,
                finished_at=utcnow_iso(),
                status=status,
                inputs=sorted({*run.inputs, *linked}),
                report=report_oid or run.report,
                updated_at=utcnow_iso(),
            ),
            f"finish run {run_uid} ({status})",
        )

    commit(build, LIVE, "finish")
    click.echo(f"finished run {run_uid} ({status})")
