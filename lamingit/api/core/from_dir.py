"""``Artifact.from_dir``: one artifact per file of a directory, keyed below a prefix."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lamingit.errors import InvalidArgument

if TYPE_CHECKING:
    from lamingit.api.registries.artifact import Artifact


def from_dir(
    cls: type[Artifact], path: str | os.PathLike[str], key: str | None = None, *, run: Any = None
) -> list[Artifact]:
    """Unsaved artifacts, one per file under ``path`` (sorted), keyed ``<key>/<relative path>``.

    ``key`` defaults to the directory's name. Hidden files and directories (``.git``, …) are
    skipped. Save them in one commit with ``ln.save(artifacts)``.

    Example:
        >>> artifacts = ln.Artifact.from_dir("raw_reads/", key="runs/2025-10")  # doctest: +SKIP
        >>> ln.save(artifacts)  # doctest: +SKIP
    """
    root = Path(os.fspath(path)).expanduser()
    if not root.is_dir():
        raise InvalidArgument(f"{root} is not a directory; from_dir() takes a folder")
    prefix = (key if key is not None else root.resolve().name).rstrip("/")
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    if not files:
        raise InvalidArgument(f"{root} holds no files; nothing to save")
    return [cls(p, key=f"{prefix}/{p.relative_to(root).as_posix()}", run=run) for p in files]


__all__ = ["from_dir"]
