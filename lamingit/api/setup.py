"""``ln.setup``: repository set-up verbs in lamindb_setup's names (init, connect, login, switch).

Example:
    >>> ln.setup.switch("feature/new-assay", create=True)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from lamingit.api.core import branches
from lamingit.api.verbs import connect, init, login


def switch(branch: Any, create: bool = False) -> None:
    """Make ``branch`` (a name or an ``ln.Branch``) the current branch; ``create`` makes it.

    Example:
        >>> ln.setup.switch("main")  # doctest: +SKIP
    """
    branches.switch(str(getattr(branch, "name", branch)), create_it=create)


def merge(branch: Any) -> Any:
    """Merge ``branch`` (a name or an ``ln.Branch``) into the current branch.

    Example:
        >>> ln.setup.merge("feature/new-assay").kind  # doctest: +SKIP
        'merge'
    """
    from lamingit.api.branch import Branch

    return Branch.get(name=str(getattr(branch, "name", branch))).merge()


__all__ = ["connect", "init", "login", "merge", "switch"]
