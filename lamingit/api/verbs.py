"""The ``ln.*`` verbs that act on the session: init, connect, login, at (``ln.save`` is in core)."""

from __future__ import annotations

from pathlib import Path

from lamingit.api.core import catalog
from lamingit.api.core.base import Registry
from lamingit.api.core.view import View
from lamingit.api.registries.artifact import Artifact
from lamingit.api.registries.feature import Feature
from lamingit.api.registries.project import Project
from lamingit.api.registries.record import Record
from lamingit.api.registries.run import Run
from lamingit.api.registries.transform import Transform
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


def login(handle: str, name: str | None = None, email: str | None = None) -> User:
    """Act as user ``handle`` from now on (remembered for this OS user).

    Example:
        >>> ln.login("testuser1", name="Test User1")  # doctest: +SKIP
    """
    _login(handle, name=name, email=email)
    return User._current()


class AtView:
    """Registries bound to one historical commit: ``ln.at("v1").Artifact.filter(...)``.

    One attribute per registry class (every class in the catalog), each read-only.

    Example:
        >>> ln.at("v1").Artifact.filter(suffix=".csv").count()  # doctest: +SKIP
    """

    # Annotated for type checkers; __init__ binds every catalog class, these included.
    Artifact: type[Artifact]
    Feature: type[Feature]
    Project: type[Project]
    Record: type[Record]
    Run: type[Run]
    Transform: type[Transform]
    User: type[User]

    def __init__(self, view: View) -> None:
        self._view = view
        self.commit = view.commit
        for name, cls in catalog.classes().items():
            bound = type(name, (cls,), {"_view": view, "__module__": cls.__module__})
            setattr(self, name, bound)

    def __getattr__(self, name: str) -> type[Registry]:
        # Only reached for a name that is no registry (those are instance attributes): say
        # which one was meant. Typed as a registry class for the ones not annotated above.
        hint = did_you_mean(name, catalog.classes())
        raise AttributeError(
            f"ln.at(…) has no registry {name!r};{hint} registries: {', '.join(catalog.classes())}"
        )

    def __repr__(self) -> str:
        return f"<lamingit view at {self.commit}>"


def at(ref: str) -> AtView:
    """A read-only view of the repository as of a commit, tag, branch or date.

    Example:
        >>> ln.at("HEAD~3").Artifact.filter(suffix=".csv").count()  # doctest: +SKIP
    """
    repo = SESSION.repository()
    return AtView(View(str(repo.root), repo.resolve(ref)))


__all__ = ["AtView", "at", "connect", "init", "login"]
