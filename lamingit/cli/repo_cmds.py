"""CLI commands about the repository itself: init, connect, login, status."""

from __future__ import annotations

from pathlib import Path

import click

from lamingit.cli.output import emit_json


@click.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Initialize even if the directory is not empty.")
def init(path: Path, force: bool) -> None:
    """Create a repository at PATH (idempotent on an existing repository)."""
    from lamingit.api.verbs import init as api_init

    repo = api_init(path, force=force)
    click.echo(f"initialized lamingit repository at {repo.root}")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
def connect(path: Path) -> None:
    """Make PATH the default repository for later commands and scripts."""
    from lamingit.api.verbs import connect as api_connect

    repo = api_connect(path)
    click.echo(f"connected to {repo.root}")


@click.command()
@click.argument("handle")
@click.option("--name", default=None, help="Full name shown in history.")
@click.option("--email", default=None, help="E-mail used as git author e-mail.")
def login(handle: str, name: str | None, email: str | None) -> None:
    """Act as user HANDLE from now on (remembered for this OS user)."""
    from lamingit.session import login as session_login

    ident = session_login(handle, name=name, email=email)
    click.echo(f"logged in as {ident.handle} (uid: {ident.uid})")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def status(as_json: bool) -> None:
    """Show the current repository, user, branch head and record counts."""
    from lamingit.models import STRUCTS
    from lamingit.session import SESSION, current_identity

    repo = SESSION.repository()
    snap = repo.snapshot()
    ident = current_identity()
    counts = {
        name: sum(1 for _ in repo.git.walk_blobs(snap.tree, f"records/{name}")) for name in STRUCTS
    }
    info = {
        "repository": str(repo.root),
        "user": ident.handle,
        "branch": repo.git.branch_ref().removeprefix("refs/heads/"),
        "head": snap.commit,
        "records": counts,
    }
    if as_json:
        emit_json(info)
        return
    click.echo(f"repository: {info['repository']}")
    click.echo(f"user:       {ident.handle} ({ident.uid})")
    click.echo(f"branch:     {info['branch']} at {(snap.commit or '')[:12]}")
    click.echo("records:    " + ", ".join(f"{n} {k}" for k, n in counts.items() if n))
