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
├── ReadOnlyError           writing through ln.at(REF)
├── IntegrityError          a blob does not match its hash; a record does not decode
├── ConflictError           a merge found the same field changed two ways
└── RemoteError             a git or blob remote failed
    └── IncomingRejected    a pulled or cloned commit failed the checks on arrival
"""

from __future__ import annotations


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


__all__ = [
    "ConflictError",
    "DoesNotExist",
    "FieldError",
    "IncomingRejected",
    "IntegrityError",
    "InvalidArgument",
    "InvalidKey",
    "LamingitError",
    "MultipleObjectsReturned",
    "MultipleResultsFound",
    "NotARepository",
    "ObjectDoesNotExist",
    "ReadOnlyError",
    "RemoteError",
    "RepositoryExists",
    "TrackNotCalled",
    "ValidationError",
]
