"""Moving the branch as git does: ``<ref>.lock``, compare-and-swap, reflog lines, stale locks."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pygit2

from lamingit._util import write_all
from lamingit.errors import LamingitError

STALE_LOCK_SECONDS = 2.0
"""A ref ``*.lock`` file this old, seen while we hold the repository's write lock, is stale."""


class RefWriter:
    """Writes the refs and reflogs of one git directory (``fsync``: flush each write).

    Example:
        >>> RefWriter("mydata/.git").set_branch(repo, "refs/heads/main", oid)  # doctest: +SKIP
        True
    """

    def __init__(self, gitdir: str) -> None:
        self._gitdir = gitdir  # the save path joins strings: pathlib costs ~5 µs a join
        self.fsync = False
        self._log_ref_updates: bool | None = None

    def set_branch(
        self,
        repo: pygit2.Repository,
        ref: str,
        commit: str,
        *,
        expected: str | None | bool = True,
        who: tuple[str, str] | None = None,
        message: str = "",
    ) -> bool:
        """Point ``ref`` at ``commit``; False if it no longer is at ``expected``.

        Written as git writes a loose ref: create ``<ref>.lock`` (exclusive: a git process
        updating the branch holds it too), compare the branch with ``expected`` (a commit id,
        None for "no branch yet", or True to skip the check), append the reflog lines, and
        rename the lock over the ref. Not libgit2's reference update: it re-reads the pack
        list to check that the commit exists, ~0.2 ms a save, and it cannot compare-and-swap.
        Callers hold the repository's write lock, so no other lamingit writer can own the
        ``.lock``: one that stays unchanged for ``STALE_LOCK_SECONDS`` (a git process would
        finish in milliseconds) was left by a killed process and is removed.

        Example:
            >>> refs.set_branch(repo, "refs/heads/main", new, expected=old)  # doctest: +SKIP
            True
        """
        path = os.path.join(self._gitdir, ref)
        lock = path + ".lock"
        fd = _lock_ref(lock)
        try:
            current = repo.references.get(ref)
            old = None if current is None else str(current.target)
            if expected is not True and old != expected:
                os.unlink(lock)
                return False
            write_all(fd, f"{commit}\n".encode())
            if self.fsync:
                os.fsync(fd)
            self._append_reflogs(repo, ref, old, commit, who, message)
            os.replace(lock, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(lock)
            raise
        finally:
            os.close(fd)
        return True

    def _append_reflogs(
        self,
        repo: pygit2.Repository,
        ref: str,
        old: str | None,
        new: str,
        who: tuple[str, str] | None,
        message: str,
    ) -> None:
        """One reflog line for ``ref`` and for HEAD (which points at it), as git writes them."""
        if self._log_ref_updates is None:  # git's default: on unless the repository is bare
            config = repo.config
            key = "core.logAllRefUpdates"
            on = config.get_bool(key) if key in config else not repo.is_bare
            self._log_ref_updates = bool(on)
        if not self._log_ref_updates:
            return
        if who is None:
            git_name, git_email = git_identity()
            who = (git_name or "lamingit", git_email or "lamingit@localhost")
        offset = time.localtime().tm_gmtoff // 60
        sign = "-" if offset < 0 else "+"
        stamp = f"{int(time.time())} {sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
        summary = message.split("\n", 1)[0].replace("\t", " ")
        name = who[0].replace("<", "").replace(">", "").replace("\n", " ")
        email = who[1].replace("<", "").replace(">", "").replace("\n", " ")
        line = f"{old or '0' * 40} {new} {name} <{email}> {stamp}\t{summary}\n".encode()
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
        for log_name in (ref, "HEAD"):
            log = os.path.join(self._gitdir, "logs", log_name)
            try:
                fd = os.open(log, flags, 0o666)
            except FileNotFoundError:
                os.makedirs(os.path.dirname(log), exist_ok=True)
                fd = os.open(log, flags, 0o666)
            try:
                write_all(fd, line)
                if self.fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)


def _lock_ref(lock: str) -> int:
    deadline = time.monotonic() + 30.0
    while True:
        try:
            return os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            if time.monotonic() > deadline:
                raise LamingitError(
                    f"{lock} is held by another process; if no git command is running, "
                    "delete it and try again"
                ) from None
        if remove_stale_lock(Path(lock), STALE_LOCK_SECONDS):
            continue
        time.sleep(0.05)


def stale_ref_locks(gitdir: Path) -> list[Path]:
    """``*.lock`` files under ``refs/`` and the top of the git directory (for fsck).

    Example:
        >>> stale_ref_locks(Path("mydata/.git"))  # doctest: +SKIP
        []
    """
    found = [p for p in gitdir.glob("*.lock")]
    found += [p for p in (gitdir / "refs").rglob("*.lock")]
    return sorted(found)


def remove_stale_lock(lock: Path, age: float) -> bool:
    """Remove ``lock`` if it has not changed for ``age`` seconds; True if it is gone now.

    Example:
        >>> remove_stale_lock(Path("refs/heads/main.lock"), 2.0)  # doctest: +SKIP
    """
    try:
        before = lock.stat()
    except FileNotFoundError:
        return True
    waited = time.time() - before.st_mtime
    if waited < age:
        time.sleep(min(age - waited, age))
        try:
            after = lock.stat()
        except FileNotFoundError:
            return True
        if (after.st_ino, after.st_mtime_ns, after.st_size) != (
            before.st_ino,
            before.st_mtime_ns,
            before.st_size,
        ):
            return False
    lock.unlink(missing_ok=True)
    return True


def git_identity() -> tuple[str | None, str | None]:
    """``(user.name, user.email)`` from the user's global git configuration, if set.

    Example:
        >>> git_identity()  # doctest: +SKIP
        ('Ann', 'ann@example.org')
    """
    try:
        config = pygit2.Config.get_global_config()
    except (OSError, pygit2.GitError):
        return None, None
    name: str | None = config["user.name"] if "user.name" in config else None  # noqa: SIM401
    email: str | None = config["user.email"] if "user.email" in config else None  # noqa: SIM401
    return name, email
