"""CLI commands that check and maintain a repository: fsck, gc, reindex."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

import click

from lamingit.cli.output import emit_json, emit_table


@click.command()
@click.option(
    "--sample",
    type=click.IntRange(min=0),
    default=None,
    help="Re-hash only N randomly chosen local blobs instead of all.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--local-only",
    is_flag=True,
    help="Report blobs that are not local even if the blob remote has them.",
)
def fsck(sample: int | None, as_json: bool, local_only: bool) -> None:
    """Check git objects, records, lookups, version families and blobs; exit 1 on any problem."""
    from lamingit.fsck import fsck as run_fsck
    from lamingit.session import SESSION

    repo = SESSION.repository()
    report = run_fsck(repo, sample=sample, remote_has=None if local_only else _remote_has(repo))
    if as_json:
        emit_json(report.to_dict())
    else:
        checked = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in report.checked.items())
        click.echo(f"checked {checked} at {(report.commit or '')[:12]}")
        for note in report.notes:
            click.echo(f"note: {note}")
        if report.problems:
            emit_table(
                f"{len(report.problems)} problem(s)",
                ["kind", "affects", "problem"],
                [[p.kind, p.where, p.message] for p in report.problems],
            )
        else:
            click.echo("no problems found")
    if not report.ok:
        sys.exit(1)  # not click's Exit: with standalone_mode=False click would return it


def _remote_has(repo: Any) -> Callable[[str], bool] | None:
    """The blob remote's ``has`` when the collaboration layer knows one for ``repo``."""
    try:
        config = importlib.import_module("lamingit.blob_settings")
    except ImportError:
        return None
    remote = getattr(config, "blob_remote_of", lambda _repo: None)(repo)
    return None if remote is None else remote.has


@click.command()
@click.option("--dry-run", is_flag=True, help="List what would be removed; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def gc(dry_run: bool, as_json: bool) -> None:
    """Pack git objects; remove blobs no record at any commit needs and stale temporary files."""
    from lamingit.gc import gc as run_gc
    from lamingit.session import SESSION

    report = run_gc(SESSION.repository(), dry_run=dry_run)
    if as_json:
        emit_json(report.to_dict())
        return
    verb = "would remove" if dry_run else "removed"
    for oid in report.blobs:
        click.echo(f"{verb} blob {oid}")
    for tmp in report.tmp_files:
        click.echo(f"{verb} temporary {tmp}")
    for note in report.notes:
        click.echo(f"note: {note}")
    click.echo(
        f"{verb} {len(report.blobs)} blob(s) ({report.blob_bytes} bytes) and "
        f"{len(report.tmp_files)} temporary file(s); walked {report.commits_walked} commits; "
        f"kept {report.kept_young} recent blob(s); git objects: {report.loose_before} loose in "
        f"{report.packs_before} pack(s) → {report.loose_after} loose in {report.packs_after} pack(s)"
    )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def reindex(as_json: bool) -> None:
    """Rebuild derived lookup entries (one commit, only if they differ) and the query index."""
    from lamingit.gc import reindex as run_reindex
    from lamingit.session import SESSION, current_identity

    report = run_reindex(SESSION.repository(), author=current_identity().author)
    if as_json:
        emit_json(report.to_dict())
        return
    if report.changed:
        click.echo(f"rewrote {len(report.changed)} lookup entries in {(report.commit or '')[:12]}")
    else:
        click.echo("lookup entries already match the records")
    click.echo(f"query index: {report.index}")
