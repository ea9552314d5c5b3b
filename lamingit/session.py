"""Process-wide state: which repository is current and who the acting user is."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lamingit._util import (
    BASE62,
    atomic_write,
    dump_toml,
    read_toml,
    user_config_file,
    user_config_path,
)
from lamingit.errors import NotARepository
from lamingit.storage.hashing import hash_bytes

if TYPE_CHECKING:
    from lamingit.repo import Repository


@dataclass(frozen=True)
class Identity:
    """The acting user as resolved from login, environment, git config or the OS."""

    handle: str
    name: str | None
    email: str

    @property
    def uid(self) -> str:
        """A stable 8-character uid derived from the handle (same user → same uid everywhere)."""
        return user_uid(self.handle)

    @property
    def author(self) -> tuple[str, str]:
        """The git author ``(name, email)`` for commits made by this user."""
        return (self.name or self.handle, self.email)


def user_uid(handle: str) -> str:
    """The uid of the user with ``handle``: derived, so every clone agrees on it.

    Example:
        >>> len(user_uid("testuser1"))
        8
    """
    digest = hash_bytes(handle.encode())
    return "".join(BASE62[int(digest[i : i + 2], 16) % 62] for i in range(0, 16, 2))


class Session:
    """The current repository (explicit, environment, discovered or default) and user."""

    def __init__(self) -> None:
        self._explicit: Path | None = None
        self._repo: Repository | None = None

    def connect(self, path: Path | str) -> Repository:
        """Make ``path`` the current repository for this process and the default for later."""
        from lamingit.repo import Repository  # repo, git and blobs load with the first one

        repo = Repository(Path(path).expanduser())
        self._explicit = repo.root
        self._repo = repo
        set_default_repository(repo.root)
        return repo

    def reset(self) -> None:
        """Forget the connected repository (tests, or after the directory was removed)."""
        self._explicit = None
        self._repo = None

    def locate(self) -> Path:
        """The path of the repository this process should use, in the documented order."""
        if self._explicit is not None:
            return self._explicit
        env = os.environ.get("LAMINGIT_REPO")
        if env:
            return Path(env).expanduser()
        from lamingit.repo import discover

        found = discover(Path.cwd())
        if found is not None:
            return found
        default = read_toml(user_config_path()).get("repository", {}).get("default")
        if default:
            return Path(default)
        raise NotARepository(
            "no lamingit repository: run `lamingit init PATH` or `lamingit connect PATH`, "
            "set LAMINGIT_REPO, or cd into a repository"
        )

    def repository(self) -> Repository:
        """The current repository object (opened once per location)."""
        if self._explicit is not None and self._repo is not None:
            return self._repo  # an explicit connect() wins over everything; no lookup needed
        path = self.locate().resolve()
        if self._repo is None or self._repo.root != path:
            from lamingit.repo import Repository

            self._repo = Repository(path)
        return self._repo


def set_default_repository(root: Path) -> None:
    """Record ``root`` as the default repository in the user's config."""
    _update_user_config("repository", {"default": str(root)})


def _update_user_config(section: str, values: dict[str, str]) -> None:
    path = user_config_path()
    data = read_toml(path)
    data.setdefault(section, {}).update(values)
    atomic_write(path, dump_toml(data))


def login(handle: str, name: str | None = None, email: str | None = None) -> Identity:
    """Remember ``handle`` as the acting user for this OS user.

    Example:
        >>> login("testuser1", name="Test User1")  # doctest: +SKIP
    """
    values = {"handle": handle}
    if name:
        values["name"] = name
    if email:
        values["email"] = email
    path = user_config_path()
    data = read_toml(path)
    data["user"] = values
    atomic_write(path, dump_toml(data))
    return current_identity()


def current_identity() -> Identity:
    """The acting user: login, else LAMINGIT_USER, else git config, else the OS user.

    Example:
        >>> current_identity().handle  # doctest: +SKIP
        'testuser1'
    """
    # Asked three times per save: answer from memory while the inputs are unchanged (two
    # stats of plain strings).
    environ = os.environ
    config = user_config_file()
    gitconfig = environ.get("GIT_CONFIG_GLOBAL") or os.path.expanduser("~/.gitconfig")
    stamp: tuple[object, ...] = (
        config,
        _stat_stamp(config),
        environ.get("LAMINGIT_USER"),
        environ.get("LAMINGIT_USER_NAME"),
        gitconfig,
        _stat_stamp(gitconfig),
    )
    cached = _IDENTITY_CACHE.get("identity")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    ident = _resolve_identity()
    _IDENTITY_CACHE["identity"] = (stamp, ident)
    return ident


_IDENTITY_CACHE: dict[str, tuple[tuple[object, ...], Identity]] = {}


def _stat_stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _resolve_identity() -> Identity:
    saved = read_toml(user_config_path()).get("user", {})
    if saved.get("handle"):
        handle = saved["handle"]
        return Identity(handle, saved.get("name"), saved.get("email") or f"{handle}@lamingit.local")
    env = os.environ.get("LAMINGIT_USER")
    if env:
        return Identity(env, os.environ.get("LAMINGIT_USER_NAME"), f"{env}@lamingit.local")
    from lamingit.storage.git.refs import git_identity

    git_name, git_email = git_identity()
    if git_email or git_name:
        handle = (git_email or "").split("@")[0] or (git_name or "").replace(" ", "").lower()
        return Identity(handle, git_name, git_email or f"{handle}@lamingit.local")
    os_user = getpass.getuser()
    return Identity(os_user, None, f"{os_user}@lamingit.local")


SESSION = Session()
"""The one session of this process."""
