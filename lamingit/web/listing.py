"""The artifact table's query: filters, search, sort and one page, answered by the index.

URL parameters become a Q; ``lamingit.index.page`` counts the matches and decodes only the
page's records, so a page of 100k artifacts costs little more than counting them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lamingit.errors import InvalidArgument
from lamingit.models import BaseRecord
from lamingit.query import Q

FILTER_FIELDS = (
    "key",
    "description",
    "suffix",
    "kind",
    "otype",
    "version",
    "hash",
    "is_latest",
    "created_by",
)
"""Artifact fields the table filters by (``created_by`` takes a handle)."""
SORTABLE = ("created_at", "key", "description", "suffix", "size", "version")
OPS = ("exact", "icontains", "startswith", "gt", "lt")


@dataclass
class Table:
    """One page of a registry's records and what it took to choose them."""

    total: int
    rows: list[BaseRecord]
    page: int
    pages: int
    params: dict[str, str]
    """The filter parameters (for links to other pages of the same selection)."""


def _typed(text: str, dtype: str | None) -> Any:
    """A URL string as the feature's or field's type (so ``0.5`` compares as a number)."""
    if dtype in ("int",):
        try:
            return int(text)
        except ValueError:
            raise InvalidArgument(f"{text!r} is not an integer") from None
    if dtype in ("float",):
        try:
            return float(text)
        except ValueError:
            raise InvalidArgument(f"{text!r} is not a number") from None
    if dtype == "bool":
        if text.lower() not in ("true", "false"):
            raise InvalidArgument(f"{text!r} is not true or false")
        return text.lower() == "true"
    return text


def artifact_query(view: Any, params: dict[str, str]) -> Q:
    """The Q a filter form's ``params`` mean (plus ``trashed=False``).

    Parameters: ``field``/``op``/``value`` (a field of FILTER_FIELDS), ``feature``/``fop``/
    ``fvalue`` (any feature), ``label`` (a Record name), ``q`` (search in keys and
    descriptions), ``latest=1`` (latest versions only).

    Example:
        >>> artifact_query(ln.at("HEAD"), {"field": "suffix", "value": ".csv"})  # doctest: +SKIP
    """
    import lamingit as ln

    parts: list[Q] = [ln.Q(trashed=False)]
    field, value = params.get("field", ""), params.get("value", "")
    op = params.get("op") or "exact"
    if op not in OPS:
        raise InvalidArgument(f"unknown comparison {op!r}; use one of {', '.join(OPS)}")
    if field and value:
        if field not in FILTER_FIELDS:
            raise InvalidArgument(f"cannot filter by {field!r}; fields: {', '.join(FILTER_FIELDS)}")
        if field == "created_by":
            users = view.User.filter(handle=value).to_list()
            if not users:
                raise InvalidArgument(f"no user with handle {value!r}; see the Users page")
            parts.append(ln.Q(created_by=users[0].uid))
        else:
            typed = _typed(value, "bool" if field == "is_latest" else None)
            parts.append(view.Artifact.filter(**{f"{field}__{op}": typed}).q)
    feature, fvalue = params.get("feature", ""), params.get("fvalue", "")
    fop = params.get("fop") or "exact"
    if fop not in OPS:
        raise InvalidArgument(f"unknown comparison {fop!r}; use one of {', '.join(OPS)}")
    if feature and fvalue:
        found = view.Feature.filter(name=feature).to_list()
        if not found:
            raise InvalidArgument(f"no feature named {feature!r}; see the Features page")
        typed = _typed(fvalue, found[0].dtype)
        parts.append(view.Artifact.filter(**{f"{feature}__{fop}": typed}).q)
    label = params.get("label", "")
    if label:
        parts.append(view.Artifact.filter(records__name=label).q)
    text = params.get("q", "")
    if text:
        parts.append(ln.Q(key__icontains=text) | ln.Q(description__icontains=text))
    if params.get("latest") == "1":
        parts.append(ln.Q(is_latest=True))
    query = parts[0]
    for part in parts[1:]:
        query = query & part
    return query


def artifact_table(view: Any, snapshot: Any, params: dict[str, str], page: int, size: int) -> Table:
    """One page of the artifacts ``params`` select, sorted by ``params['sort']``.

    Example:
        >>> artifact_table(view, repo.snapshot(), {"q": "pbmc"}, 1, 50).total  # doctest: +SKIP
    """
    from lamingit.index import Unsupported
    from lamingit.index import page as index_page

    sort = params.get("sort") or "-created_at"
    if sort.lstrip("-") not in SORTABLE:
        raise InvalidArgument(f"cannot sort by {sort!r}; columns: {', '.join(SORTABLE)}")
    q = artifact_query(view, params)
    # a search without a chosen sort: best matches first (as ``search``), newest within a rank
    rank = params.get("q") if not params.get("sort") else None
    try:
        total, rows = index_page(snapshot, "artifact", q, sort, (page - 1) * size, size, rank)
    except Unsupported as exc:
        raise InvalidArgument(f"this filter cannot be answered: {exc}") from None
    pages = max(1, -(-total // size))
    return Table(total, rows, page, pages, {k: v for k, v in params.items() if v})


def registry_table(snapshot: Any, registry: str, page: int, size: int) -> Table:
    """One page of any registry's records (not in the trash), newest first.

    Example:
        >>> registry_table(repo.snapshot(), "run", 1, 50).rows  # doctest: +SKIP
    """
    from lamingit.index import page as index_page
    from lamingit.models import STRUCTS

    struct = STRUCTS[registry]
    q = Q(trashed=False) if "trashed" in struct.__struct_fields__ else Q()
    total, rows = index_page(snapshot, registry, q, "-created_at", (page - 1) * size, size)
    return Table(total, rows, page, max(1, -(-total // size)), {})


__all__ = ["FILTER_FIELDS", "OPS", "SORTABLE", "Table", "artifact_query", "artifact_table"]
