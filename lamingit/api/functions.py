"""Module-level functions of the API: init, connect, login, save, at."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lamingit.api.base import Registry, ensure_user
from lamingit.api.view import LIVE, View
from lamingit.errors import translate_disk_errors
from lamingit.records import ChangeSet
from lamingit.repo import Repository
from lamingit.session import SESSION, current_identity, set_default_repository
from lamingit.session import login as _login
from lamingit.tracking import context as run_context


def init(path: str | Path, *, force: bool = False) -> Repository:
    """Create a repository at ``path`` (idempotent) and connect to it.

    Example:
        >>> ln.init("./mydata")  # doctest: +SKIP
    """
    repo = Repository.init(Path(path), force=force, author=current_identity().author)
    SESSION.connect(repo.root)
    set_default_repository(repo.root)
    return repo


def connect(path: str | Path) -> Repository:
    """Use the repository at ``path`` for this process (and as the default afterwards).

    Example:
        >>> ln.connect("./mydata")  # doctest: +SKIP
    """
    return SESSION.connect(path)


def login(handle: str, name: str | None = None, email: str | None = None) -> Any:
    """Act as user ``handle`` from now on (remembered for this OS user).

    Example:
        >>> ln.login("testuser1", name="Test User1")  # doctest: +SKIP
    """
    _login(handle, name=name, email=email)
    from lamingit.api.user import User

    return User._current()


def commit(build: Callable[[ChangeSet], None], view: View, what: str) -> Repository:
    """Run ``build`` in one locked transaction on the view's repository (one commit).

    The acting user's record is created in the same commit if it does not exist yet.

    Example:
        >>> commit(lambda changes: changes.put(record, "update"), LIVE, "update")  # doctest: +SKIP
    """
    repo = view.writable_repository(what)
    ident = current_identity()
    ctx = run_context.active()
    trailer = {"Lamingit-Run": ctx.run_uid} if ctx is not None else None

    def wrapped(changes: ChangeSet) -> None:
        build(changes)
        if changes:
            ensure_user(changes)

    repo.transact(wrapped, author=ident.author, trailer=trailer)
    return repo


@translate_disk_errors
def save(objects: Iterable[Registry] | Registry) -> list[Registry]:
    """Save many records in one commit (``ln.save([a, b, c])``).

    Blobs are written first; the records follow in a single commit.

    Example:
        >>> ln.save([ln.Record(name=f"sample{i}", type=sample_type) for i in range(3)])  # doctest: +SKIP
    """
    items = [objects] if isinstance(objects, Registry) else list(objects)
    if not items:
        return []
    view = items[0]._obj_view
    repo = view.writable_repository("save")
    for obj in items:
        prepare = getattr(obj, "_prepare", None)
        if prepare is not None:
            prepare(repo)

    def build(changes: ChangeSet) -> None:
        for obj in items:
            obj._stage(changes)

    commit(build, view, "save")
    for obj in items:
        obj._after_save()
    return items


class _AtView:
    """Registries bound to one historical commit: ``ln.at("v1").Artifact.filter(...)``."""

    def __init__(self, view: View) -> None:
        self._view = view
        self.commit = view.commit
        from lamingit.api import registries

        for name, cls in registries().items():
            bound = type(name, (cls,), {"_view": view, "__module__": cls.__module__})
            setattr(self, name, bound)

    def __repr__(self) -> str:
        return f"<lamingit view at {self.commit}>"


def at(ref: str) -> Any:
    """A read-only view of the repository as of a commit, tag, branch or date.

    Example:
        >>> ln.at("HEAD~3").Artifact.filter(suffix=".csv").count()  # doctest: +SKIP
    """
    repo = SESSION.repository()
    return _AtView(View(str(repo.root), repo.resolve(ref)))


__all__ = ["LIVE", "at", "commit", "connect", "init", "login", "save"]
