"""The watchdog observer that sees reads by native code and subprocesses (the one watchdog user).

inotify reports a file closed after a read-only open (``FileClosedNoWriteEvent``) but not
which process read it, so a run watches only the directories it may read: the repository's
cache and the paths the user names. A kernel queue overflow (events lost) is recorded on
the run and logged, never ignored.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lamingit._log import logger

_SENTINEL = ".lamingit-sync-"
_COUNTER = itertools.count()
OVERFLOW_MESSAGE = (
    "the inotify event queue overflowed: reads by other processes may be missing from this "
    "run's inputs; watch smaller trees (fewer directories) or raise "
    "/proc/sys/fs/inotify/max_queued_events"
)


def _observer_class() -> Any:
    """An inotify observer whose kernel-queue overflows reach us (None off Linux)."""
    try:
        from watchdog.observers.api import DEFAULT_OBSERVER_TIMEOUT, BaseObserver
        from watchdog.observers.inotify import InotifyEmitter
        from watchdog.observers.inotify_c import InotifyFD
    except (ImportError, OSError):
        return None

    class _OverflowAwareFD(InotifyFD):  # type: ignore[misc]
        def __init__(self, on_overflow: Callable[[], None]) -> None:
            super().__init__()
            self._on_overflow = on_overflow

        def handle_event(self, event: Any) -> None:
            if event.is_queue_overflow:
                self._on_overflow()
            super().handle_event(event)

    class _Observer(BaseObserver):  # type: ignore[misc]
        # Mirrors watchdog's InotifyObserver, with our own inotify instance.
        def __init__(self, on_overflow: Callable[[], None]) -> None:
            self._inotify_fd = _OverflowAwareFD(on_overflow)
            self._inotify_fd.start()
            super().__init__(
                InotifyEmitter, timeout=DEFAULT_OBSERVER_TIMEOUT, inotify_fd=self._inotify_fd
            )

        def on_thread_stop(self) -> None:
            super().on_thread_stop()
            self._inotify_fd.stop()
            self._inotify_fd.join()

    return _Observer


class ReadWatcher:
    """Watch ``roots`` for files read by any process; call ``on_read(path)`` for each.

    Example:
        >>> watcher = ReadWatcher([Path("data")], print, print)  # doctest: +SKIP
        >>> watcher.start(); subprocess.run(["cat", "data/a.csv"]); watcher.sync()  # doctest: +SKIP
    """

    def __init__(
        self,
        roots: list[Path],
        on_read: Callable[[str], None],
        on_overflow: Callable[[str], None],
    ) -> None:
        self.roots: list[Path] = []
        for root in roots:
            resolved = Path(root).expanduser().resolve()
            if resolved not in self.roots:
                self.roots.append(resolved)
        self._on_read = on_read
        self._on_overflow = on_overflow
        self._observer: Any = None
        self._seen: set[str] = set()
        self._cond = threading.Condition()
        self._dirs: list[Path] = []
        self.available = False

    def _overflow(self) -> None:
        logger.warning(OVERFLOW_MESSAGE)
        self._on_overflow(OVERFLOW_MESSAGE)

    def start(self) -> None:
        """Begin watching (watches are in place when this returns)."""
        observer_cls = _observer_class()
        if observer_cls is None:
            self._on_overflow(
                "reads by other processes are not tracked: inotify is not available here"
            )
            return
        from watchdog.events import FileClosedEvent, FileClosedNoWriteEvent, FileSystemEventHandler

        watcher = self

        class _Handler(FileSystemEventHandler):  # type: ignore[misc]
            # ``only``: for a watched single file, the parent directory is watched and its
            # other files are ignored.
            def __init__(self, only: str | None = None) -> None:
                super().__init__()
                self.only = only

            def on_closed_no_write(self, event: Any) -> None:
                path = os.fsdecode(event.src_path)
                if os.path.basename(path).startswith(_SENTINEL):
                    return
                if self.only is None or path == self.only:
                    watcher._on_read(path)

            def on_closed(self, event: Any) -> None:
                name = os.path.basename(os.fsdecode(event.src_path))
                if name.startswith(_SENTINEL):
                    with watcher._cond:
                        watcher._seen.add(name)
                        watcher._cond.notify_all()

        handler = _Handler()
        kinds = [FileClosedNoWriteEvent, FileClosedEvent]
        try:
            observer = observer_cls(self._overflow)
            for root in self.roots:
                if root.is_dir():
                    observer.schedule(handler, str(root), recursive=True, event_filter=kinds)
                    self._dirs.append(root)
                elif root.is_file():
                    observer.schedule(
                        _Handler(str(root)), str(root.parent), recursive=False, event_filter=kinds
                    )
                    self._dirs.append(root.parent)
                else:
                    self._on_overflow(f"not watching {root}: no such file or directory")
            observer.start()
        except OSError as exc:
            # E.g. ENOSPC: more directories than fs.inotify.max_user_watches allows.
            message = (
                f"reads by other processes are not tracked: the watcher could not start ({exc}); "
                "watch fewer directories or raise /proc/sys/fs/inotify/max_user_watches"
            )
            logger.warning(message)
            self._on_overflow(message)
            return
        self._observer = observer
        self.available = True

    def sync(self, timeout: float = 2.0) -> bool:
        """Wait until every read that happened before this call has been reported.

        Writes a sentinel file in each watched directory and waits for its event: inotify
        keeps events in order per watch, so once the sentinel arrives, every earlier read
        has been delivered. Directories we cannot write get a short grace period instead.

        Example:
            >>> watcher.sync()  # doctest: +SKIP
            True
        """
        if self._observer is None:
            return True
        deadline = time.monotonic() + timeout
        unwritable = False
        ok = True
        for directory in set(self._dirs):
            # Retry with fresh sentinels: when the kernel queue is full (an overflow), the
            # first sentinel's event may itself be dropped; any later one still proves order.
            wait = 0.25
            while True:
                name = f"{_SENTINEL}{os.getpid()}-{next(_COUNTER)}"
                path = directory / name
                try:
                    path.write_bytes(b"")
                except OSError:
                    unwritable = True
                    break
                seen = self._wait_for(name, min(wait, max(0.0, deadline - time.monotonic())))
                path.unlink(missing_ok=True)
                if seen:
                    break
                if time.monotonic() >= deadline:
                    ok = False
                    break
                wait = min(wait * 2, 2.0)
        if unwritable:
            time.sleep(0.05)
        return ok

    def _wait_for(self, name: str, seconds: float) -> bool:
        end = time.monotonic() + seconds
        with self._cond:
            while name not in self._seen:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            self._seen.discard(name)
            return True

    def stop(self) -> None:
        """Stop watching (after a final ``sync()``)."""
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join()
