"""Benchmark: ln.track() + ln.finish(), and read-tracking overhead on a run opening many files.

Usage: python benchmarks/bench_track.py [--full]

Prints a table (measure, figure, target). Runs in a private temporary directory with its own
config, so it never touches the user's repositories or login.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _read_all(files: list[Path]) -> None:
    for f in files:
        with open(f, "rb") as fh:
            fh.read()


def _timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _pristine_baseline(directory: Path, repeat: int) -> list[float]:
    """Open+read every file in a fresh interpreter that never installed an audit hook."""
    import json
    import subprocess

    code = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        f"files = sorted(Path({str(directory)!r}).iterdir())\n"
        "out = []\n"
        f"for _ in range({repeat}):\n"
        "    t = time.perf_counter()\n"
        "    for f in files:\n"
        "        with open(f, 'rb') as fh:\n"
        "            fh.read()\n"
        "    out.append(time.perf_counter() - t)\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(proc.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="more repetitions")
    args = parser.parse_args()
    repeat = 25 if args.full else 11
    n_files = 10_000

    work = Path(tempfile.mkdtemp(prefix="bench-track-"))
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    os.environ["LAMINGIT_USER"] = "bench"
    os.chdir(work)
    import lamingit as ln
    from lamingit.api import track as track_mod

    ln.init(work / "repo")
    # A script file for track() to detect (as a real script would be).
    rows: list[tuple[str, str, str]] = []

    # 1. track + finish ---------------------------------------------------------------------
    t = time.perf_counter()
    ln.track(capture_output=True)
    ln.finish()
    first = time.perf_counter() - t

    def cycle() -> None:
        ln.track()
        ln.finish()

    times = _timed(cycle, repeat * 3)
    rows.append(("ln.track()+ln.finish(), first in process", f"{first * 1e3:.1f} ms", "-"))
    rows.append(
        (
            "ln.track()+ln.finish(), median / min",
            f"{statistics.median(times) * 1e3:.1f} / {min(times) * 1e3:.1f} ms",
            "≤ 50 ms",
        )
    )
    t = time.perf_counter()
    ln.track()
    track_only = time.perf_counter() - t
    t = time.perf_counter()
    ln.finish()
    finish_only = time.perf_counter() - t
    rows.append(
        (
            "  of which track() / finish()",
            f"{track_only * 1e3:.1f} / {finish_only * 1e3:.1f} ms",
            "-",
        )
    )

    # 2. read-tracking overhead -------------------------------------------------------------
    plain = work / "plain"
    watched = work / "watched"
    for d in (plain, watched):
        d.mkdir()
        for i in range(n_files):
            (d / f"f{i:05d}.txt").write_bytes(b"x" * 64)
    plain_files = sorted(plain.iterdir())
    watched_files = sorted(watched.iterdir())
    _read_all(plain_files)  # warm the page cache
    _read_all(watched_files)

    # Interleave, and take the minimum of each: the machine's noise only ever adds time.
    from lamingit.tracking import audit

    ln.track(capture_output=False)
    log = audit.current()
    pristine: list[float] = []
    inactive, active = [], []
    for _ in range(repeat):
        pristine += _pristine_baseline(plain, 2)
        audit.set_current(None)
        inactive += _timed(lambda: _read_all(plain_files), 1)
        audit.set_current(log)
        active += _timed(lambda: _read_all(plain_files), 1)
    ln.settings.match_reads_by_hash = False
    t = time.perf_counter()
    ln.finish()
    flush_path_only = time.perf_counter() - t
    ln.settings.match_reads_by_hash = True

    ln.track(capture_output=False, watch=[watched])
    log = audit.current()
    unwatched_t, watched_t = [], []
    for _ in range(repeat):
        unwatched_t += _timed(lambda: _read_all(plain_files), 1)
        watched_t += _timed(lambda: _read_all(watched_files), 1)
    t = time.perf_counter()
    ln.finish()
    flush_hash = time.perf_counter() - t

    p0, i0, a0 = min(pristine), min(inactive), min(active)
    u0, w0 = min(unwatched_t), min(watched_t)
    rows.append(
        (f"open+read {n_files:,} files, no hook (fresh process)", f"{p0 * 1e3:.1f} ms", "-")
    )
    rows.append(
        ("  hook installed, no run active", f"{i0 * 1e3:.1f} ms ({(i0 / p0 - 1) * 100:+.1f}%)", "-")
    )
    rows.append(
        (
            "  tracked run (audit hook; watcher on cache)",
            f"{a0 * 1e3:.1f} ms ({(a0 / p0 - 1) * 100:+.1f}%)",
            "≤ +5%",
        )
    )
    rows.append(
        (
            "  tracked, the files in a watched directory",
            f"{w0 * 1e3:.1f} ms ({(w0 / u0 - 1) * 100:+.1f}%)",
            "≤ +5%",
        )
    )
    # The hook's own cost per audit event, measured directly (robust against machine noise).
    import timeit

    from lamingit.tracking.reads import ReadLog

    event = (str(plain_files[0]), "rb", 0)
    n = 200_000
    empty = timeit.timeit(lambda: None, number=n)
    previous = audit.set_current(None)
    cost_off = (timeit.timeit(lambda: audit._hook("open", event), number=n) - empty) / n
    audit.set_current(ReadLog(work / "repo"))
    cost_on = (timeit.timeit(lambda: audit._hook("open", event), number=n) - empty) / n
    audit.set_current(previous)
    rows.append(
        (
            "audit hook per open: no run / run active",
            f"{cost_off * 1e9:.0f} / {cost_on * 1e9:.0f} ns",
            "-",
        )
    )
    rows.append(
        (
            f"  = share of the untracked {n_files:,}-file loop",
            f"{cost_on * n_files / p0 * 100:.1f}%",
            "≤ 5%",
        )
    )
    rows.append(
        (
            f"finish() after {n_files:,} reads, path matching only",
            f"{flush_path_only * 1e3:.0f} ms",
            "-",
        )
    )
    rows.append(
        (
            f"finish() after {2 * n_files:,} reads, hashing each file",
            f"{flush_hash * 1e3:.0f} ms",
            "-",
        )
    )
    del track_mod

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows.append(
        ("(1-minute load average while measuring)", f"{load:.2f} on {os.cpu_count()} CPUs", "-")
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'figure':>24}  target")
    for name, figure, target in rows:
        print(f"{name:<{width}}  {figure:>24}  {target}")


if __name__ == "__main__":
    main()
