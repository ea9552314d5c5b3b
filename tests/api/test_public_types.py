"""The public API names real types: no function, method or property of a registry, nor any
``ln.*`` function, is annotated to return ``Any`` (except content whose type is the file's)."""

from __future__ import annotations

import inspect
import re

import lamingit as ln
from lamingit.api.core import catalog

DYNAMIC = {"load", "open"}
"""Artifact content: a DataFrame, AnnData, zarr group, dict, str… depending on the suffix."""

_ANY = re.compile(r"^Any$|\[Any\]|\bAny \||\| Any\b")
"""``Any``, ``QuerySet[Any]``, ``Any | None``; plain data (``dict[str, Any]``) is a real type."""


def _returns(fn: object) -> str:
    annotations = getattr(fn, "__annotations__", {})
    return str(annotations.get("return", ""))


def _public_callables(cls: type) -> dict[str, object]:
    found: dict[str, object] = {}
    for name in dir(cls):
        if name.startswith("_") or name in DYNAMIC:
            continue
        attr = inspect.getattr_static(cls, name)
        if isinstance(attr, property):
            found[name] = attr.fget
        elif isinstance(attr, classmethod | staticmethod):
            found[name] = attr.__func__
        elif inspect.isfunction(attr):
            found[name] = attr
    return found


def test_registry_methods_and_properties_return_real_types() -> None:
    problems = []
    for cls in catalog.classes().values():
        for name, fn in _public_callables(cls).items():
            annotation = _returns(fn)
            if not annotation:
                problems.append(f"{cls.__name__}.{name} has no return annotation")
            elif _ANY.search(annotation):
                problems.append(f"{cls.__name__}.{name} returns {annotation}")
    assert not problems, "\n".join(problems)


def test_ln_functions_return_real_types() -> None:
    problems = []
    for name in ln.__all__:
        value = getattr(ln, name)
        if inspect.isfunction(value):
            annotation = _returns(value)
            if not annotation or _ANY.search(annotation):
                problems.append(f"ln.{name} returns {annotation or 'nothing annotated'}")
        elif name == "context":
            for attr, fn in _public_callables(type(value)).items():
                if _ANY.search(_returns(fn)):
                    problems.append(f"ln.context.{attr} returns {_returns(fn)}")
    assert not problems, "\n".join(problems)
