"""When saves pack git's objects: the auto-pack policy, and starting ``lamingit.pack_worker``.

libgit2 never packs; each save writes one small pack. After each save the repository asks
``AutoPack.after_save`` whether packs or loose objects piled up past a threshold.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lamingit._log import logger
from lamingit._util import FileLock
from lamingit.errors import LamingitError
from lamingit.layout import LocalPaths

if TYPE_CHECKING:
    from lamingit.storage.git.store import GitStore

AUTO_PACK_LOOSE = 2048
"""Pack after a save once about this many loose git objects piled up (libgit2 never packs)."""
AUTO_PACK_PACKS = 48
"""Merge packs after a save once there are this many (each save writes one small pack)."""
AUTO_PACK_IN_BACKGROUND = True
"""Merge packs in a detached worker process, so the save that triggers it returns at once
(as git's own auto gc detaches); False merges inside the save."""
_RUNNING_WORKERS: list[subprocess.Popen[bytes]] = []
"""Pack workers this process started and has not seen end: a Popen collected while its
process runs warns (ResourceWarning), and a Repository may be collected mid-merge."""
_PACK_LIST_EVERY = 16
"""List the pack directory at least every so many saves (see AutoPack.after_save)."""
_LOOSE_CHECK_EVERY = 32
"""Loose objects come only from git itself (fetch, merge): look for them every so many saves."""


class AutoPack:
    """The packing state of one open repository: saves counted, packs estimated, its worker.

    Example:
        >>> packing = AutoPack(repo.git, repo.paths)  # doctest: +SKIP
        >>> packing.after_save()  # doctest: +SKIP
    """

    def __init__(self, git: GitStore, paths: LocalPaths) -> None:
        self.git = git
        self.paths = paths
        self.worker: subprocess.Popen[bytes] | None = None
        self._loose_floor = 0  # loose objects a repack could not remove (unreachable ones)
        self._saves = 0
        self._packs = 0  # packs in .git/objects/pack, as last listed plus one per save since
        self._next_check = 0  # no pack decisions before this save (a merge is running)

    def after_save(self) -> None:
        """Keep packs and loose git objects bounded: merge them past a threshold.

        Example:
            >>> packing.after_save()  # doctest: +SKIP
        """
        self._saves += 1
        if self._saves < self._next_check:
            return  # another process's merge was running a few saves ago
        worker = self.worker
        if worker is not None:
            if worker.poll() is None:
                return  # ours is running: nothing to decide until it ends
            self.worker = None
            self._loose_floor = self.git.loose_estimate()  # what it could not pack
        # Each save adds one pack: count them from memory, and list the directory (hundreds
        # of entries while a merge runs) only near the threshold or every so many saves, to
        # see other processes' packs and merges.
        self._packs += 1
        if self._packs >= AUTO_PACK_PACKS or self._saves % _PACK_LIST_EVERY == 1:
            self._packs = self.git.pack_count()
        if self._packs < AUTO_PACK_PACKS:
            if self._saves % _LOOSE_CHECK_EVERY:
                return
            if self.git.loose_estimate() - self._loose_floor < AUTO_PACK_LOOSE:
                return
        if AUTO_PACK_IN_BACKGROUND:
            self.start_worker()
        else:
            self.merge_now()

    def merge_now(self) -> None:
        """Merge packs in this process (a failure only warns: the save is committed).

        Example:
            >>> packing.merge_now()  # doctest: +SKIP
        """
        try:
            with FileLock(self.paths.pack_lock):
                self.git.repack(full=False)
        except (LamingitError, OSError) as exc:  # the save is committed; packing can wait
            logger.warning(f"could not pack git objects: {exc}")
        self._packs = self.git.pack_count()
        self._loose_floor = self.git.loose_estimate()

    def start_worker(self) -> None:
        """Start ``lamingit.pack_worker`` unless another process's merge is running.

        Example:
            >>> packing.start_worker()  # doctest: +SKIP
        """
        probe = FileLock(self.paths.pack_lock)
        if not probe.try_acquire():
            self._next_check = self._saves + _PACK_LIST_EVERY
            return
        probe.release()
        # The worker imports lamingit from where this process did, whatever sys.path says.
        package_parent = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
        _RUNNING_WORKERS[:] = [w for w in _RUNNING_WORKERS if w.poll() is None]  # reaps
        try:
            with open(self.paths.pack_log, "wb") as log:
                self.worker = subprocess.Popen(
                    [sys.executable, "-m", "lamingit.pack_worker", str(self.paths.root)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    env=env,
                    start_new_session=True,  # Ctrl-C in the user's terminal does not stop it
                )
            _RUNNING_WORKERS.append(self.worker)
        except OSError as exc:  # e.g. no Python executable (an embedded interpreter)
            logger.warning(f"could not start the background pack merge ({exc}); merging now")
            self.merge_now()

    def wait(self, timeout: float = 600.0) -> None:
        """Return once no pack merge runs, this process's or another's (tests, benchmarks).

        Example:
            >>> packing.wait()  # doctest: +SKIP
        """
        worker = self.worker
        if worker is not None:
            worker.wait(timeout)
            self.worker = None
        with FileLock(self.paths.pack_lock):
            pass
