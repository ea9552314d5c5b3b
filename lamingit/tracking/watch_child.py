"""The watcher process: a tracked run's inotify watches, kept out of the tracked interpreter.

Why a child: each inotify event costs Python time to read and match, and in the tracked
process that time is taken under the GIL from the user's own loop (a run reading 10,000 small
files in a watched directory took 3x as long with watchdog's threads). Here it runs on another
CPU, and the parent asks for the collected paths only at ``sync()``. Why a fresh interpreter
and not ``fork()``: a forked child would share the parent's pages copy-on-write for as long as
it lives (a data-heavy parent would copy every page it writes), and fork() is unsafe once
other threads hold locks. ``python -I -S`` skips site-packages' ``.pth`` processing (~25 ms
here) and ``import lamingit``; this module imports only the standard library (not even
typing), so the process is up in ~9 ms. Why raw inotify through ctypes and not watchdog's
observer: importing watchdog's observers costs ~40 ms on ``track()``'s critical path, and its
emitter/dispatcher threads spend ~25 µs per event: too slow to keep up with a Python loop
reading small files (the kernel queue overflows and reads are lost); this loop spends ~1 µs.

Lifetime: the parent holds the write end of our stdin; when the parent exits or is killed,
reading stdin returns EOF and we exit (a ``fork()``ed copy of the parent closes its copy of
the pipe; an idle poll also checks that the parent is alive). Not ``PR_SET_PDEATHSIG``: it
fires when the *thread* that started the child exits, which would end the watcher of a run
started from a worker thread. We run in our own process group and ignore SIGINT: Ctrl-C must
interrupt the run, not its watcher.

Protocol on stdin/stdout: messages of NUL-separated byte fields (paths cannot contain NUL)
after a 4-byte little-endian length. Requests: ``watch SID (d|f)PATH...``, ``sync SID
TIMEOUT``, ``stop SID`` (no reply); replies: ``OK(1|0) N WARNING*N PATH...`` (paths read).
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
    from collections.abc import Sequence

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

# inotify(7)
IN_CLOSE_NOWRITE = 0x00000010
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
IN_EXCL_UNLINK = 0x04000000
IN_ISDIR = 0x40000000
# A read is a file closed after a read-only open; IN_CREATE/IN_MOVED_TO reveal new
# subdirectories to watch and our sync sentinels.
WATCH_MASK = (
    IN_CLOSE_NOWRITE | IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK
)
_HEADER = struct.Struct("iIII")
_FRAME = struct.Struct("<I")
_READ_SIZE = 65536
# After draining the queue, let events pile up this long before reading again: one read then
# returns hundreds of events and the tracked program is not interrupted once per file it reads.
_BATCH_MS = 10


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


def reply(ok: bool, warnings: Sequence[str], reads: Sequence[bytes] = ()) -> bytes:
    """A reply message (warnings as UTF-8 with surrogateescape, like paths)."""
    head = [b"1" if ok else b"0", b"%d" % len(warnings)]
    return frame([*head, *(os.fsencode(w) for w in warnings), *reads])


class _Libc:
    """The three inotify calls, through ctypes (imported here only: the parent never needs it)."""

    def __init__(self) -> None:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        self._get_errno = ctypes.get_errno
        self.init1 = libc.inotify_init1
        self.init1.argtypes = [ctypes.c_int]
        self.add_watch = libc.inotify_add_watch
        self.add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]

    def error(self) -> OSError:
        code = self._get_errno()
        return OSError(code, os.strerror(code))


class Session:
    """The watches of one ``ReadWatcher``: its own inotify instance, so its events are in order.

    Example:
        >>> session = Session(_Libc(), [("/data", True)])  # doctest: +SKIP
    """

    def __init__(self, libc: _Libc, roots: list[tuple[bytes, bool]]) -> None:
        self._libc = libc
        self.fd = libc.init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise libc.error()
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
            os.close(self.fd)
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
        wd = self._libc.add_watch(self.fd, directory, WATCH_MASK)
        if wd < 0:
            raise self._libc.error()
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
        """Read and handle every queued event."""
        while True:
            try:
                data = os.read(self.fd, _READ_SIZE)
            except BlockingIOError:
                return
            self._handle(data)
            if len(data) < _READ_SIZE // 2:
                return  # the queue was empty: spare the read that would say so

    def _handle(self, data: bytes) -> None:
        # The hot loop: one iteration per file read in a watched directory.
        unpack = _HEADER.unpack_from
        dirs, only, reads = self.dirs, self.only, self.reads
        end = len(data)
        i = 0
        while i < end:
            wd, mask, _cookie, length = unpack(data, i)
            start = i + 16
            i = start + length
            if mask & IN_CLOSE_NOWRITE:
                directory = dirs.get(wd)
                if directory is None or mask & IN_ISDIR:
                    continue
                name = data[start:i].rstrip(b"\0")
                names = only.get(wd)
                if names is None or name in names:
                    reads.add(directory + name)
            elif mask & (IN_CREATE | IN_MOVED_TO):
                name = data[start:i].rstrip(b"\0")
                directory = dirs.get(wd)
                if mask & IN_ISDIR:
                    # A moved-in or new subdirectory of a watched tree (a moved one keeps its
                    # watches; adding them again records their new paths).
                    if directory is not None and wd not in only:
                        self._add_new_tree(directory + name)
                elif name.startswith(b".lamingit-sync-"):
                    self.sentinels.add(name)
            elif mask & IN_Q_OVERFLOW:
                self.warn(OVERFLOW_MESSAGE)
                # Subdirectories created while events were lost may be unwatched.
                for top in self.recursive:
                    self._add_new_tree(top)
            elif mask & IN_IGNORED:
                dirs.pop(wd, None)
                only.pop(wd, None)

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
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        while True:
            self.drain()
            if name in self.sentinels:
                self.sentinels.discard(name)
                return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            poller.poll(max(1, int(left * 1000)))

    def take(self) -> tuple[list[bytes], list[str]]:
        """The distinct paths read since the last call, and new warnings."""
        reads, self.reads = self.reads, set()
        warnings, self.warnings = self.warnings, []
        sentinel = SENTINEL.encode()
        return [p for p in reads if not os.path.basename(p).startswith(sentinel)], warnings

    def close(self) -> None:
        os.close(self.fd)  # removes its watches


class Server:
    """Serve the parent's requests on stdin/stdout until it goes away.

    Example:
        >>> Server(parent_pid=os.getppid()).run()  # doctest: +SKIP
    """

    def __init__(self, parent_pid: int) -> None:
        self.parent_pid = parent_pid
        self.sessions: dict[int, Session] = {}
        self.by_fd: dict[int, Session] = {}
        self.poller = select.poll()
        self.poller.register(0, select.POLLIN)
        self.commands = select.poll()
        self.commands.register(0, select.POLLIN)
        self.inbox = bytearray()
        self._libc: _Libc | None = None

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
        return reply(False, [f"unknown watcher request {op!r}"])

    def _watch(self, sid: int, roots: list[tuple[bytes, bool]]) -> bytes:
        if self._libc is None:
            self._libc = _Libc()
        try:
            session = Session(self._libc, roots)
        except OSError as exc:
            message = (
                "reads by other processes are not tracked: the watcher could not start "
                f"({exc}); {_LIMITS_HINT}"
            )
            return reply(False, [message])
        self.sessions[sid] = session
        self.by_fd[session.fd] = session
        self.poller.register(session.fd, select.POLLIN)
        return reply(True, session.take()[1])

    def _sync(self, sid: int, timeout: float) -> bytes:
        session = self.sessions.get(sid)
        if session is None:
            return reply(False, ["the watcher lost this run's watches"])
        ok = session.sync(timeout)
        reads, warnings = session.take()
        return reply(ok, warnings, reads)


def main() -> None:
    """Entry point (see ``watcher.py``): serve the parent whose pid is ``sys.argv[1]``."""
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    try:  # noqa: SIM105
        Server(int(sys.argv[1])).run()
    except BrokenPipeError:
        pass  # the parent went away while we answered


if __name__ == "__main__":
    main()
