"""Unknown keyword arguments to a registry constructor raise LaminDB's
``FieldValidationError`` (naming the valid fields) instead of Python's ``TypeError``."""

from __future__ import annotations

import functools
import inspect
import weakref
from collections.abc import Callable
from typing import Any

from lamingit.errors import FieldValidationError
from lamingit.query.validate import did_you_mean

_CHECKED: weakref.WeakSet[Callable[..., None]] = weakref.WeakSet()
"""The constructors this module made (a class checked twice is wrapped once)."""


def check_fields(cls: type) -> None:
    """Wrap ``cls.__init__`` so ``cls(bogus=1)`` raises ``FieldValidationError``.

    Constructors that take ``**kwargs`` check their extras themselves and are left alone.

    Example:
        >>> check_fields(ln.Project)  # doctest: +SKIP
    """
    init = cls.__dict__.get("__init__")
    if init is None or init in _CHECKED:
        return
    params = inspect.signature(init).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    names = frozenset(
        n
        for n, p in params.items()
        if n != "self" and p.kind is not inspect.Parameter.POSITIONAL_ONLY
    )

    @functools.wraps(init)
    def checked(self: Any, *args: Any, **kwargs: Any) -> None:
        unknown = [k for k in kwargs if k not in names]
        if unknown:
            hints = "".join(did_you_mean(k, names) for k in unknown)
            raise FieldValidationError(
                f"{', '.join(unknown)} are not valid fields of {cls.__name__};{hints} "
                f"valid fields: {', '.join(sorted(names))}"
            )
        init(self, *args, **kwargs)

    _CHECKED.add(checked)
    # through type.__setattr__: mypy refuses assigning a method of an arbitrary class
    type.__setattr__(cls, "__init__", checked)


__all__ = ["check_fields"]
