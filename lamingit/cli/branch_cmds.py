"""``lamingit branch list|create|switch|merge|delete``: ``ln.Branch`` from the command line.

A thin shell over the public API (``ln.Branch``, ``ln.setup.switch``); a merge is the
record-level merge of ``lamingit pull``.
"""

from __future__ import annotations

import json
from typing import Any

import click

from lamingit.cli.output import emit_merge, emit_table


def _branch(name: str) -> Any:
    """``ln.Branch.get(name=)``, or a one-line error listing the branches."""
    import lamingit as ln

    found = ln.Branch.filter(name=name)
    if not found:
        names = ", ".join(b.name for b in ln.Branch.filter()) or "none"
        raise ln.errors.DoesNotExist(
            f"no branch {name!r} (branches: {names}); create it with `lamingit branch create {name}`"
        )
    return found[0]


@click.group(invoke_without_command=True)
@click.pass_context
def branch(ctx: click.Context) -> None:
    """List, create, switch, merge and delete branches (a lamingit branch is a git branch).

    Without a subcommand: the list.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_branches, as_json=False)


@branch.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the branches as JSON.")
def list_branches(as_json: bool) -> None:
    """List the branches; the current one is marked with *."""
    import lamingit as ln

    rows = [
        {
            "name": b.name,
            "current": b.is_current,
            "commit": b.commit,
            "description": b.description,
        }
        for b in ln.Branch.filter()
    ]
    if as_json:
        click.echo(json.dumps({"branches": rows}, indent=1))
        return
    emit_table(
        "branches",
        ["", "name", "commit", "description"],
        [
            ["*" if r["current"] else "", r["name"], r["commit"][:12], r["description"]]
            for r in rows
        ],
    )


@branch.command()
@click.argument("name")
@click.option("--description", "-d", default=None, help="What the branch is for.")
@click.option("--switch", "then_switch", is_flag=True, help="Switch to the new branch.")
def create(name: str, description: str | None, then_switch: bool) -> None:
    """Create branch NAME at the current branch's head."""
    import lamingit as ln

    if ln.Branch.filter(name=name):
        raise ln.errors.InvalidArgument(
            f"branch {name!r} already exists; switch to it with `lamingit branch switch {name}`"
        )
    created = ln.Branch(name=name, description=description).save()
    if then_switch:
        ln.setup.switch(created)
    where = "; switched to it" if then_switch else ""
    click.echo(f"created branch {name!r} at {created.commit[:12]}{where}")


@branch.command()
@click.argument("name")
@click.option("--create", "-c", "create_it", is_flag=True, help="Create the branch first.")
def switch(name: str, create_it: bool) -> None:
    """Make NAME the current branch: later saves are commits on it."""
    import lamingit as ln

    if create_it:
        if ln.Branch.filter(name=name):
            raise ln.errors.InvalidArgument(
                f"branch {name!r} already exists; switch without --create"
            )
        ln.setup.switch(name, create=True)
    else:
        ln.setup.switch(_branch(name))
    click.echo(f"switched to branch {name!r}")


@branch.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def merge(name: str, as_json: bool) -> None:
    """Merge branch NAME into the current branch, record by record (as `lamingit pull`).

    A field changed two ways keeps the current branch's value in the record; both values are
    written to conflicts/<registry>/<uid>.json, listed here, and closed by `lamingit resolve`.
    """
    import lamingit as ln

    source = _branch(name)
    if source.is_current:
        raise ln.errors.InvalidArgument(
            f"{name!r} is the current branch; switch to the branch to merge it into first "
            "(`lamingit branch switch BRANCH`)"
        )
    target = ln.Branch.current().name
    result = source.merge()
    lines = {
        "up-to-date": f"{target!r} already has every commit of {name!r}",
        "fast-forward": f"fast-forwarded {target!r} to {(result.commit or '')[:12]}",
        "merge": f"merged {name!r} into {target!r} at {(result.commit or '')[:12]}",
    }
    emit_merge(result, lines[result.kind], "branches", as_json)


@branch.command()
@click.argument("name")
@click.option(
    "--force", "-f", is_flag=True, help="Delete even if the current branch lacks its commits."
)
def delete(name: str, force: bool) -> None:
    """Delete branch NAME (not the current one; unmerged only with --force)."""
    import lamingit as ln

    found = _branch(name)
    if found.is_current:
        raise ln.errors.InvalidArgument(
            f"{name!r} is the current branch; switch to another one first "
            "(`lamingit branch switch BRANCH`)"
        )
    if not force and not found.is_merged:
        raise ln.errors.InvalidArgument(
            f"branch {name!r} has commits the current branch lacks; merge it "
            f"(`lamingit branch merge {name}`) or delete it anyway with --force"
        )
    commit = found.commit
    found.delete()
    click.echo(f"deleted branch {name!r} (was {commit[:12]})")
