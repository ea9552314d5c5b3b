"""Branches: a lamingit branch is a git branch of the repository (``refs/heads/<name>``).

Switching moves the repository's HEAD, as ``git switch`` does (every process using the
repository follows); saves commit to the branch HEAD names; merging uses the record-level merge
of ``lamingit pull``. Descriptions live in git's config (``branch.<name>.description``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lamingit._util import FileLock
from lamingit.api.core.view import View
from lamingit.errors import DoesNotExist, InvalidArgument
from lamingit.remote import gitcli
from lamingit.repo import Repository
from lamingit.session import SESSION

HEADS = "refs/heads"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")


def check_name(name: str) -> str:
    """A branch name git and a user can both handle, else a one-line ``InvalidArgument``.

    Example:
        >>> check_name("feature/new-assay")
        'feature/new-assay'
    """
    if (
        not isinstance(name, str)
        or not _NAME.match(name)
        or ".." in name
        or name.endswith((".lock", "/", "."))
        or "//" in name
        or "/." in name
    ):
        raise InvalidArgument(
            f"branch name {name!r} is not allowed; use letters, digits, '.', '_', '-' and '/' "
            "(e.g. 'feature/new-assay')"
        )
    return name


def _gitdir(repo: Repository | None = None) -> Path:
    return (repo or SESSION.repository()).paths.gitdir


def current() -> str:
    """The name of the branch the repository's HEAD points to.

    Example:
        >>> current()  # doctest: +SKIP
        'main'
    """
    return SESSION.repository().git.branch_ref().removeprefix(f"{HEADS}/")


def heads() -> dict[str, str]:
    """Branch name → the commit it points to (branches without commits are left out).

    Example:
        >>> heads()  # doctest: +SKIP
        {'main': 'e464f6bd…'}
    """
    return gitcli.refs_under(_gitdir(), HEADS)


def head_of(name: str) -> str:
    """The commit branch ``name`` points to, or ``DoesNotExist``."""
    commit = heads().get(name)
    if commit is None:
        raise DoesNotExist(
            f"no branch {name!r}; branches: {', '.join(sorted(heads())) or 'none'}; "
            f"create it with ln.Branch(name={name!r}).save()"
        )
    return commit


def create(name: str, description: str | None = None) -> bool:
    """Create branch ``name`` at the current head; False if it already exists.

    Example:
        >>> create("feature/new-assay")  # doctest: +SKIP
        True
    """
    check_name(name)
    repo = SESSION.repository()
    with FileLock(repo.paths.write_lock):
        if name in heads():
            return False
        head = repo.git.head()
        if head is None:
            raise InvalidArgument("the repository has no commit yet; save something first")
        gitcli.update_refs(_gitdir(repo), {f"{HEADS}/{name}": head})
        if description:
            gitcli.run_git(
                ["config", f"branch.{name}.description", description], gitdir=_gitdir(repo)
            )
    return True


def description(name: str) -> str | None:
    """The branch's description from git's config, or None."""
    proc = gitcli.run_git(
        ["config", "--get", f"branch.{name}.description"], gitdir=_gitdir(), check=False
    )
    return proc.stdout.strip() or None


def switch(name: str, create_it: bool = False) -> None:
    """Point the repository's HEAD at branch ``name`` (``create_it``: make it first).

    Example:
        >>> switch("feature/new-assay", create_it=True)  # doctest: +SKIP
    """
    check_name(name)
    if create_it:
        create(name)
    else:
        head_of(name)
    repo = SESSION.repository()
    with FileLock(repo.paths.write_lock):  # not in the middle of another process' save
        gitcli.run_git(["symbolic-ref", "HEAD", f"{HEADS}/{name}"], gitdir=_gitdir(repo))


def delete(name: str) -> None:
    """Remove branch ``name`` (never the current one); its commits stay reachable by id.

    Example:
        >>> delete("feature/old")  # doctest: +SKIP
    """
    head_of(name)
    if name == current():
        raise InvalidArgument(f"{name!r} is the current branch; switch to another one first")
    repo = SESSION.repository()
    with FileLock(repo.paths.write_lock):
        gitcli.update_refs(_gitdir(repo), {f"{HEADS}/{name}": None})


def branch_view(view: View, branch: Any) -> View:
    """A read-only view of ``branch``'s head (a name or an ``ln.Branch``): ``filter(branch=)``.

    Example:
        >>> branch_view(LIVE, "feature/new-assay").commit  # doctest: +SKIP
        'e464f6bd…'
    """
    name = str(getattr(branch, "name", branch))
    return View(view.repo_root, head_of(check_name(name)))


__all__ = [
    "branch_view",
    "check_name",
    "create",
    "current",
    "delete",
    "description",
    "head_of",
    "heads",
    "switch",
]
