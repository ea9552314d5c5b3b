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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="more repetitions")
    args = parser.parse_args()
    repeat = 15 if args.full else 7
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
        ("ln.track()+ln.finish(), median", f"{statistics.median(times) * 1e3:.1f} ms", "≤ 50 ms")
    )
    t = time.perf_counter()
    ln.track()
    track_only = time.perf_counter() - t
    t = time.perf_counter()
    ln.finish()
    finish_only = time.perf_counter() - t
    rows.append(("  of which track() / finish()", f"{track_only * 1e3:.1f} / "
                 f"{finish_only * 1e3:.1f} ms", "-"))

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

    baseline = _timed(lambda: _read_all(plain_files), repeat)
    ln.track(capture_output=False)
    audited = _timed(lambda: _read_all(plain_files), repeat)
    ln.settings.match_reads_by_hash = False
    t = time.perf_counter()
    ln.finish()
    flush_path_only = time.perf_counter() - t
    ln.settings.match_reads_by_hash = True

    baseline_w = _timed(lambda: _read_all(watched_files), repeat)
    ln.track(capture_output=False, watch=[watched])
    watched_t = _timed(lambda: _read_all(watched_files), repeat)
    t = time.perf_counter()
    ln.finish()
    flush_hash = time.perf_counter() - t

    b, a = statistics.median(baseline), statistics.median(audited)
    bw, w = statistics.median(baseline_w), statistics.median(watched_t)
    rows.append((f"open+read {n_files:,} files, untracked", f"{b * 1e3:.1f} ms", "-"))
    pct_a, pct_w = (a / b - 1) * 100, (w / bw - 1) * 100
    rows.append(("  tracked (audit hook; watcher on cache)", f"{a * 1e3:.1f} ms ({pct_a:+.1f}%)",
                 "≤ +5%"))
    rows.append(("  tracked, files in a watched directory", f"{w * 1e3:.1f} ms ({pct_w:+.1f}%)",
                 "≤ +5%"))
    rows.append((f"finish() after {n_files:,} reads, path matching only",
                 f"{flush_path_only * 1e3:.0f} ms", "-"))
    rows.append((f"finish() after {2 * n_files:,} reads (x{repeat}), hashing each file",
                 f"{flush_hash * 1e3:.0f} ms", "-"))
    del track_mod

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'figure':>24}  target")
    for name, figure, target in rows:
        print(f"{name:<{width}}  {figure:>24}  {target}")


if __name__ == "__main__":
    main()
