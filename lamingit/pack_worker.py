"""The background merge of git's packs: ``python -m lamingit.pack_worker ROOT``.

A save that finds too many packs starts it and returns (as ``git gc --auto`` detaches). One
merge runs at a time per repository: the worker holds ``.lamingit/pack.lock``, and a second
worker exits at once. It yields to the user's work: lower CPU priority, one git thread.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lamingit._util import FileLock
from lamingit.layout import LocalPaths
from lamingit.storage.git.store import GitStore


def merge_packs(root: Path) -> bool:
    """Merge the repository's packs unless another merge holds the lock; True if it ran.

    Example:
        >>> merge_packs(Path("mydata"))  # doctest: +SKIP
        True
    """
    paths = LocalPaths(root)
    lock = FileLock(paths.pack_lock)
    if not lock.try_acquire():
        return False
    try:
        GitStore.open(paths.gitdir).repack(full=False)
    finally:
        lock.release()
    return True


def main() -> None:
    """Entry point of the worker process."""
    os.nice(10)  # inherited by git: the saving process keeps its CPU
    # git's delta search would use every CPU; one leaves the others to the user's program.
    n = int(os.environ.get("GIT_CONFIG_COUNT", "0") or "0")
    os.environ.update(
        {"GIT_CONFIG_COUNT": str(n + 1), f"GIT_CONFIG_KEY_{n}": "pack.threads"}
        | {f"GIT_CONFIG_VALUE_{n}": "1"}
    )
    merge_packs(Path(sys.argv[1]))


if __name__ == "__main__":
    main()
