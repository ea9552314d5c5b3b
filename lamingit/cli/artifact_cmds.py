"""CLI commands for artifacts: save, load, describe, ls, delete, restore."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import click

from lamingit.cli.output import by_uid, emit_json, emit_table

LS_COLUMNS = ("uid", "key", "description", "version", "size", "created_by", "created_at")


def _artifact(ref: str) -> Any:
    """An artifact by uid, 16-character stem or key (latest version)."""
    from lamingit.api.registries.artifact import Artifact
    from lamingit.errors import DoesNotExist

    found = by_uid(Artifact, ref)
    if found is not None:
        return found
    try:
        return Artifact.get(key=ref)
    except DoesNotExist:
        raise DoesNotExist(
            f"no artifact with uid or key {ref!r}; list them with `lamingit ls`"
        ) from None


def _output_run(run_uid: str | None, allow_finished: bool) -> Any:
    """The run a saved artifact becomes an output of: ``--run``, else ``$LAMINGIT_RUN``.

    An explicit ``--run`` must name a run of this repository that is still started (unless
    ``allow_finished``); ``$LAMINGIT_RUN`` is only a default, used when it names such a run.
    """
    import os

    from lamingit.api.registries.run import Run
    from lamingit.errors import DoesNotExist, InvalidArgument

    if run_uid is None:
        env_uid = os.environ.get("LAMINGIT_RUN")
        found = by_uid(Run, env_uid) if env_uid else None
        if found is None or found.trashed or found.finished_at is not None:
            return None
        return found
    found = by_uid(Run, run_uid)
    if found is None or found.trashed:
        raise DoesNotExist(
            f"no run {run_uid!r} in this repository; start one with `lamingit track` "
            "(or look it up with `lamingit search QUERY --registry run`)"
        )
    if found.finished_at is not None and not allow_finished:
        raise InvalidArgument(
            f"run {run_uid} already finished ({found.status} at {found.finished_at[:19]}); "
            "save its outputs before `lamingit finish`, or pass --allow-finished"
        )
    return found


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--key", default=None, help="Logical path of the artifact, e.g. raw/sample.fasta.")
@click.option("--description", default=None, help="Free-text description.")
@click.option("--version", "version_tag", default=None, help="A version tag such as 1.0.")
@click.option(
    "--run",
    "run_uid",
    default=None,
    metavar="RUN_UID",
    help="Save as an output of this run (e.g. from `lamingit track`); default $LAMINGIT_RUN.",
)
@click.option(
    "--allow-finished", is_flag=True, help="With --run: accept a run that already finished."
)
@click.option("--json", "as_json", is_flag=True, help="Print the saved artifact as JSON.")
def save(
    path: Path,
    key: str | None,
    description: str | None,
    version_tag: str | None,
    run_uid: str | None,
    allow_finished: bool,
    as_json: bool,
) -> None:
    """Save the file or directory PATH as an artifact (one commit).

    With --run RUN_UID (or inside `lamingit track -- CMD`, which sets $LAMINGIT_RUN) the
    artifact is an output of that run.

    Example: lamingit save out.sam --key aligned/out.sam --run "$RUN"
    """
    from lamingit.api.core.settings import settings
    from lamingit.api.registries.artifact import Artifact

    run = _output_run(run_uid, allow_finished)
    # LaminDB's "call `ln.track()`" hint means nothing on the command line, where --run is the
    # way to link a run (and --help says so); stderr stays for errors.
    settings.creation.artifact_silence_missing_run_warning = True
    artifact = Artifact(path, key=key, description=description, version=version_tag, run=run).save()
    saved_by = artifact.to_dict()["run"]
    if run is not None and saved_by != run.uid:
        # Same content as an existing artifact: save() returned that one unchanged.
        owner = saved_by or "no run"
        click.echo(
            f"note: this content was already saved as {artifact.uid} (output of {owner}); "
            f"it was not attached to run {run.uid}",
            err=True,
        )
    if as_json:
        emit_json(_as_dict(artifact))
        return
    in_run = f" in run {saved_by}" if saved_by else ""
    click.echo(
        f"saved {artifact.uid} {artifact.key or artifact.description} "
        f"(version {artifact.version}){in_run}"
    )


@click.command()
@click.argument("ref")
@click.option(
    "--to",
    "dest",
    type=click.Path(path_type=Path),
    default=None,
    help="Copy the content here instead of printing its cached path.",
)
def load(ref: str, dest: Path | None) -> None:
    """Materialize artifact REF (uid or key) locally and print the path."""
    artifact = _artifact(ref)
    path = artifact.cache()
    if dest is None:
        click.echo(str(path))
        return
    if path.is_dir():
        shutil.copytree(path, dest, dirs_exist_ok=True)
    else:
        shutil.copyfile(path, dest)
    click.echo(str(dest))


@click.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
def describe(ref: str, as_json: bool) -> None:
    """Describe artifact REF (uid or key): metadata, lineage, annotations."""
    artifact = _artifact(ref)
    if as_json:
        emit_json(_as_dict(artifact))
        return
    click.echo(artifact.describe(return_str=True))


@click.command()
@click.argument("prefix", required=False)
@click.option("--all-versions", is_flag=True, help="List every version, not only the latest.")
@click.option("--trash", is_flag=True, help="List artifacts in the trash instead.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.option(
    "--at",
    "at_ref",
    metavar="REF",
    help="List as of a commit, tag, branch or date (e.g. HEAD~3, v1, 2026-01-31).",
)
def ls(
    prefix: str | None, all_versions: bool, trash: bool, as_json: bool, at_ref: str | None
) -> None:
    """List artifacts (latest versions), optionally under a key PREFIX."""
    from lamingit.api.registries.artifact import Artifact as Live

    Artifact: Any = Live
    if at_ref is not None:
        from lamingit.api.verbs import at

        Artifact = at(at_ref).Artifact  # the registry class bound to that commit

    lookups: dict[str, Any] = {}
    if prefix:
        lookups["key__startswith"] = prefix
    if not all_versions:
        lookups["is_latest"] = not trash
    if trash:
        lookups["trashed"] = True
    items = Artifact.filter(**lookups).order_by("key").to_list()
    if as_json:
        emit_json([_as_dict(a) for a in items])
        return
    handles: dict[str, str] = {}
    rows = []
    for a in items:
        creator = a.to_dict()["created_by"]
        if creator not in handles:
            user = a.created_by
            handles[creator] = user.handle if user else creator
        rows.append(
            [
                a.uid,
                a.key,
                a.description,
                a.version,
                a.size,
                handles[creator],
                a.created_at[:19],
            ]
        )
    emit_table("artifacts", LS_COLUMNS, rows)


@click.command()
@click.argument("ref")
@click.option(
    "--permanent", is_flag=True, help="Remove the record (and unreferenced blob) for good."
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation of a permanent delete.")
def delete(ref: str, permanent: bool, yes: bool) -> None:
    """Move artifact REF to the trash (or delete it permanently)."""
    artifact = _artifact(ref)
    if permanent and not yes:
        click.confirm(f"permanently delete {artifact.uid} ({artifact.key})?", abort=True)
    artifact.delete(permanent=permanent)
    click.echo(f"{'deleted' if permanent else 'moved to trash'}: {artifact.uid}")


@click.command()
@click.argument("ref")
def restore(ref: str) -> None:
    """Restore artifact REF (uid) from the trash."""
    from lamingit.api.registries.artifact import Artifact
    from lamingit.errors import DoesNotExist

    found = (
        Artifact.filter(uid=ref, trashed=True).first()
        or Artifact.filter(key=ref, trashed=True).order_by("-uid").first()
    )
    if found is None:
        raise DoesNotExist(f"no artifact {ref!r} in the trash; see `lamingit ls --trash`")
    found.restore()
    click.echo(f"restored {found.uid}")


def _as_dict(artifact: Any) -> dict[str, Any]:

    data: dict[str, Any] = artifact.to_dict()
    return data
