"""The record merge driver of plain git: ``git merge``/``git pull`` merge records field by field.

``lamingit init``/``clone`` configure it (``.git/config`` + ``info/attributes``); the driver
itself is ``lamingit merge-driver`` (``lamingit.merge``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

DRIVER_NAME = "lamingit"
DRIVER_COMMAND = "lamingit merge-driver %O %A %B %P"
ATTRIBUTES = ("records/** merge=lamingit", "lookup/** merge=lamingit")


def install_merge_driver(gitdir: Path, set_config: Callable[[str, str], None]) -> None:
    """Configure the record merge driver in a repository (idempotent).

    Example:
        >>> install_merge_driver(repo.paths.gitdir, repo.git.config_set)  # doctest: +SKIP
    """
    set_config(f"merge.{DRIVER_NAME}.name", "lamingit record-level merge")
    set_config(f"merge.{DRIVER_NAME}.driver", DRIVER_COMMAND)
    attributes = gitdir / "info" / "attributes"
    attributes.parent.mkdir(parents=True, exist_ok=True)
    present = attributes.read_text().splitlines() if attributes.exists() else []
    missing = [line for line in ATTRIBUTES if line not in present]
    if missing:
        with attributes.open("a") as fh:
            fh.write("".join(f"{line}\n" for line in missing))
