"""Reads by native code and subprocesses: watchdog inotify watches held by a watcher process.

inotify reports a file closed after a read-only open but not which process read it, so a run
watches only the directories it may read: the repository's cache and the paths the user
names. The watching happens in ``watch_child.py`` (one child per process, started at the
first run that watches something and reused); this side sends requests, waits for "watches
in place" only where a read could otherwise be missed (``ReadWatcher.ready``), and collects
the paths at ``sync()``. A kernel queue overflow is recorded on the run and logged, never
ignored.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import itertools
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from lamingit._log import logger
from lamingit._util import write_all
from lamingit.tracking.watch_child import OVERFLOW_MESSAGE, SENTINEL, frame, unframe

__all__ = ["OVERFLOW_MESSAGE", "SENTINEL", "ReadWatcher", "prestart", "watcher_pid"]

_SESSIONS = itertools.count(1)
_LOCK = threading.RLock()
_REPLY_MARGIN = 30.0
"""Seconds a reply may take beyond the child's own deadline before it counts as hung."""
_NO_INOTIFY = "reads by other processes are not tracked: inotify is not available here"


def _child_code() -> str:
    """The watcher's ``-c`` program: ``watch_child`` imported as a top-level module (so its
    bytecode is cached like any module's), after the standard library on ``sys.path``; then
    the directory holding watchdog, not all of site-packages (``-I -S``: see watch_child.py)."""
    paths = [str(Path(__file__).parent)]
    spec = importlib.util.find_spec("watchdog")  # ~0.3 ms; no import (that would cost ~30 ms)
    if spec is not None and spec.submodule_search_locations:
        paths.append(str(Path(next(iter(spec.submodule_search_locations))).parent))
    return f"import sys; sys.path += {paths!r}; import watch_child; watch_child.main()"


class _Reply:
    """The watcher process's answer to one request (a plain class: see reads.ReadLog)."""

    __slots__ = ("ok", "reads", "warnings")

    def __init__(self, ok: bool, warnings: list[str], reads: list[str]) -> None:
        self.ok = ok
        self.warnings = warnings
        self.reads = reads


class _Child:
    """The running watcher process and the two pipes to it."""

    def __init__(self) -> None:
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _child_code(), str(os.getpid())],
                stdin=to_child_r,
                stdout=from_child_w,
                close_fds=True,  # it holds nothing of ours but its two pipes (and stderr)
                # Its own process group: Ctrl-C in a terminal interrupts the run, not this.
                process_group=0,
            )
        except BaseException:
            for fd in (self.to_child, self.from_child):
                os.close(fd)
            raise
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.pid = self.process.pid
        self.owner = os.getpid()
        self.alive = True
        self.failure = "died"  # what to tell the run when it stops answering
        self._inbox = bytearray()

    def send(self, *fields: bytes) -> bool:
        try:
            write_all(self.to_child, frame(fields))
        except OSError:  # BrokenPipeError: it died
            self.close(wait=1.0)
            return False
        return True

    def receive(self, sid: int, timeout: float) -> _Reply | None:
        """The next reply to session ``sid`` (older sessions' replies that nobody waited for
        are dropped), or None when the child died or did not answer within ``timeout``."""
        deadline = time.monotonic() + timeout
        poller = select.poll()
        poller.register(self.from_child, select.POLLIN)
        while True:
            fields, used = unframe(self._inbox)
            if fields is not None:
                del self._inbox[:used]
                if int(fields[0]) != sid:
                    continue  # e.g. the "watching" reply of a run abandoned before it came
                count = int(fields[2])
                return _Reply(
                    ok=fields[1] == b"1",
                    warnings=[os.fsdecode(w) for w in fields[3 : 3 + count]],
                    reads=[os.fsdecode(p) for p in fields[3 + count :]],
                )
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(max(1, int(left * 1000))):
                self.failure = f"did not answer within {timeout:.0f} s and was stopped"
                self.close(kill=True)
                return None
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                self.close(wait=1.0)
                return None
            self._inbox += chunk

    def replied(self) -> bool:
        """Whether a reply (or the child's end) is there to read, without waiting."""
        if self._inbox:
            return True
        poller = select.poll()
        poller.register(self.from_child, select.POLLIN)
        return bool(poller.poll(0))

    def close(self, *, kill: bool = False, wait: float = 0.0) -> None:
        """Close the pipes (the child sees EOF and exits) and reap it."""
        if not self.alive:
            return
        self.alive = False
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        for fd in (self.to_child, self.from_child):
            os.close(fd)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5.0 if kill else wait)


_CHILD: _Child | None = None
_INHERITED: list[_Child] = []


def _child() -> _Child:
    """The watcher process of this process, started if needed (raises OSError if it cannot)."""
    global _CHILD
    with _LOCK:
        if _CHILD is None or not _CHILD.alive or _CHILD.owner != os.getpid():
            if not sys.executable:
                raise OSError("no Python executable to run the watcher process")
            _CHILD = _Child()
        return _CHILD


def prestart() -> None:
    """Start the watcher process now, without waiting for it (``track()`` calls this first,
    so the interpreter's startup overlaps its own work).

    Example:
        >>> prestart()  # doctest: +SKIP
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):  # start() reports it
            _child()


def watcher_pid() -> int | None:
    """The pid of this process's watcher process, if one is running (for tests and debugging).

    Example:
        >>> watcher_pid()  # doctest: +SKIP
        41235
    """
    child = _CHILD
    if child is None or not child.alive or child.owner != os.getpid():
        return None
    return child.pid


def _forget_after_fork() -> None:
    # A fork()ed copy must not keep the parent's pipes open (the watcher would then outlive
    # the parent) nor talk to the parent's watcher; it starts its own if it tracks.
    global _CHILD
    child, _CHILD = _CHILD, None
    if child is not None and child.alive:
        child.alive = False
        for fd in (child.to_child, child.from_child):
            os.close(fd)
        _INHERITED.append(child)  # not ours to wait for (nor to warn about when collected)


def _shutdown() -> None:
    child = _CHILD
    if child is not None and child.owner == os.getpid():
        child.close(wait=1.0)


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(_shutdown)


class ReadWatcher:
    """Watch ``roots`` for files read by any process; ``sync()`` calls ``on_read(path)`` for each.

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
        self._sid: int | None = None
        self._pending = False  # the "watches in place" reply has not been received yet
        self._deferred = False  # start() was asked to wait for the first ready()
        self.available = False

    def _warn(self, message: str) -> None:
        logger.warning(message)
        self._on_overflow(message)

    def start(self, *, wait: bool = True, deferred: bool = False) -> None:
        """Ask the watcher process to watch the roots; with ``wait``, return once the
        watches are in place, else leave that to ``ready()`` (``sync()`` calls it).

        ``deferred``: start nothing now; the first ``ready()`` starts watching and waits
        (for roots with nothing in them yet to read: see ``track()``).

        Example:
            >>> watcher.start(wait=False)  # doctest: +SKIP
        """
        if not sys.platform.startswith("linux"):
            self._on_overflow(_NO_INOTIFY)
            return
        if deferred:
            self._deferred = True
            return
        roots: list[bytes] = []  # "d" (a tree) or "f" (one file) + the path
        for root in self.roots:
            if root.is_dir():
                roots.append(b"d" + os.fsencode(root))
            elif root.is_file():
                roots.append(b"f" + os.fsencode(root))
            else:
                self._on_overflow(f"not watching {root}: no such file or directory")
        if not roots:
            return
        sid = next(_SESSIONS)
        with _LOCK:
            try:
                child = _child()
            except OSError as exc:
                self._warn(f"reads by other processes are not tracked: {exc}")
                return
            if not child.send(b"watch", b"%d" % sid, *roots):
                self._warn(
                    f"reads by other processes are not tracked: the watcher process {child.failure}"
                )
                return
        self._sid, self._pending, self.available = sid, True, True
        if wait:
            self.ready()

    def ready(self) -> bool:
        """Wait until the watches are in place (at once after the first time); False if
        the watcher could not place them (a warning says why).

        Example:
            >>> watcher.ready()  # doctest: +SKIP
            True
        """
        if self._deferred:
            with _LOCK:
                if self._deferred:
                    # Cleared first: the watcher process's own start is a spawn the audit
                    # hook reports, and its ready() call must return at once.
                    self._deferred = False
                    self.start(wait=False)
        if not self._pending:
            return self.available
        with _LOCK:
            if not self._pending:  # another thread waited meanwhile
                return self.available
            self._pending = False
            child = _CHILD
            sid = self._sid
            reply = None
            if child is not None and child.alive and sid is not None:
                reply = child.receive(sid, _REPLY_MARGIN)
            if reply is None or not reply.ok:
                self._sid = None
                self.available = False
        if reply is None:
            failure = child.failure if child is not None else "died"
            self._warn(f"reads by other processes are not tracked: the watcher process {failure}")
            return False
        for message in reply.warnings:
            self._warn(message)
        return reply.ok

    def _replied(self) -> bool:
        with _LOCK:
            child = _CHILD
            return child is None or not child.alive or child.replied()

    def sync(self, timeout: float = 2.0) -> bool:
        """Report every read that happened before this call.

        The watcher process creates a sentinel file in a watched directory and handles
        events until the sentinel's arrives: inotify queues events in order, so every
        earlier read has then been seen. Without a writable directory it waits 50 ms.
        Before the watches are in place there is nothing to report: it returns at once.

        Example:
            >>> watcher.sync()  # doctest: +SKIP
            True
        """
        if self._deferred:
            return True  # nothing was watched yet: nothing can have been read there
        if self._pending and not self._replied():
            # The watcher process has not placed the watches yet (this run is younger than
            # its startup, ~40-70 ms, and has neither called cache() nor started a process):
            # it cannot have seen a read, and waiting would triple a short run's finish().
            return True
        self.ready()  # a watcher that could not watch has said so (and has no session)
        sid = self._sid
        if sid is None:
            return True
        with _LOCK:
            child = _CHILD
            ok = (
                child is not None
                and child.alive
                and child.send(b"sync", b"%d" % sid, repr(timeout).encode())
            )
            reply = (
                child.receive(sid, timeout + _REPLY_MARGIN) if ok and child is not None else None
            )
        if reply is None:
            self._sid = None
            self.available = False
            failure = child.failure if child is not None else "died"
            self._warn(
                f"the watcher process {failure}: reads by other processes during this run may "
                "be missing from its inputs"
            )
            return False
        for path in reply.reads:
            self._on_read(path)
        for message in reply.warnings:
            self._warn(message)
        return bool(reply.ok)

    def stop(self) -> None:
        """Stop watching (call ``sync()`` first to collect the last reads)."""
        sid, self._sid = self._sid, None
        self._pending = self._deferred = False
        self.available = False
        if sid is None:
            return
        with _LOCK:
            child = _CHILD
            if child is not None and child.alive and child.owner == os.getpid():
                child.send(b"stop", b"%d" % sid)
