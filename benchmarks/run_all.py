"""Run every ``benchmarks/bench_*.py`` and print one table of measured figure vs target.

``python -m benchmarks`` (or ``python benchmarks/run_all.py``) runs each script's
``run(full) -> list[Row]`` in its own process (so one script's repositories, settings and
failures never leak into the next) and prints one table; ``--full`` passes the issues' full
sizes, ``--only save,query`` picks scripts, ``--json`` prints the rows as JSON.
``--lamindb`` adds a side-by-side run of the same small workload on LaminDB (see
``benchmarks/lamindb_side.py``): it creates a separate virtual environment on first use.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks._env import as_users_python  # noqa: E402

_TARGET = re.compile(r"^\s*(≤|<=|<|≥|>=|>)\s*([0-9][0-9_.,]*)")
RAW: dict[str, str] = {}
"""Printed output of scripts that offer no ``run(full)`` (shown below the table)."""
_CHILD = """
import dataclasses, json, sys
sys.path.insert(0, {root!r})
import importlib
module = importlib.import_module("benchmarks.{name}")
import inspect
if not hasattr(module, "run") or "full" not in inspect.signature(module.run).parameters:
    print("\\n@@NORUN@@")
    sys.exit(0)
rows = module.run(full={full})
print("\\n@@ROWS@@" + json.dumps([dataclasses.asdict(r) for r in rows]))
"""


@dataclass(frozen=True)
class Result:
    """One row of the combined table."""

    script: str
    name: str
    value: float | None
    unit: str
    target: str
    met: bool | None


def meets(value: float, target: str) -> bool | None:
    """Whether ``value`` meets a target written like ``≤ 2 ms`` or ``≥ 100 MB/s``; None if
    the target is not a bound (e.g. ``reported``).

    Example:
        >>> meets(1.5, "≤ 2 ms"), meets(90, "≥ 100 MB/s"), meets(3, "reported")
        (True, False, None)
    """
    match = _TARGET.match(target)
    if match is None:
        return None
    bound = float(match.group(2).replace("_", "").replace(",", ""))
    op = match.group(1)
    if op in ("≤", "<="):
        return value <= bound
    if op == "<":
        return value < bound
    if op in ("≥", ">="):
        return value >= bound
    return value > bound


def scripts(only: set[str] | None = None) -> list[str]:
    """Module names of the benchmark scripts present (``bench_save``, …), sorted."""
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if only:
        names = [n for n in names if n.removeprefix("bench_") in only or n in only]
    return names


def run_script(name: str, full: bool, timeout: float) -> tuple[list[Result], str]:
    """Run one script's ``run(full)`` in a fresh process; its rows, or an error text."""
    code = _CHILD.format(root=str(ROOT), name=name, full=full)
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [], f"timed out after {timeout:.0f} s"
    if "@@NORUN@@" in done.stdout:
        # a script without run(full): run it as its own command and keep what it prints
        args = [sys.executable, str(HERE / f"{name}.py"), *(["--full"] if full else [])]
        try:
            plain = subprocess.run(
                args, capture_output=True, text=True, env=env, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return [], f"timed out after {timeout:.0f} s"
        RAW[name.removeprefix("bench_")] = plain.stdout
        if plain.returncode != 0:
            return [], "failed: " + " | ".join(plain.stderr.strip().splitlines()[-3:])
        return [], ""
    marker = done.stdout.rfind("@@ROWS@@")
    if done.returncode != 0 or marker < 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return [], "failed: " + " | ".join(tail)
    rows = json.loads(done.stdout[marker + len("@@ROWS@@") :])
    short = name.removeprefix("bench_")
    return [
        Result(
            short,
            r["name"],
            float(r["value"]),
            r["unit"],
            r["target"],
            meets(float(r["value"]), r["target"]),
        )
        for r in rows
    ], ""


def print_table(results: list[Result], errors: dict[str, str]) -> None:
    """One aligned table: script, measure, figure, target, and whether it is met."""
    header = ("script", "measure", "figure", "target", "met")
    lines = [
        (
            r.script,
            r.name,
            f"{r.value:.2f} {r.unit}" if r.value is not None else "—",
            r.target,
            {True: "yes", False: "NO", None: ""}[r.met],
        )
        for r in results
    ]
    lines += [(script, "(not measured, see below)", "—", "", "") for script in errors]
    widths = [
        max(len(h), *(len(line[i]) for line in lines)) if lines else len(h)
        for i, h in enumerate(header)
    ]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))
    for script, err in errors.items():
        print(f"\n{script}: {err}")
    for script, text in RAW.items():
        print(f"\n{script} (no run(full); its own output):\n{text.rstrip()}")
    met = [r.met for r in results if r.met is not None]
    print(f"\n{sum(met)} of {len(met)} targets met; {len(errors)} script(s) failed")


def main(argv: list[str] | None = None) -> int:
    """Command line of ``python -m benchmarks``."""
    as_users_python()  # the scripts' processes inherit it
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="the issues' full sizes")
    parser.add_argument("--only", default="", help="comma-separated scripts, e.g. save,query")
    parser.add_argument("--json", action="store_true", help="print rows as JSON")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per script")
    parser.add_argument(
        "--lamindb",
        action="store_true",
        help="also run the side-by-side workload on LaminDB (separate venv)",
    )
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()} or None
    results: list[Result] = []
    errors: dict[str, str] = {}
    for name in scripts(only):
        started = time.perf_counter()
        print(f"running {name} …", file=sys.stderr, flush=True)
        rows, error = run_script(name, args.full, args.timeout)
        print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        results += rows
        if error:
            errors[name.removeprefix("bench_")] = error
    if args.json:
        print(json.dumps({"rows": [r.__dict__ for r in results], "errors": errors}, indent=1))
    else:
        print_table(results, errors)
    if args.lamindb:
        sys.path.insert(0, str(ROOT))
        from benchmarks.lamindb_side import side_by_side

        side_by_side(full=args.full)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
