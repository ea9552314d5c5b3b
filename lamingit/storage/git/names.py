"""Which tree entry names are safe: a crafted commit can hold ``..``, ``/`` or NUL in a name."""

from __future__ import annotations

from lamingit.errors import IntegrityError

UNSAFE_PARTS = ("//", "/./", "/../", "/.git/", "\\")
"""In ``/``-wrapped paths: a component ``""``, ``.``, ``..`` or ``.git``, or a backslash."""


def check_entry_name(name: str, parent: str) -> None:
    """Refuse a tree entry name that could point outside its tree (``..``, ``/``, NUL).

    libgit2 never writes such names, but a crafted commit arriving by pull can hold them.

    Example:
        >>> check_entry_name("a.json", "records")
    """
    if name in ("", ".", "..", ".git") or any(c in name for c in "/\\\x00"):
        raise IntegrityError(
            f"the tree {parent or '(root)'} has an entry named {name!r}, which is not a safe "
            "path; the commit was crafted or damaged: run `lamingit fsck` and reset to a good "
            "commit"
        )
