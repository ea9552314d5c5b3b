"""How the UI names things: registry URLs, links to records by uid, and template filters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lamingit.errors import InvalidArgument
from lamingit.models import RunRecord
from lamingit.remote.history import label_of

if TYPE_CHECKING:
    from lamingit.web.page import Page


def _plurals() -> dict[str, str]:
    # The catalog, not ``lamingit.api.registries``: once the registries subpackage is
    # imported, that name on the package is the subpackage, not the function.
    from lamingit.api.core import catalog
    from lamingit.models import STRUCTS

    out = {}
    for cls in catalog.classes().values():
        registry = cls._registry
        if registry in STRUCTS:
            out[registry] = registry + "s"
    return out


PLURALS = _plurals()
"""registry → URL segment (``artifact`` → ``artifacts``), for every registry the API has."""
CLASS_NAMES = {r: r.capitalize() for r in PLURALS}
CORE = ("artifact", "feature", "project", "record", "run", "transform", "user")
EXTRA_PLURALS = sorted(p for r, p in PLURALS.items() if r not in CORE)
"""Registries beyond the seven of the first release (ULabel, Collection, …), for the menu."""


def registry_of_plural(plural: str) -> str:
    """The registry a URL segment names.

    Example:
        >>> registry_of_plural("runs")
        'run'
    """
    for registry, name in PLURALS.items():
        if name == plural:
            return registry
    raise InvalidArgument(f"no registry {plural!r}")


@dataclass(frozen=True)
class Link:
    """A link to a record: where, and what to call it."""

    href: str
    text: str
    missing: bool = False


class Linker:
    """Links to records by uid at the page's commit (labels looked up once per page)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.snapshot = page.repo.snapshot(page.commit) if page.commit else None
        self._cache: dict[tuple[str, str], Link] = {}

    def __call__(self, registry: str, uid: str | None) -> Link | None:
        """The link to record ``uid`` of ``registry`` (None for no uid)."""
        if not uid:
            return None
        key = (registry, uid)
        found = self._cache.get(key)
        if found is None:
            record = self.snapshot.find(registry, uid) if self.snapshot else None
            text = (label_of(record) if record is not None else None) or uid
            if isinstance(record, RunRecord) and self.snapshot is not None:
                transform = self.snapshot.find("transform", record.transform)
                text = f"run {uid[:8]}" + (f" of {label_of(transform)}" if transform else "")
            endpoint = {"artifact": "artifact", "run": "run", "transform": "transform"}
            if registry in endpoint:
                href = self.page.url(endpoint[registry], uid=uid)
            else:
                href = self.page.url("record", plural=PLURALS.get(registry, registry), uid=uid)
            found = Link(href, text, record is None)
            self._cache[key] = found
        return found

    def user(self, uid: str) -> str:
        """A user's handle (or the uid when the user record is missing)."""
        link = self("user", uid)
        return link.text if link else uid


def human_size(n: int | None) -> str:
    """Bytes as a short size.

    Example:
        >>> human_size(2048)
        '2.0 KB'
    """
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def when(text: str | None) -> str:
    """An ISO timestamp shortened to the second, in the repository's UTC.

    Example:
        >>> when("2026-01-31T10:20:30.123456+00:00")
        '2026-01-31 10:20:30'
    """
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def duration(start: str | None, end: str | None) -> str:
    """How long a run took (empty while it runs).

    Example:
        >>> duration("2026-01-01T00:00:00+00:00", "2026-01-01T00:01:05+00:00")
        '1m 5s'
    """
    if not start or not end:
        return ""
    try:
        seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except ValueError:
        return ""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m {rest}s" if minutes else f"{seconds:.2f}s"


def as_json(value: Any) -> str:
    """A value as indented JSON text (for params, dicts and field diffs).

    Example:
        >>> as_json({"a": 1})
        '{"a": 1}'
    """
    text = json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 2000 else text[:1999] + "…"


_RELATED = {
    "run": "run",
    "transform": "transform",
    "projects": "project",
    "records": "record",
    "created_by": "user",
    "inputs": "artifact",
    "initiated_by_run": "run",
    "type": "record",
}


def related(registry: str, field: str) -> str | None:
    """The registry a field's uid (or uids) point into, or None for a plain value.

    Example:
        >>> related("run", "inputs")
        'artifact'
        >>> related("transform", "parents")
        'transform'
    """
    if field == "parents":
        return registry
    if registry == "run" and field == "transform":
        return "transform"
    return _RELATED.get(field)


def field_of(record: Any, name: str) -> Any:
    """A record's field, or None when its registry has no such field.

    Example:
        >>> field_of(object(), "description") is None
        True
    """
    return getattr(record, name, None)


FILTERS = {"size": human_size, "when": when, "as_json": as_json, "field": field_of}

__all__ = ["FILTERS", "PLURALS", "Link", "Linker", "duration", "registry_of_plural", "related"]
