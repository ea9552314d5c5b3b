"""Git integration for plain git users: the pre-push blob check.

The pre-push hook is never installed implicitly (hooks must not come from a remote);
``lamingit hooks install`` does it. The record merge driver, which ``lamingit init`` and
``clone`` configure, is ``lamingit.storage.git.merge_driver``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRE_PUSH = """#!/bin/sh
# lamingit pre-push hook: refuse to push records whose blobs the blob remote lacks.
# `lamingit push` uploads blobs first and then pushes; this hook guards plain `git push`.
exec lamingit hooks pre-push "$@"
"""


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
