"""A row of a benchmark result and a plain-text table printer shared by the bench scripts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One measured figure and the target it is judged against."""

    name: str
    value: float
    unit: str
    target: str


def print_rows(title: str, rows: list[Row]) -> None:
    """Print rows as an aligned table under ``title``."""
    width = max([len(r.name) for r in rows] + [7])
    print(f"\n{title}")
    print(f"{'measure'.ljust(width)}  {'figure':>12}  target")
    print(f"{'-' * width}  {'-' * 12}  {'-' * 20}")
    for r in rows:
        print(f"{r.name.ljust(width)}  {r.value:>9.2f} {r.unit:<2}  {r.target}")
