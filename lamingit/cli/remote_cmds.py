"""CLI: clone, remote, push, pull, fetch, plus the git merge driver and hooks for plain git."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

import click

from lamingit._util import redact_url
from lamingit.cli.output import emit_merge
from lamingit.errors import LamingitError


def _repo() -> Any:
    from lamingit.session import SESSION

    return SESSION.repository()


def _author() -> tuple[str, str]:
    from lamingit.session import current_identity

    return current_identity().author


class RichReporter:
    """A rich progress bar on stderr (hidden when there is nothing to do)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None
        self._lock = threading.Lock()

    def start(self, what: str, total: int) -> None:
        if not self.enabled or total == 0:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self._progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(what, total=total)

    def advance(self) -> None:
        if self._progress is not None:
            with self._lock:
                self._progress.advance(self._task)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _emit(as_json: bool, data: dict[str, Any], text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=1, sort_keys=True))
    else:
        click.echo(text)


@click.command()
@click.argument("url")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def clone(url: str, path: Path, as_json: bool) -> None:
    """Clone the repository at URL into PATH (blobs are fetched on demand).

    URL is any git URL: a path, file://, ssh://, git:// or https://.
    """
    from lamingit.blob_settings import blob_remote_location
    from lamingit.remote.sync import clone as do_clone
    from lamingit.session import set_default_repository

    repo = do_clone(url, path, RichReporter(enabled=not as_json))
    set_default_repository(repo.root)
    blobs, _ = blob_remote_location(repo)
    # Shown, never stored, without the URL's token (the stored remote keeps it for use).
    url, blobs = redact_url(url), (redact_url(blobs) if blobs else blobs)
    _emit(
        as_json,
        {"path": str(repo.root), "commit": repo.git.head(), "blob_remote": blobs},
        f"cloned {url} into {repo.root}"
        + (f"\nblobs come from {blobs} on demand" if blobs else "\nno blob remote configured"),
    )


@click.group()
def remote() -> None:
    """Manage git remotes (metadata) and the blob remote (bytes)."""


@remote.command("add")
@click.argument("name")
@click.argument("url")
@click.option(
    "--blobs",
    "blobs",
    default=None,
    help="Blob remote: a directory, file:///PATH or s3://BUCKET/PREFIX (committed).",
)
@click.option("--endpoint-url", default=None, help="S3 endpoint (for non-AWS object stores).")
@click.option("--force", is_flag=True, help="Re-point NAME if it exists already.")
def remote_add(
    name: str, url: str, blobs: str | None, endpoint_url: str | None, force: bool
) -> None:
    """Add a git remote NAME at URL (and optionally set the blob remote).

    An existing NAME is refused unless --force. A relative --blobs directory is stored
    relative to the repository (lamingit.toml is committed) and resolved against each clone.
    """
    from lamingit.blob_settings import repository_relative
    from lamingit.remote import gitcli
    from lamingit.remote.sync import set_blob_remote

    repo = _repo()
    gitcli.add_remote(repo.paths.gitdir, name, url, force=force)
    if blobs:
        set_blob_remote(repo, blobs, _author(), endpoint_url)
        blobs = repository_relative(repo, blobs)  # as stored in lamingit.toml
    shown = f"remote {name} -> {url}" + (f"; blobs -> {blobs}" if blobs else "")
    click.echo(redact_url(shown))


@remote.command("set-blobs")
@click.argument("location")
@click.option("--endpoint-url", default=None, help="S3 endpoint (for non-AWS object stores).")
def remote_set_blobs(location: str, endpoint_url: str | None) -> None:
    """Set the blob remote recorded in the committed lamingit.toml."""
    from lamingit.blob_settings import repository_relative
    from lamingit.remote.sync import set_blob_remote

    repo = _repo()
    set_blob_remote(repo, location, _author(), endpoint_url)
    click.echo(redact_url(f"blob remote -> {repository_relative(repo, location)}"))


@remote.command("remove")
@click.argument("name")
def remote_remove(name: str) -> None:
    """Remove the git remote NAME."""
    from lamingit.remote import gitcli

    repo = _repo()
    if name not in gitcli.remotes(repo.paths.gitdir):
        raise click.UsageError(f"no remote named {name!r}")
    gitcli.remove_remote(repo.paths.gitdir, name)
    click.echo(f"removed remote {name}")


@remote.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the remotes as JSON.")
def remote_list(as_json: bool) -> None:
    """List git remotes and the blob remote."""
    from lamingit.blob_settings import blob_remote_location
    from lamingit.remote import gitcli

    repo = _repo()
    remotes = {n: redact_url(u) for n, u in gitcli.remotes(repo.paths.gitdir).items()}
    blobs, endpoint = blob_remote_location(repo)
    blobs = redact_url(blobs) if blobs else blobs
    lines = [f"{n}\t{u}" for n, u in sorted(remotes.items())]
    lines.append(f"blobs\t{blobs or '(none)'}" + (f"\t{endpoint}" if endpoint else ""))
    _emit(as_json, {"remotes": remotes, "blobs": blobs, "endpoint_url": endpoint}, "\n".join(lines))


@click.command()
@click.argument("name", default="origin")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def push(name: str, as_json: bool, quiet: bool) -> None:
    """Upload missing blobs to the blob remote, then push the commits to remote NAME."""
    from lamingit.remote.sync import push as do_push

    result = do_push(_repo(), name, RichReporter(enabled=not (quiet or as_json)))
    text = (
        "everything up to date"
        if result.up_to_date
        else f"pushed {result.commit[:12] if result.commit else ''} to {name} "
        f"({result.blobs_uploaded} blob(s) uploaded, {result.blobs_checked} checked)"
    )
    _emit(
        as_json,
        {
            "commit": result.commit,
            "up_to_date": result.up_to_date,
            "blobs_uploaded": result.blobs_uploaded,
            "blobs_checked": result.blobs_checked,
        },
        text,
    )


@click.command()
@click.argument("name", default="origin")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def pull(name: str, as_json: bool) -> None:
    """Fetch remote NAME and merge it record by record into the current branch.

    A field changed two ways keeps your value in the record; both values are written to
    conflicts/<registry>/<uid>.json and listed here.
    """
    from lamingit.remote.sync import pull as do_pull

    result = do_pull(_repo(), _author(), name)
    lines = {
        "empty": f"{name} has no commits yet",
        "up-to-date": "already up to date",
        "fast-forward": f"fast-forwarded to {(result.commit or '')[:12]}",
        "merge": f"merged into {(result.commit or '')[:12]}",
    }
    emit_merge(result, lines[result.kind], "sides", as_json)


@click.command()
@click.argument("args", nargs=-1)
@click.option(
    "--blobs",
    "blobs",
    is_flag=True,
    help="Prefetch blobs: of every artifact, or of the artifact KEYs given.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def fetch(args: tuple[str, ...], blobs: bool, as_json: bool) -> None:
    """Fetch commits from a remote (`fetch [NAME]`) or prefetch blobs (`fetch --blobs [KEY...]`).

    Fetching commits does not change your branch; `lamingit pull` merges them.
    """
    repo = _repo()
    if blobs:
        from lamingit.remote.sync import fetch_blobs

        count = fetch_blobs(repo, list(args) or None, RichReporter(enabled=not as_json))
        _emit(as_json, {"blobs_fetched": count}, f"fetched {count} blob(s)")
        return
    if len(args) > 1:
        raise click.UsageError("fetch takes one remote name (or --blobs KEY...)")
    from lamingit.remote.sync import fetch as do_fetch

    name = args[0] if args else "origin"
    head = do_fetch(repo, name)
    _emit(
        as_json,
        {"remote": name, "remote_head": head},
        f"{name}: {head[:12] if head else '(empty)'}",
    )


@click.command()
@click.argument("uid")
@click.argument("field", required=False)
@click.option(
    "--take",
    type=click.Choice(["ours", "theirs"]),
    default="ours",
    show_default=True,
    help="Keep the merged record's value, or write theirs into the record.",
)
def resolve(uid: str, field: str | None, take: str) -> None:
    """Close the open merge conflicts of record UID (all, or only FIELD).

    After a pull, a field changed two ways keeps your value and lists both in
    conflicts/<registry>/<uid>.json (see `lamingit show UID`). Resolve keeps yours
    (--take ours) or writes theirs into the record (--take theirs), in one commit.
    """
    from lamingit.remote.sync import resolve_conflict

    closed = resolve_conflict(_repo(), uid, _author(), field, take)
    click.echo(f"resolved {closed} conflict(s) of {uid} taking {take}")


@click.command("merge-driver", hidden=True)
@click.argument("base", type=click.Path(path_type=Path))
@click.argument("ours", type=click.Path(path_type=Path))
@click.argument("theirs", type=click.Path(path_type=Path))
@click.argument("path")
def merge_driver(base: Path, ours: Path, theirs: Path, path: str) -> None:
    """git merge driver (%O %A %B %P): merge one record or lookup file into OURS.

    Exits 1 when a field changed two ways, or when theirs breaks the rules a pull checks on
    arrival (ours is kept; git marks the path conflicted).
    """
    from lamingit.merge import merge_file
    from lamingit.remote.verify import path_problem

    base_bytes = base.read_bytes() if base.exists() and base.stat().st_size else None
    theirs_bytes = theirs.read_bytes()
    refused = path_problem(path, theirs_bytes)  # the arrival rules of `lamingit pull`
    if refused is not None:
        click.echo(f"lamingit merge-driver: {path}: theirs refused: {refused}; kept ours", err=True)
        sys.exit(1)
    try:
        merged, clean = merge_file(path, base_bytes, ours.read_bytes(), theirs_bytes)
    except LamingitError as exc:
        click.echo(f"lamingit merge-driver: {path}: {exc}", err=True)
        sys.exit(1)
    ours.write_bytes(merged)
    if not clean:
        click.echo(f"lamingit merge-driver: {path}: a field changed two ways; kept ours", err=True)
        sys.exit(1)


@click.group()
def hooks() -> None:
    """Git hooks for plain git users (installed only when you ask)."""


@hooks.command("install")
def hooks_install() -> None:
    """Install the pre-push hook that refuses to push records whose blobs are not uploaded."""
    from lamingit.remote.hooks import install_pre_push
    from lamingit.storage.git.merge_driver import install_merge_driver

    repo = _repo()
    install_merge_driver(repo.paths.gitdir, repo.git.config_set)
    hook = install_pre_push(repo.paths.gitdir)
    click.echo(f"installed {hook}")


@hooks.command("pre-push", hidden=True)
@click.argument("remote_name")
@click.argument("url", required=False)
def hooks_pre_push(remote_name: str, url: str | None) -> None:
    """The pre-push check git runs (refs on stdin); exits 1 if blobs are missing remotely."""
    import os

    from lamingit.blob_settings import blob_remote_of
    from lamingit.remote import gitcli
    from lamingit.remote.sync import missing_on, referenced_blobs
    from lamingit.repo import Repository

    gitdir = Path(os.environ.get("GIT_DIR", ".")).resolve()
    repo = Repository(gitdir.parent)
    blob_remote = blob_remote_of(repo)
    missing: list[str] = []
    for line in sys.stdin.read().splitlines():
        parts = line.split()
        if len(parts) != 4 or parts[1] == gitcli.ZERO:
            continue
        local_sha, remote_sha = parts[1], parts[3]
        since = remote_sha if remote_sha != gitcli.ZERO and _has_commit(repo, remote_sha) else None
        oids = referenced_blobs(repo, since, local_sha, blob_remote)
        if not oids:
            continue
        if blob_remote is None:
            missing.extend(oids)
        else:
            missing.extend(missing_on(blob_remote, oids))
    if missing:
        click.echo(
            f"lamingit: {len(missing)} blob(s) referenced by these commits are not on the blob "
            "remote; use `lamingit push` (it uploads them first)",
            err=True,
        )
        sys.exit(1)


def _has_commit(repo: Any, sha: str) -> bool:
    try:
        repo.git.resolve(sha)
    except LamingitError:
        return False
    return True
