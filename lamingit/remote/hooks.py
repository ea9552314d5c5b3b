"""Git integration for plain git users: the record merge driver and the pre-push blob check.

``lamingit init``/``clone`` configure the merge driver (``.git/config`` + ``info/attributes``)
so ``git merge``/``git pull`` merge records field by field. The pre-push hook is never
installed implicitly (hooks must not come from a remote); ``lamingit hooks install`` does it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

DRIVER_NAME = "lamingit"
DRIVER_COMMAND = "lamingit merge-driver %O %A %B %P"
ATTRIBUTES = ("records/** merge=lamingit", "lookup/** merge=lamingit")
PRE_PUSH = """#!/bin/sh
# lamingit pre-push hook: refuse to push records whose blobs the blob remote lacks.
# `lamingit push` uploads blobs first and then pushes; this hook guards plain `git push`.
exec lamingit hooks pre-push "$@"
"""


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


def install_pre_push(gitdir: Path) -> Path:
    """Write the pre-push hook into ``gitdir/hooks`` (replacing an older lamingit one).

    Example:
        >>> install_pre_push(Path("mydata/.git"))  # doctest: +SKIP
        PosixPath('mydata/.git/hooks/pre-push')
    """
    from lamingit.errors import InvalidArgument

    hook = gitdir / "hooks" / "pre-push"
    if hook.exists() and "lamingit" not in hook.read_text(errors="replace"):
        raise InvalidArgument(
            f"{hook} already exists and is not lamingit's; add the line "
            '`lamingit hooks pre-push "$@"` to it yourself'
        )
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(PRE_PUSH)
    mode = hook.stat().st_mode
    os.chmod(hook, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return hook
