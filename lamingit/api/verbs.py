"""The ``ln.*`` verbs that act on the session: init, connect, login, at (``ln.save`` is in core)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lamingit.api.core import catalog
from lamingit.api.core.view import View
from lamingit.api.registries.user import User
from lamingit.query.validate import did_you_mean
from lamingit.repo import Repository
from lamingit.session import SESSION, current_identity, set_default_repository
from lamingit.session import login as _login


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
    return User._current()


class _AtView:
    """Registries bound to one historical commit: ``ln.at("v1").Artifact.filter(...)``."""

    def __init__(self, view: View) -> None:
        self._view = view
        self.commit = view.commit
        for name, cls in catalog.classes().items():
            bound = type(name, (cls,), {"_view": view, "__module__": cls.__module__})
            setattr(self, name, bound)

    def __getattr__(self, name: str) -> Any:
        # only reached for a name that is no registry: say which one was meant
        hint = did_you_mean(name, catalog.classes())
        raise AttributeError(
            f"ln.at(…) has no registry {name!r};{hint} registries: {', '.join(catalog.classes())}"
        )

    def __repr__(self) -> str:
        return f"<lamingit view at {self.commit}>"


def at(ref: str) -> Any:
    """A read-only view of the repository as of a commit, tag, branch or date.

    Example:
        >>> ln.at("HEAD~3").Artifact.filter(suffix=".csv").count()  # doctest: +SKIP
    """
    repo = SESSION.repository()
    return _AtView(View(str(repo.root), repo.resolve(ref)))


__all__ = ["at", "connect", "init", "login"]
