"""The watcher process: a tracked run's watchdog inotify watches, kept out of the tracked interpreter.

Why a child: each inotify event costs Python time to read and match, and in the tracked
process that time is taken under the GIL from the user's own loop (a run reading 10,000 small
files in a watched directory took 3x as long with watchdog's observer threads there). Here it
runs on another CPU, and the parent asks for the collected paths only at ``sync()``. Why a
fresh interpreter and not ``fork()``: a forked child would share the parent's pages
copy-on-write for as long as it lives (a data-heavy parent would copy every page it writes),
and fork() is unsafe once other threads hold locks. ``python -I -S`` with only watchdog's
directory added to ``sys.path`` skips site-packages' ``.pth`` processing (~25 ms here) and
``import lamingit``; the protocol below imports only the standard library (the parent imports
it too), and ``main()`` imports watchdog's inotify layer (~20 ms; see ``_import_inotify_fd``),
so the parent does not wait for the child unless it must (see ``watcher.py``).

The engine is watchdog's inotify layer, ``InotifyFD`` (watches, callbacks, event parsing,
overflow dispatch), with our own event mask: a read is a file closed after a read-only open
(``IN_CLOSE_NOWRITE``); nothing else of a file is asked for, so the kernel queues one event
per file read. Its reader thread is not started: our loop reads the events after letting
them pile up (one read returns hundreds), which also spares the tracked program a wake-up
per file. Not watchdog's ``Observer``: its emitter and dispatcher threads turn every event
into an event object on a queue (~25 µs each), too slow to keep up with a loop reading small
files (the kernel queue overflowed and reads were lost).

Lifetime: the parent holds the write end of our stdin; when the parent exits or is killed,
reading stdin returns EOF and we exit (a ``fork()``ed copy of the parent closes its copy of
the pipe; an idle poll also checks that the parent is alive). Not ``PR_SET_PDEATHSIG``: it
fires when the *thread* that started the child exits, which would end the watcher of a run
started from a worker thread. We run in our own process group and ignore SIGINT: Ctrl-C must
interrupt the run, not its watcher.

Protocol on stdin/stdout: messages of NUL-separated byte fields (paths cannot contain NUL)
after a 4-byte little-endian length. Requests: ``watch SID (d|f)PATH...``, ``sync SID
TIMEOUT``, ``stop SID`` (no reply); replies: ``SID OK(1|0) N WARNING*N PATH...`` (paths read).
"""

from __future__ import annotations

import _signal  # not signal: that imports enum (~4 ms of this interpreter's startup)
import errno
import os
import select
import struct
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~5 ms to import; the annotations are strings anyway
    from collections.abc import Callable, Sequence

    from watchdog.observers.inotify_c import InotifyEvent, InotifyFD

SENTINEL = ".lamingit-sync-"
OVERFLOW_MESSAGE = (
    "the inotify event queue overflowed: reads by other processes may be missing from this "
    "run's inputs; watch smaller trees (fewer directories) or raise "
    "/proc/sys/fs/inotify/max_queued_events"
)
_LIMITS_HINT = (
    "watch fewer directories or raise /proc/sys/fs/inotify/max_user_watches "
    "(and max_user_instances)"
)

# inotify(7); the same values as watchdog's InotifyConstants, which the parent must not import
IN_CLOSE_NOWRITE = 0x00000010
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
IN_EXCL_UNLINK = 0x04000000
IN_ISDIR = 0x40000000
# A read is a file closed after a read-only open; IN_CREATE/IN_MOVED_TO reveal new
# subdirectories to watch and our sync sentinels.
WATCH_MASK = (
    IN_CLOSE_NOWRITE | IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK
)
_FRAME = struct.Struct("<I")
_READ_SIZE = 65536
# After draining the queue, let events pile up this long before reading again: one read then
# returns hundreds of events and the tracked program is not interrupted once per file it reads.
_BATCH_MS = 10
_CALLBACK_ID = 1  # each session has its own InotifyFD, with one callback: the session


def frame(fields: Sequence[bytes]) -> bytes:
    """One message: the fields joined by NUL, after their length.

    Example:
        >>> frame([b"sync", b"1", b"2.0"])
        b'\\n\\x00\\x00\\x00sync\\x001\\x002.0'
    """
    payload = b"\0".join(fields)
    return _FRAME.pack(len(payload)) + payload


def unframe(buffer: bytes | bytearray) -> tuple[list[bytes] | None, int]:
    """The first complete message in ``buffer`` and how many bytes it took, or ``(None, 0)``.

    Example:
        >>> unframe(frame([b"stop", b"1"]))
        ([b'stop', b'1'], 10)
    """
    if len(buffer) < 4:
        return None, 0
    (size,) = _FRAME.unpack_from(buffer)
    if len(buffer) < 4 + size:
        return None, 0
    return bytes(buffer[4 : 4 + size]).split(b"\0"), 4 + size


def reply(sid: int, ok: bool, warnings: Sequence[str], reads: Sequence[bytes] = ()) -> bytes:
    """A reply to session ``sid`` (warnings as UTF-8 with surrogateescape, like paths).

    Example:
        >>> unframe(reply(3, True, ["w"], [b"/a"]))[0]
        [b'3', b'1', b'1', b'w', b'/a']
    """
    head = [b"%d" % sid, b"1" if ok else b"0", b"%d" % len(warnings)]
    return frame([*head, *(os.fsencode(w) for w in warnings), *reads])


class Session:
    """The watches of one ``ReadWatcher``: its own ``InotifyFD``, so its events are in order.

    It is the watchdog callback of each of its watches (``on_event``, ``on_watch_deleted``,
    ``on_queue_overflow``); ``drain()`` reads and dispatches the queued events.

    Example:
        >>> session = Session(InotifyFD, [(b"/data", True)])  # doctest: +SKIP
    """

    def __init__(
        self, inotify_type: Callable[[], InotifyFD], roots: list[tuple[bytes, bool]]
    ) -> None:
        self.inotify = inotify_type()
        # watchdog is loaded in this (child) process by now; its NewTypes of int for the calls
        from watchdog.observers.inotify_c import CallbackId, Mask

        self._mask = Mask(WATCH_MASK)
        self._callback_id = CallbackId(_CALLBACK_ID)
        # watchdog's "its reader thread is inside read()" flag, True until a first read: we
        # read from our own loop, so close() must release the descriptors itself.
        self.inotify._is_reading = False
        self.fd: int = self.inotify._inotify_fd  # polled by our loop (watchdog has no getter)
        self._ready = select.poll()
        self._ready.register(self.fd, select.POLLIN)
        self.dirs: dict[int, bytes] = {}  # wd → directory, with a trailing "/"
        self.only: dict[int, set[bytes]] = {}  # wd → the names watched in a file's directory
        self.reads: set[bytes] = set()
        self.sentinels: set[bytes] = set()
        self.warnings: list[str] = []
        self.recursive: list[bytes] = []
        self.sync_dirs: list[bytes] = []
        self._counter = 0
        try:
            for path, is_dir in roots:
                self._add_root(path, is_dir)
        except OSError:
            self.close()
            raise

    def _add_root(self, raw: bytes, is_dir: bool) -> None:
        # A root that vanished or cannot be read is a warning (the others are still
        # watched); running out of watches or instances fails the whole session.
        directory, name = (raw, None) if is_dir else os.path.split(raw)
        try:
            if name is None:
                self._add_tree(raw, root=True)
                self.recursive.append(raw)
            else:
                self._add(directory, name)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EMFILE):
                raise
            self.warn(f"not watching {os.fsdecode(raw)}: {exc}")
            return
        if directory not in self.sync_dirs:
            self.sync_dirs.append(directory)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def _add(self, directory: bytes, only: bytes | None = None) -> None:
        wd = self.inotify.add_callback(directory, self._mask, self, self._callback_id)
        if wd < 0:  # watchdog returns -1 instead of raising for EACCES
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        known = wd in self.dirs
        self.dirs[wd] = directory.rstrip(b"/") + b"/"
        if only is None:
            self.only.pop(wd, None)  # watched whole (e.g. a recursive tree includes it)
        elif wd in self.only:
            self.only[wd].add(only)
        elif not known:
            self.only[wd] = {only}

    def _add_tree(self, top: bytes, *, root: bool = False) -> None:
        # A root that cannot be watched is an error; a subdirectory that vanished or cannot
        # be read is skipped, but running out of watches is reported (reads would be lost).
        try:
            self._add(top)
        except OSError as exc:
            if root or exc.errno == errno.ENOSPC:
                raise
            return
        for directory, subdirs, _files in os.walk(top):
            for sub in subdirs:
                try:
                    self._add(os.path.join(directory, sub))
                except OSError as exc:
                    if exc.errno == errno.ENOSPC:
                        raise

    def _add_new_tree(self, top: bytes) -> None:
        try:
            self._add_tree(top)
        except OSError as exc:
            self.warn(f"not watching {os.fsdecode(top)} and below: {exc}; {_LIMITS_HINT}")

    def drain(self) -> None:
        """Read every queued event and let watchdog dispatch it to this session."""
        inotify = self.inotify
        while self._ready.poll(0):
            for event in inotify.read_events(event_buffer_size=_READ_SIZE):
                inotify.handle_event(event)

    # -- watchdog's WatchCallback ---------------------------------------------------------------
    def on_event(self, event: InotifyEvent) -> None:
        """One event of a watched directory (the hot path: one call per file read)."""
        mask = event.mask
        if mask & IN_CLOSE_NOWRITE:
            directory = self.dirs.get(event.wd)
            if directory is None or mask & IN_ISDIR:
                return
            names = self.only.get(event.wd)
            if names is None or event.name in names:
                self.reads.add(directory + event.name)
        elif mask & IN_ISDIR:
            # A moved-in or new subdirectory of a watched tree (a moved one keeps its
            # watches; adding them again records their new paths).
            directory = self.dirs.get(event.wd)
            if directory is not None and event.wd not in self.only:
                self._add_new_tree(directory + event.name)
        elif event.name.startswith(b".lamingit-sync-"):
            self.sentinels.add(event.name)

    def on_watch_deleted(self, wd: int) -> None:
        """A watched directory is gone (IN_IGNORED)."""
        self.dirs.pop(wd, None)
        self.only.pop(wd, None)

    def on_queue_overflow(self) -> None:
        """The kernel dropped events (IN_Q_OVERFLOW)."""
        self.warn(OVERFLOW_MESSAGE)
        # Subdirectories created while events were lost may be unwatched.
        for top in self.recursive:
            self._add_new_tree(top)

    def on_events_lost(self) -> None:
        """After every callback's ``on_queue_overflow`` (watchdog 7.1.1 and newer).

        Nothing is left to do: ``on_queue_overflow`` already warned and re-watched, and it is
        the only call watchdog 7.1.0 makes. Without this method 7.1.1 raised AttributeError
        in ``handle_event`` and the watcher process died, losing every later read.
        """

    # -----------------------------------------------------------------------------------------
    def sync(self, timeout: float) -> bool:
        """Handle every event of reads that happened before this call (a sentinel's creation
        comes after them in the queue); without a writable directory, wait 50 ms instead."""
        deadline = time.monotonic() + timeout
        wait = 0.25
        while True:
            name = self._write_sentinel()
            if name is None:
                time.sleep(0.05)
                self.drain()
                return True
            if self._wait_for(name, min(wait, max(0.0, deadline - time.monotonic()))):
                return True
            # The kernel queue was full (an overflow) and dropped the sentinel's event: any
            # later sentinel still proves the order.
            if time.monotonic() >= deadline:
                return False
            wait = min(wait * 2, 2.0)

    def _write_sentinel(self) -> bytes | None:
        self._counter += 1
        name = f"{SENTINEL}{os.getpid()}-{self._counter}".encode()
        for directory in self.sync_dirs:
            path = os.path.join(directory, name)
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except OSError:
                continue
            # The IN_CREATE event is queued already: the file need not live on. (No
            # contextlib.suppress here: this interpreter imports as little as it can.)
            try:  # noqa: SIM105
                os.unlink(path)
            except OSError:
                pass
            return name
        return None

    def _wait_for(self, name: bytes, seconds: float) -> bool:
        end = time.monotonic() + seconds
        while True:
            self.drain()
            if name in self.sentinels:
                self.sentinels.discard(name)
                return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            self._ready.poll(max(1, int(left * 1000)))

    def take(self) -> tuple[list[bytes], list[str]]:
        """The distinct paths read since the last call, and new warnings."""
        reads, self.reads = self.reads, set()
        warnings, self.warnings = self.warnings, []
        sentinel = SENTINEL.encode()
        return [p for p in reads if not os.path.basename(p).startswith(sentinel)], warnings

    def close(self) -> None:
        """Remove the watches and close the inotify instance."""
        self.inotify.close()


class Server:
    """Serve the parent's requests on stdin/stdout until it goes away.

    ``inotify_type`` is watchdog's ``InotifyFD``, or None with ``problem`` saying why
    watchdog could not be loaded (then every watch request is answered with it).

    Example:
        >>> Server(os.getppid(), InotifyFD).run()  # doctest: +SKIP
    """

    def __init__(
        self, parent_pid: int, inotify_type: Callable[[], InotifyFD] | None, problem: str = ""
    ) -> None:
        self.parent_pid = parent_pid
        self.inotify_type = inotify_type
        self.problem = problem
        self.sessions: dict[int, Session] = {}
        self.by_fd: dict[int, Session] = {}
        self.poller = select.poll()
        self.poller.register(0, select.POLLIN)
        self.commands = select.poll()
        self.commands.register(0, select.POLLIN)
        self.inbox = bytearray()

    def run(self) -> None:
        while True:
            ready = self.poller.poll(1000)
            if not ready:
                if os.getppid() != self.parent_pid:
                    return
                continue
            drained = False
            for fd, _ in ready:
                if fd == 0:
                    if not self._read_commands():
                        return
                elif fd in self.by_fd:
                    self.by_fd[fd].drain()
                    drained = True
            if drained and self.commands.poll(_BATCH_MS) and not self._read_commands():
                return

    def _read_commands(self) -> bool:
        data = os.read(0, 65536)
        if not data:
            return False  # the parent closed our stdin: it finished or died
        self.inbox += data
        while True:
            request, used = unframe(self.inbox)
            if request is None:
                return True
            del self.inbox[:used]
            answer = self._handle(request)
            if answer is not None:
                view = memoryview(answer)
                while view:
                    view = view[os.write(1, view) :]

    def _handle(self, request: list[bytes]) -> bytes | None:
        op, sid = request[0], int(request[1])
        if op == b"watch":
            return self._watch(sid, [(f[1:], f[:1] == b"d") for f in request[2:]])
        if op == b"sync":
            return self._sync(sid, float(request[2]))
        if op == b"stop":
            session = self.sessions.pop(sid, None)
            if session is not None:
                del self.by_fd[session.fd]
                self.poller.unregister(session.fd)
                session.close()
            return None
        return reply(sid, False, [f"unknown watcher request {op!r}"])

    def _watch(self, sid: int, roots: list[tuple[bytes, bool]]) -> bytes:
        if self.inotify_type is None:
            return reply(sid, False, [f"reads by other processes are not tracked: {self.problem}"])
        try:
            session = Session(self.inotify_type, roots)
        except OSError as exc:
            message = (
                "reads by other processes are not tracked: the watcher could not start "
                f"({exc}); {_LIMITS_HINT}"
            )
            return reply(sid, False, [message])
        self.sessions[sid] = session
        self.by_fd[session.fd] = session
        self.poller.register(session.fd, select.POLLIN)
        return reply(sid, True, session.take()[1])

    def _sync(self, sid: int, timeout: float) -> bytes:
        session = self.sessions.get(sid)
        if session is None:
            return reply(sid, False, ["the watcher lost this run's watches"])
        ok = session.sync(timeout)
        reads, warnings = session.take()
        return reply(sid, ok, warnings, reads)


def _import_inotify_fd() -> type[InotifyFD]:
    """watchdog's ``InotifyFD``, without running ``watchdog/observers/__init__.py``.

    That ``__init__`` picks a platform Observer at import, which imports watchdog's event
    classes, emitters and threads (~15 ms of this process's ~45 ms start) that a bare
    ``InotifyFD`` never uses. The package is registered unexecuted, so its submodule loads
    from its directory; if watchdog's layout ever differs, the plain import runs instead.
    """
    import importlib.util

    if "watchdog.observers" not in sys.modules:
        spec = importlib.util.find_spec("watchdog.observers")
        if spec is not None and spec.submodule_search_locations:
            sys.modules["watchdog.observers"] = importlib.util.module_from_spec(spec)
    try:
        from watchdog.observers.inotify_c import InotifyFD
    except ImportError:
        sys.modules.pop("watchdog.observers", None)
        from watchdog.observers.inotify_c import InotifyFD
    return InotifyFD


def load_watchdog() -> tuple[Callable[[], InotifyFD] | None, str]:
    """watchdog's ``InotifyFD``, quieted for this process, or None and why it failed.

    Example:
        >>> inotify_type, problem = load_watchdog()  # doctest: +SKIP
    """
    try:
        import logging
        import warnings

        InotifyFD = _import_inotify_fd()  # noqa: N806 (a class)
    except Exception as exc:  # ImportError, or watchdog's UnsupportedLibcError
        return None, f"watchdog could not be loaded in the watcher process ({exc})"
    # An overflow reaches the parent through the protocol (and is stored on the run); the
    # logger's last-resort handler would also print it on the terminal of the tracked program.
    logging.getLogger("watchdog").addHandler(logging.NullHandler())
    logging.getLogger("watchdog").propagate = False
    # Adding a watch that exists (two files of one directory, an overflow's re-scan) makes
    # watchdog warn that our callback replaces itself: it does, deliberately.
    warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning)
    return InotifyFD, ""


def main() -> None:
    """Entry point (see ``watcher.py``): serve the parent whose pid is ``sys.argv[1]``."""
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    inotify_type, problem = load_watchdog()
    try:  # noqa: SIM105
        Server(int(sys.argv[1]), inotify_type, problem).run()
    except BrokenPipeError:
        pass  # the parent went away while we answered


if __name__ == "__main__":
    main()
