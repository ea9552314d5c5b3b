"""CLI: log, show, diff — the history of records in the user's words."""

from __future__ import annotations

import json
from typing import Any

import click
import msgspec


def _repo() -> Any:
    from lamingit.session import SESSION

    return SESSION.repository()


@click.command()
@click.argument("target", required=False)
@click.option(
    "-n",
    "--max-count",
    "limit",
    type=click.IntRange(min=1),
    default=None,
    help="Show at most N commits.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
def log(target: str | None, limit: int | None, as_json: bool) -> None:
    """Who changed what, when, in which run: for the whole repository or one TARGET.

    TARGET is a uid, a version family stem, an artifact or transform key, or a feature,
    project or user name; a key or stem covers every version of the family.
    """
    from lamingit.remote.history import history, resolve_targets

    repo = _repo()
    targets = resolve_targets(repo.snapshot(), target) if target else None
    entries = list(history(repo.git, targets, limit))
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], indent=1, default=str))
        return
    for entry in entries:
        c = entry.commit
        head = c.message.strip().splitlines()[0] if c.message.strip() else ""
        run = f"  run {entry.run}" if entry.run else ""
        merge = "  (merge)" if len(c.parents) > 1 else ""
        click.echo(
            f"commit {c.oid[:12]}  {c.time:%Y-%m-%d %H:%M:%S}  {c.author_name}"
            f" <{c.author_email}>{run}{merge}"
        )
        click.echo(f"    {head}")
        for change in entry.changes:
            click.echo(f"    - {change.describe()}")
        click.echo("")


@click.command()
@click.argument("uid")
@click.option("--at", "ref", default=None, help="A commit, tag, branch or date (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
def show(uid: str, ref: str | None, as_json: bool) -> None:
    """Show the record UID (every field) as it is now or as of --at REF."""
    from lamingit.errors import DoesNotExist
    from lamingit.merge import read_conflicts
    from lamingit.remote.history import find_anywhere

    repo = _repo()
    commit = repo.resolve(ref) if ref else None
    snap = repo.snapshot(commit)
    record = find_anywhere(snap, uid)
    if record is None:
        where = f" at {ref}" if ref else ""
        raise DoesNotExist(f"no record with uid {uid!r}{where}; see `lamingit log` for history")
    data = msgspec.to_builtins(record)
    conflicts = read_conflicts(snap, type(record).registry, uid)
    if as_json:
        out = {
            "registry": type(record).registry,
            "commit": snap.commit,
            "record": data,
            "conflicts": conflicts,
        }
        click.echo(json.dumps(out, indent=1, sort_keys=True, default=str))
        return
    click.echo(
        f"{type(record).registry} {uid}"
        + (f" at {ref} ({(snap.commit or '')[:12]})" if ref else "")
    )
    width = max(len(k) for k in data)
    for name in sorted(data):
        click.echo(f"  {name:<{width}}  {data[name]!r}")
    for entry in conflicts:
        click.echo(
            f"  conflict: {entry['field']}: kept {entry['ours']!r}, "
            f"theirs {entry['theirs']!r} (was {entry['base']!r})"
        )


@click.command()
@click.argument("ref1")
@click.argument("ref2", default="HEAD")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def diff(ref1: str, ref2: str, as_json: bool) -> None:
    """Records added, changed and removed between REF1 and REF2 (default HEAD)."""
    from lamingit.remote.history import diff_commits

    repo = _repo()
    old, new = repo.resolve(ref1), repo.resolve(ref2)
    changes = diff_commits(repo.git, old, new)
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in changes], indent=1, default=str))
        return
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("added", "changed", "removed")}
    for change in changes:
        click.echo(change.describe())
    click.echo(f"{counts['added']} added, {counts['changed']} changed, {counts['removed']} removed")
