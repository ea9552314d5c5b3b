"""Printing for the CLI: rich tables for people, JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout.

    Example:
        >>> emit_json({"uid": "x"})
        {"uid": "x"}
    """
    click.echo(json.dumps(data, default=str, ensure_ascii=False))


def emit_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a readable table (rich), or a note when there are no rows.

    Example:
        >>> emit_table("artifacts", ["uid", "key"], [["abc", "a.csv"]])  # doctest: +SKIP
    """
    if not rows:
        click.echo(f"no {title or 'rows'}")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    import sys

    # Piped output (CI logs, `| less`) gets a wide table instead of rich's 80-column default.
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def by_uid(cls: Any, ref: str) -> Any:
    """``cls.get(ref)`` (a uid, or a uid stem for the latest version), or None if none.

    Example:
        >>> by_uid(ln.Run, "bK3x…")  # doctest: +SKIP
    """
    from lamingit.errors import DoesNotExist

    try:
        return cls.get(ref)
    except DoesNotExist:
        return None


def emit_merge(result: Any, headline: str, sides: str, as_json: bool) -> None:
    """Print a record-level merge's result (pull, branch merge): the headline, the records
    renumbered, deduplicated, unified or given a new id, and the conflicts; or all of it as JSON.

    Example:
        >>> emit_merge(result, "merged into 1a2b3c4d5e6f", "sides", False)  # doctest: +SKIP
        merged into 1a2b3c4d5e6f
        unified Xb2kQ9aa -> Lm4tR2bb (the same name was created on both sides)
    """
    if as_json:
        data = {
            "kind": result.kind,
            "commit": result.commit,
            "conflicts": [c.to_dict() for c in result.conflicts],
            "renumbered": result.renumbered,
            "deduplicated": result.deduplicated,
            "unified": result.unified,
            "reid": {uid: list(ids) for uid, ids in result.reid.items()},
        }
        click.echo(json.dumps(data, indent=1, sort_keys=True))
        return
    text = headline
    for title, pairs, why in (
        ("renumbered", result.renumbered, "a new version was made"),
        ("deduplicated", result.deduplicated, "the same record was made"),
        ("unified", result.unified, "the same name was created"),
    ):
        for old, new in sorted(pairs.items()):
            text += f"\n{title} {old} -> {new} ({why} on both {sides})"
    for uid, (was, now) in sorted(result.reid.items()):
        text += f"\nreid {uid} id {was} -> {now} (another record had this id)"
    for conflict in result.conflicts:
        text += f"\nconflict: {conflict.describe()}"
    click.echo(text)
