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


def cpu_reference_row() -> Row:
    """This machine's speed right now: a fixed pure-Python loop (best of 5).

    Shared virtual machines slow down and speed up by up to 2x over minutes; this row lets a
    reader compare tables taken at different times (it measured ~2.8 ms in a fast phase of
    the 2-CPU development machine and ~5.7 ms in a slow one).
    """
    import timeit

    best = min(timeit.repeat("sum(i * i for i in range(100_000))", number=20, repeat=5)) / 20
    return Row(
        "reference: sum of 100,000 squares in Python (machine speed)", best * 1e3, "ms", "reported"
    )
