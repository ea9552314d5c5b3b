"""``lamingit search QUERY``: ranked text search over one registry or all of them.

Ranking is ``Registry.search()``'s (exact > whole word > word prefix > substring over names,
keys, descriptions and handles); a query that looks like a uid also finds records by uid
prefix, and runs are found through their transform's key and description.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from lamingit.cli.output import emit_json, emit_table
from lamingit.models import STRUCTS

_FIRST = ("artifact", "transform", "run", "record")
REGISTRIES = (*_FIRST, *(name for name in STRUCTS if name not in _FIRST))
"""The registries searched, in the order results are shown: data and code first."""
MIN_UID_QUERY = 4
"""A query this long made of base62 characters is also tried as a uid prefix."""


def _cls(registry: str) -> Any:
    from lamingit.api.core.catalog import registry_class

    return registry_class(registry)


def _uid_matches(registry: str, query: str) -> list[Any]:
    from lamingit._util import is_base62

    if len(query) < MIN_UID_QUERY or not is_base62(query):
        return []
    return list(_cls(registry).filter(uid__startswith=query).order_by("uid"))


def _text_matches(registry: str, query: str) -> list[Any]:
    cls = _cls(registry)
    found = list(cls.search(query))
    if registry == "run":
        # Runs have no name: "search runs for clean.py" means runs of matching transforms.
        transforms = [t.uid for t in _cls("transform").search(query)]
        if transforms:
            order = {uid: i for i, uid in enumerate(transforms)}
            runs = cls.filter(transform__in=transforms).to_list()
            runs.sort(key=lambda r: r.started_at, reverse=True)  # newest first per transform
            runs.sort(key=lambda r: order[r.transform_uid])
            found.extend(runs)
    return found


def matches(registry: str, query: str) -> list[Any]:
    """Records of ``registry`` matching ``query``, best first, each once.

    Example:
        >>> [a.key for a in matches("artifact", "umap")]  # doctest: +SKIP
        ['figures/umap.png']
    """
    out: list[Any] = []
    seen: set[str] = set()
    for obj in [*_uid_matches(registry, query), *_text_matches(registry, query)]:
        if obj.uid not in seen:
            seen.add(obj.uid)
            out.append(obj)
    return out


def _handle(obj: Any) -> str:
    user = obj.created_by
    return str(user.handle) if user is not None else str(obj.to_dict()["created_by"])


def _transform_key(obj: Any) -> str:
    transform = obj.transform
    if transform is None:
        return str(obj.to_dict()["transform"])
    return str(transform.key or transform.description or transform.uid)


def _record_type(obj: Any) -> str:
    parent = obj.type
    return "" if parent is None else str(parent.name)


_COLUMNS: dict[str, list[tuple[str, Callable[[Any], Any]]]] = {
    "artifact": [
        ("uid", lambda o: o.uid),
        ("key", lambda o: o.key),
        ("description", lambda o: o.description),
        ("version", lambda o: o.version),
        ("created_by", _handle),
    ],
    "transform": [
        ("uid", lambda o: o.uid),
        ("key", lambda o: o.key),
        ("description", lambda o: o.description),
        ("kind", lambda o: o.kind),
        ("version", lambda o: o.version),
    ],
    "run": [
        ("uid", lambda o: o.uid),
        ("transform", _transform_key),
        ("status", lambda o: o.status),
        ("started_at", lambda o: o.started_at[:19]),
        ("created_by", _handle),
    ],
    "record": [
        ("uid", lambda o: o.uid),
        ("name", lambda o: o.name),
        ("type", _record_type),
        ("description", lambda o: o.description),
    ],
    "feature": [
        ("uid", lambda o: o.uid),
        ("name", lambda o: o.name),
        ("dtype", lambda o: o.dtype),
        ("description", lambda o: o.description),
    ],
    "project": [
        ("uid", lambda o: o.uid),
        ("name", lambda o: o.name),
        ("description", lambda o: o.description),
    ],
    "user": [
        ("uid", lambda o: o.uid),
        ("handle", lambda o: o.handle),
        ("name", lambda o: o.name),
    ],
}


@click.command()
@click.argument("query")
@click.option(
    "--registry",
    "registry",
    type=click.Choice(REGISTRIES),
    default=None,
    help="Search only this registry (default: all of them).",
)
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(min=1), help="Per registry."
)
@click.option("--json", "as_json", is_flag=True, help="Print the matches as a JSON list.")
def search(query: str, registry: str | None, limit: int, as_json: bool) -> None:
    """Search names, keys, descriptions and handles for QUERY (case-insensitive, ranked).

    Ranking: exact > whole word > word prefix > substring. A query of 4+ uid characters also
    matches uid prefixes; runs match through their transform. Exit 0 also when nothing matches.

    Example: lamingit search "crispra" --registry artifact

    Example: lamingit search umap --json
    """

    if not query.strip():
        raise click.UsageError("QUERY is empty; give some text, e.g. lamingit search p53")
    chosen = (registry,) if registry else REGISTRIES
    results = {name: matches(name, query.strip()) for name in chosen}
    if as_json:
        emit_json(
            [
                {"registry": name, **obj.to_dict()}
                for name in chosen
                for obj in results[name][:limit]
            ]
        )
        return
    if not any(results.values()):
        where = f" in {registry}s" if registry else ""
        click.echo(f"no matches for {query!r}{where}")
        return
    for name in chosen:
        found = results[name]
        if not found and registry is None:
            continue
        columns = _COLUMNS[name]
        shown = found[:limit]
        more = f" ({len(shown)} of {len(found)}; --limit to see more)" if len(found) > limit else ""
        emit_table(
            f"{name}s matching {query!r}{more}",
            [c for c, _ in columns],
            [[get(obj) for _, get in columns] for obj in shown],
        )
