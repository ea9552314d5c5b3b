"""The lamingit exception tree: every error a user can trigger derives from LamingitError.

LamingitError
├── NotARepository          no repository found / given path is not one
├── RepositoryExists        init on a non-empty directory that is not a repository
├── InvalidKey (ValueError) a key breaks the key rules
├── ValidationError         a value does not fit a field or feature
├── InvalidArgument         an unknown field/feature in a query, a bad argument
│   └── FieldError          an unknown lookup (``size__gtx``): Django's name, as LaminDB raises it
├── DoesNotExist            get() matched nothing (alias ObjectDoesNotExist; ``ln.Artifact.DoesNotExist``)
├── MultipleResultsFound    get()/one() matched more than one (alias MultipleObjectsReturned)
├── TrackNotCalled          finish() without track()
├── NotebookNotConsecutive  finish() in a notebook whose cells ran out of order
├── ReadOnlyError           writing through ln.at(REF)
├── IntegrityError          a blob does not match its hash; a record does not decode
├── ConflictError           a merge found the same field changed two ways
├── RemoteError             a git or blob remote failed
│   └── IncomingRejected    a pulled or cloned commit failed the checks on arrival
└── DiskError (OSError)     the file system refused a write: full, over quota, read-only
"""

from __future__ import annotations

import errno
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class LamingitError(Exception):
    """Base class of every error lamingit raises on purpose."""


class NotARepository(LamingitError):
    """No lamingit repository could be found or the given path is not one."""


class RepositoryExists(LamingitError):
    """``init`` was asked to create a repository in a non-empty directory."""


class InvalidKey(LamingitError, ValueError):
    """A key violates the key rules (traversal, absolute, backslash, NUL, suffix)."""


class ValidationError(LamingitError, ValueError):
    """A value does not fit the field or feature it is meant for."""


class InvalidArgument(LamingitError, ValueError):
    """An argument is unknown or malformed (e.g. a filter on an unknown field)."""


class FieldValidationError(InvalidArgument):
    """A constructor got a field that does not exist or a value the field does not allow.

    LaminDB raises it for ``ln.Artifact(path, keyy=…)``; ``except ValueError`` catches it too.
    """


class FieldError(InvalidArgument):
    """A lookup names an operator or field that does not exist (``size__gtx=1``).

    LaminDB lets Django's ``FieldError`` through for these; a handler written for that catches
    this one by name, and ``except InvalidArgument`` catches it too.
    """


class DoesNotExist(LamingitError, LookupError):
    """A ``get()`` or ``one()`` matched no record (each registry has a subclass:
    ``ln.Artifact.DoesNotExist``)."""


class MultipleResultsFound(LamingitError, LookupError):
    """A ``get()`` or ``one()`` matched more than one record (each registry has a subclass:
    ``ln.Artifact.MultipleObjectsReturned``)."""


ObjectDoesNotExist = DoesNotExist
"""Django's name for :class:`DoesNotExist` (``except ln.errors.ObjectDoesNotExist``)."""

MultipleObjectsReturned = MultipleResultsFound
"""Django's name for :class:`MultipleResultsFound`."""


class TrackNotCalled(LamingitError):
    """``ln.finish()`` was called without an active ``ln.track()`` run."""


class NotebookNotConsecutive(LamingitError):
    """``ln.finish()`` in a notebook whose cells did not run in order (LaminDB's check)."""


class ReadOnlyError(LamingitError):
    """A write was attempted through a read-only view such as ``ln.at(REF)``."""


class IntegrityError(LamingitError):
    """Stored data does not match its recorded hash or schema."""


class ConflictError(LamingitError):
    """The same field of a record was changed in two ways that cannot be merged."""


class RemoteError(LamingitError):
    """A git remote or blob remote could not be reached or refused an operation."""


class IncomingRejected(RemoteError):
    """A commit arriving by pull or clone breaks a rule; the whole transfer was refused."""


class DiskError(LamingitError, OSError):
    """The file system refused a write (ENOSPC, EDQUOT, EROFS); nothing was half-written.

    Also an ``OSError`` (with the original ``errno``), so ``except OSError`` still catches it.
    """

    def __str__(self) -> str:
        # OSError would print "[Errno N] None: 'path'" once errno is set; keep the one line.
        return str(self.args[0]) if self.args else ""


# errno → (what happened, what to do). Each write leaves the repository consistent (blobs are
# renamed into place when complete, a commit becomes visible only when its ref moves), so the
# one thing a user needs is the reason and the remedy, not a traceback.
_DISK_ERRNOS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", "free space (e.g. `lamingit gc`) and try again"),
    errno.EDQUOT: ("the disk quota is exceeded", "free space or raise the quota and try again"),
    errno.EROFS: (
        "the file system is read-only",
        "remount it writable, or clone the repository to a writable place",
    ),
}


def disk_error(exc: OSError) -> DiskError | None:
    """The ``DiskError`` for a full, over-quota or read-only file system; None for others.

    Example:
        >>> import errno
        >>> disk_error(OSError(errno.ENOSPC, "No space left on device", "/data/x")).errno == errno.ENOSPC
        True
    """
    if isinstance(exc, DiskError):
        return exc
    known = _DISK_ERRNOS.get(exc.errno or 0)
    if known is None:
        return None
    what, remedy = known
    where = f" writing {exc.filename}" if exc.filename else ""
    name = errno.errorcode.get(exc.errno or 0, "")
    translated = DiskError(f"{what} ({name}){where}; {remedy}; nothing was half-written")
    translated.errno = exc.errno
    translated.filename = exc.filename
    return translated


def translate_disk_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a write path so a full or read-only file system raises ``DiskError``.

    Example:
        >>> @translate_disk_errors
        ... def write(): ...
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except OSError as exc:
            translated = disk_error(exc)
            if translated is None or translated is exc:
                raise
            raise translated from exc

    return wrapper


__all__ = [
    "ConflictError",
    "DiskError",
    "DoesNotExist",
    "FieldError",
    "FieldValidationError",
    "IncomingRejected",
    "IntegrityError",
    "InvalidArgument",
    "InvalidKey",
    "LamingitError",
    "MultipleObjectsReturned",
    "MultipleResultsFound",
    "NotARepository",
    "NotebookNotConsecutive",
    "ObjectDoesNotExist",
    "ReadOnlyError",
    "RemoteError",
    "RepositoryExists",
    "TrackNotCalled",
    "ValidationError",
    "disk_error",
    "translate_disk_errors",
]
