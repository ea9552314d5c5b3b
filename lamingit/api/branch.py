"""``ln.Branch``: the repository's git branches in LaminDB's words; create, switch, merge."""

from __future__ import annotations

from typing import Any

from lamingit._log import logger
from lamingit.api.core import branches
from lamingit.errors import DoesNotExist, InvalidArgument, MultipleResultsFound
from lamingit.session import SESSION, current_identity


class Branch:
    """A branch of the repository: a git branch (``refs/heads/<name>``), not a record.

    Records saved while a branch is current are commits on it; another branch does not see
    them until it merges this one (``branch.merge()``, the record-level merge of
    ``lamingit pull``). ``is_latest`` is per branch: each branch elects its own latest versions.

    Example:
        >>> ln.Branch(name="feature/new-assay").save()  # doctest: +SKIP
        >>> ln.setup.switch("feature/new-assay")  # doctest: +SKIP
        >>> ln.Branch.get(name="feature/new-assay").merge()  # doctest: +SKIP
    """

    def __init__(self, name: str, description: str | None = None) -> None:
        self.name = branches.check_name(name)
        self.description = description

    def __repr__(self) -> str:
        current = ", current" if self.is_current else ""
        return f"Branch(name={self.name!r}{current})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Branch) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("Branch", self.name))

    # -- reading --------------------------------------------------------------------------
    @property
    def commit(self) -> str:
        """The commit this branch points to."""
        return branches.head_of(self.name)

    @property
    def is_current(self) -> bool:
        """Whether saves go to this branch now."""
        return self.name == branches.current()

    @property
    def is_merged(self) -> bool:
        """Whether the current branch has every commit of this one (deleting it loses nothing).

        Example:
            >>> ln.Branch.get(name="feature/new-assay").is_merged  # doctest: +SKIP
            False
        """
        from lamingit.remote.gitcli import merge_base

        current = branches.head_of(branches.current())
        gitdir = SESSION.repository().paths.gitdir
        return merge_base(gitdir, self.commit, current) == self.commit

    @classmethod
    def _load(cls, name: str) -> Branch:
        return cls(name, description=branches.description(name))

    @classmethod
    def filter(cls, **fields: Any) -> list[Branch]:
        """The branches matching ``name=`` / ``name__startswith=`` (all without arguments).

        Example:
            >>> [b.name for b in ln.Branch.filter()]  # doctest: +SKIP
            ['main', 'feature/new-assay']
        """
        unknown = set(fields) - {"name", "name__startswith"}
        if unknown:
            raise InvalidArgument(
                f"Branch.filter() takes name= or name__startswith=, got {', '.join(sorted(unknown))}"
            )
        names = sorted(branches.heads())
        if "name" in fields:
            names = [n for n in names if n == fields["name"]]
        if "name__startswith" in fields:
            names = [n for n in names if n.startswith(fields["name__startswith"])]
        return [cls._load(n) for n in names]

    @classmethod
    def get(cls, name: str | None = None, **fields: Any) -> Branch:
        """One branch by name, else ``DoesNotExist``.

        Example:
            >>> ln.Branch.get(name="main")  # doctest: +SKIP
        """
        if name is not None:
            fields["name"] = name
        found = cls.filter(**fields)
        if not found:
            raise DoesNotExist(
                f"no branch matches {fields!r}; branches: {', '.join(sorted(branches.heads()))}"
            )
        if len(found) > 1:
            raise MultipleResultsFound(f"{len(found)} branches match {fields!r}; give the name")
        return found[0]

    @classmethod
    def current(cls) -> Branch:
        """The current branch.

        Example:
            >>> ln.Branch.current().name  # doctest: +SKIP
            'main'
        """
        return cls._load(branches.current())

    # -- changing -------------------------------------------------------------------------
    def save(self) -> Branch:
        """Create the branch at the current head (an existing name returns it unchanged).

        Example:
            >>> ln.Branch(name="feature/new-assay").save()  # doctest: +SKIP
        """
        if not branches.create(self.name, self.description):
            logger.info(f"returning existing branch with same name: {self.name!r}")
            self.description = branches.description(self.name)
        return self

    def switch(self) -> None:
        """Make this the current branch (``ln.setup.switch(name)``).

        Example:
            >>> ln.Branch.get(name="main").switch()  # doctest: +SKIP
        """
        branches.switch(self.name)

    def merge(self) -> Any:
        """Merge this branch into the current one, record by record; returns what happened
        (``kind``: ``merge``, ``fast-forward`` or ``up-to-date``; ``conflicts``).

        Example:
            >>> ln.Branch.get(name="feature/new-assay").merge().conflicts  # doctest: +SKIP
            []
        """
        from lamingit.remote.sync import merge_commit

        if self.is_current:
            raise InvalidArgument(
                f"{self.name!r} is the current branch; switch to the branch to merge into first"
            )
        result = merge_commit(SESSION.repository(), self.commit, current_identity().author)
        for conflict in result.conflicts:
            logger.warning(conflict.describe())
        return result

    def delete(self) -> None:
        """Remove the branch (not the current one); commits stay reachable by id.

        Example:
            >>> ln.Branch.get(name="feature/old").delete()  # doctest: +SKIP
        """
        branches.delete(self.name)


__all__ = ["Branch"]
