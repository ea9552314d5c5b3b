"""Small dependency-free helpers: base62 ids, UTC clocks, atomic file writes, URL redaction."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE62_INDEX = {c: i for i, c in enumerate(BASE62)}


def random_base62(n: int) -> str:
    """Return ``n`` cryptographically random base62 characters.

    Example:
        >>> len(random_base62(16))
        16
    """
    # One draw for the whole id: secrets.choice() per character cost a syscall each.
    value = secrets.randbelow(62**n)
    digits = []
    for _ in range(n):
        value, rem = divmod(value, 62)
        digits.append(BASE62[rem])
    return "".join(digits)


def encode_counter(value: int, width: int = 4) -> str:
    """Encode a non-negative integer as fixed-width base62 (``0`` → ``"0000"``).

    Example:
        >>> encode_counter(61)
        '000z'
    """
    if value < 0 or value >= 62**width:
        raise ValueError(f"counter {value} does not fit in {width} base62 digits")
    digits = []
    for _ in range(width):
        value, rem = divmod(value, 62)
        digits.append(BASE62[rem])
    return "".join(reversed(digits))


def decode_counter(text: str) -> int:
    """Decode a base62 string into an integer.

    Example:
        >>> decode_counter("0010")
        62
    """
    value = 0
    for ch in text:
        value = value * 62 + _BASE62_INDEX[ch]
    return value


def is_base62(text: str) -> bool:
    """Tell whether ``text`` is non-empty and made only of base62 characters."""
    return bool(text) and all(c in _BASE62_INDEX for c in text)


def utcnow_iso() -> str:
    """The current UTC time as an ISO-8601 string with microseconds and ``+00:00``."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    """Write all of ``data`` to the descriptor ``fd`` (``os.write`` may write less).

    Example:
        >>> write_all(fd, b"hello")  # doctest: +SKIP
    """
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def create_new_file(directory: str, prefix: str, mode: int = 0o600) -> tuple[int, str]:
    """Create a file with a random name in ``directory`` (made if missing); ``(fd, path)``.

    The descriptor is open for reading and writing whatever ``mode`` says (``0o444`` makes a
    file read-only for everyone from the start).

    Example:
        >>> fd, tmp = create_new_file(str(Path(tmp_dir)), "blob-")  # doctest: +SKIP
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    while True:
        path = os.path.join(directory, prefix + os.urandom(6).hex())
        try:
            fd = os.open(path, flags, mode)
        except FileExistsError:
            continue
        except FileNotFoundError:
            os.makedirs(directory, exist_ok=True)
            continue
        if mode != 0o600:
            # exactly ``mode`` whatever the umask (0600 is left to it, as in mkstemp)
            os.fchmod(fd, mode)
        return fd, path


def atomic_write(path: Path, data: bytes, *, fsync: bool = False, prefix: str = ".tmp-") -> None:
    """Write ``data`` to ``path`` via a temporary file and rename, so readers never see half.

    ``prefix`` names the temporary file (git's cleanup knows ``tmp_pack_*`` in a pack folder).

    Example:
        >>> atomic_write(Path(tmp) / "x", b"hello")  # doctest: +SKIP
    """
    # os-level calls, not mkstemp/fdopen: this runs for each pack a save writes, and the
    # buffered file object and name generator cost more than the write itself.
    fd, tmp = create_new_file(os.fspath(path.parent), prefix)
    try:
        try:
            write_all(fd, data)
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class FileLock:
    """An exclusive advisory lock (``flock``) on a file; the kernel drops it if the holder dies.

    Because the kernel releases ``flock`` locks when a process exits for any reason, a writer
    killed mid-save never leaves a stale lock behind.

    Example:
        >>> with FileLock(Path(tmp) / "write.lock"):  # doctest: +SKIP
        ...     pass
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._depth = 0

    def __enter__(self) -> FileLock:
        self._acquire(blocking=True)
        return self

    def try_acquire(self) -> bool:
        """Take the lock if no other process holds it; give it back with :meth:`release`.

        Example:
            >>> lock = FileLock(Path(tmp) / "pack.lock")  # doctest: +SKIP
            >>> if lock.try_acquire():  # doctest: +SKIP
            ...     lock.release()
        """
        return self._acquire(blocking=False)

    def _acquire(self, *, blocking: bool) -> bool:
        import fcntl

        if self._depth == 0:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BaseException as exc:
                os.close(fd)
                if isinstance(exc, BlockingIOError) and not blocking:
                    return False
                raise
            self._fd = fd
        self._depth += 1
        return True

    def __exit__(self, *exc: object) -> None:
        self.release()

    def release(self) -> None:
        """Release one acquisition (the lock itself once every ``with`` level has ended)."""
        import fcntl

        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (a rename is durable only once its directory is synced).

    Example:
        >>> fsync_dir(Path("."))
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_toml(path: Path) -> dict[str, dict[str, str]]:
    """Read a flat two-level TOML file (``[section] key = "value"``); {} if absent.

    Example:
        >>> read_toml(Path("missing.toml"))
        {}
    """
    import tomllib

    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    stamp = (str(path), st.st_mtime_ns, st.st_size, st.st_ino)
    cached = _TOML_CACHE.get(stamp[0])
    if cached is not None and cached[0] == stamp:
        return {k: dict(v) for k, v in cached[1].items()}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    parsed = {str(k): {str(a): str(b) for a, b in v.items()} for k, v in data.items()}
    _TOML_CACHE[stamp[0]] = (stamp, parsed)
    return {k: dict(v) for k, v in parsed.items()}


# Settings files are read on every save; re-parse them only when they change on disk.
_TOML_CACHE: dict[str, tuple[tuple[str, int, int, int], dict[str, dict[str, str]]]] = {}


def dump_toml(data: dict[str, dict[str, str]]) -> bytes:
    """Serialize a flat two-level mapping as TOML (sections and string values only).

    Example:
        >>> dump_toml({"user": {"handle": "ann"}})
        b'[user]\\nhandle = "ann"\\n'
    """
    import json

    lines: list[str] = []
    for section in sorted(data):
        if lines:
            lines.append("")
        lines.append(f"[{section}]")
        for key in sorted(data[section]):
            lines.append(f"{key} = {json.dumps(data[section][key])}")
    return ("\n".join(lines) + "\n").encode()


def user_config_path() -> Path:
    """The per-user settings file (login, default repository).

    Example:
        >>> user_config_path().name
        'config.toml'
    """
    return Path(user_config_file())


def user_config_file() -> str:
    """:func:`user_config_path` as a string (asked on every save; no pathlib).

    Example:
        >>> user_config_file().endswith("config.toml")
        True
    """
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return os.path.join(base, "lamingit", "config.toml")


REDACTED = "***"
# http(s)://USERINFO@ : the whole userinfo (a bare https://TOKEN@host/ is a token too).
_HTTP_USERINFO = re.compile(r"(?i)\b(https?://)[^/?#@\s]+@")
# other schemes: only a password is secret (ssh://git@host/ keeps its user name).
_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/?#@\s:]*):[^/?#@\s]+@")
# ?token=…, &access_token=…, X-Amz-Signature=…: the value of a secret-looking query parameter.
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:[\w.-]*(?:token|secret|password|passwd|signature|credential)"
    r"|sig|key|apikey|api_key|auth)=)[^&#\s\"'<>]+"
)


def redact_url(text: str) -> str:
    """``text`` with the secrets of every URL in it replaced by ``***``, for display only.

    Hidden: the user info of an http(s) URL (``https://user:TOKEN@host`` and
    ``https://TOKEN@host``), the password of any other URL, and the values of
    secret-looking query parameters (``?token=``, ``access_token``, signatures). Works on a
    single URL and on free text (a log line, git's error message). Never apply it to a URL
    that is stored for use: only to what is printed, logged or written into a message.

    Example:
        >>> redact_url("https://user:s3cret@host/x.git?token=abc&at=HEAD")
        'https://***@host/x.git?token=***&at=HEAD'
        >>> redact_url("ssh://git@host/x.git")
        'ssh://git@host/x.git'
    """
    text = _HTTP_USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
    text = _PASSWORD.sub(lambda m: f"{m.group(1)}:{REDACTED}@", text)
    return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
