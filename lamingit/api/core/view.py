"""Where registry classes read from: the live repository head, or a fixed commit (``ln.at``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lamingit.errors import ReadOnlyError
from lamingit.models import BaseRecord
from lamingit.query import Q
from lamingit.records import Snapshot
from lamingit.router import select
from lamingit.session import SESSION

if TYPE_CHECKING:
    from lamingit.repo import Repository


@dataclass(frozen=True)
class View:
    """A source of records. ``commit=None`` follows the branch head (the live repository).

    Example:
        >>> View(None, None).snapshot()  # doctest: +SKIP
    """

    repo_root: str | None
    commit: str | None

    @property
    def read_only(self) -> bool:
        """True for a historical view (``ln.at``)."""
        return self.commit is not None

    def repository(self) -> Repository:
        """The repository this view reads (the session's current one when live)."""
        repo = SESSION.repository()
        if self.repo_root is not None and str(repo.root) != self.repo_root:
            from lamingit.repo import Repository

            return Repository(Path(self.repo_root))
        return repo

    def snapshot(self) -> Snapshot:
        """The records as this view sees them now."""
        return self.repository().snapshot(self.commit)

    def writable_repository(self, what: str) -> Repository:
        """The repository, or ReadOnlyError for a historical view."""
        if self.read_only:
            raise ReadOnlyError(
                f"cannot {what} through ln.at({self.commit[:8] if self.commit else ''}): "
                "historical views are read-only; use the live registries (ln.Artifact, …)"
            )
        return self.repository()

    def select(self, registry: str, q: Q) -> list[BaseRecord]:
        """Records of ``registry`` satisfying ``q``, in uid order."""
        return select(self.snapshot(), registry, q)


LIVE = View(None, None)
"""The default view: the session's current repository at its branch head."""
