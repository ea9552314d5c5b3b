"""``lamingit track`` / ``lamingit finish``: runs for steps that are not Python (shell, Make).

``track`` records a transform and a started run and prints the run uid; the step's outputs
are saved with ``ln.Artifact(path, run=ln.Run.get(UID))``; ``finish`` completes the run,
optionally linking the inputs the step read. ``track … -- CMD`` runs CMD as the run, watched.
"""

from __future__ import annotations

import json
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
    from lamingit._util import random_base62, utcnow_iso
    from lamingit.api.core.commit import commit, new_record_fields
    from lamingit.api.core.links import link_parents
    from lamingit.api.core.view import LIVE
    from lamingit.api.track import _script_transform
    from lamingit.models import RunRecord
    from lamingit.records import ChangeSet
    from lamingit.tracking.environment import packages

    info = _source_info(source, key, kind)
    values = _parse_params(params)
    input_uids = _artifact_uids(inputs)
    if command:
        _run_command(info, description, values, input_uids, watch, list(command))
        return
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
        link_parents(changes, record.uid, input_uids)
        result["transform"] = record.uid

    commit(build, LIVE, "track")
    if as_json:
        click.echo(json.dumps({"run": run_uid, "transform": result["transform"]}))
    else:
        click.echo(run_uid)


def _run_command(
    info: Any,
    description: str | None,
    params: dict[str, object],
    input_uids: list[str],
    watch: tuple[str, ...],
    command: list[str],
) -> None:
    import subprocess
    import sys

    from lamingit.api import track as track_api
    from lamingit.api.core.commit import commit
    from lamingit.api.core.links import link_parents
    from lamingit.api.core.view import LIVE
    from lamingit.models import RunRecord
    from lamingit.records import ChangeSet, replace

    run = track_api.track(
        params=params,
        watch=list(watch),
        capture_output=False,
        description=description,
        source=info,
    )
    if input_uids:

        def link(changes: ChangeSet) -> None:
            record = changes.get("run", run.uid)
            assert isinstance(record, RunRecord)
            changes.put(replace(record, inputs=sorted({*record.inputs, *input_uids})))
            link_parents(changes, record.transform, input_uids)

        commit(link, LIVE, "link inputs")
    lines: list[str] = []
    try:
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
    except OSError as exc:
        track_api._finalize("errored", note=f"could not start {command[0]}: {exc}\n")
        raise click.ClickException(f"could not start {command[0]!r}: {exc}") from None
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    code = proc.wait()
    note = "".join(lines) + (f"[exit code {code}]\n" if code else "")
    track_api._finalize("completed" if code == 0 else "errored", note=note)
    if code:
        sys.exit(code)


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
    from lamingit.api.core.commit import commit
    from lamingit.api.core.links import creates_cycle, link_parents
    from lamingit.api.core.view import LIVE
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
        link_parents(changes, run.transform, linked)

    commit(build, LIVE, "finish")
    click.echo(f"finished run {run_uid} ({status})")
