"""Benchmark: ln.track() + ln.finish(), and what read tracking adds to a run opening many files.

Usage: python benchmarks/bench_track.py [--full]

The overhead rows run one user program (open+read 10,000 small files) in fresh processes that
all ``import lamingit``: untracked, tracked, and tracked with the files' directory watched,
interleaved round by round. The added cost is the median over rounds of each round's ratio to
its untracked run (a pair run back to back shares the machine's state); the ratio of the
fastest runs is shown too. A program that never imports lamingit is shown for information,
and so is the kernel's own cost of an inotify watch on the files' directory (the floor of the
watched row). Everything runs in a private temporary directory with its own config.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._env import as_users_python  # noqa: E402
from benchmarks._table import Row, cpu_reference_row, print_rows  # noqa: E402

N_FILES = 10_000

USER_PROGRAM = '''\
"""The benchmark's user program: open and read every file of a directory once."""
import json, sys, time
from pathlib import Path

mode, data = sys.argv[1], Path(sys.argv[2])
out = {}
if mode != "pristine":
    import lamingit as ln
    import lamingit.api.track  # what a tracked run has loaded, so heaps compare
    ln.Run.filter().count()  # connect and query the repository
if mode == "inert":
    ln.track(capture_output=False)
    ln.finish()  # the audit hook stays installed, with no run to record into
if mode in ("tracked", "watched"):
    t = time.perf_counter()
    run = ln.track(capture_output=False, watch=[data] if mode == "watched" else None)
    out["track"] = time.perf_counter() - t
files = sorted(data.iterdir())
t = time.perf_counter()
for f in files:
    with open(f, "rb") as fh:
        fh.read()
out["loop"] = time.perf_counter() - t
if mode in ("tracked", "watched"):
    # tracked: path matching only; watched: the default (hash each read file)
    ln.settings.match_reads_by_hash = mode == "watched"
    t = time.perf_counter()
    ln.finish()
    out["finish"] = time.perf_counter() - t
    out["warnings"] = ln.Run.get(run.uid).tracking_warnings
if mode != "pristine":
    from lamingit.tracking.watcher import watcher_pid

    out["watcher"] = watcher_pid()
print(json.dumps(out))
'''
MODES = ("untracked", "tracked", "watched", "inert", "pristine")


def _user_env(work: Path) -> dict[str, str]:
    """The environment of a user program: this checkout of lamingit, the benchmark's repo."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["LAMINGIT_REPO"] = str(work / "repo")
    return env


def _user_runs(work: Path, data: Path, rounds: int) -> dict[str, list[dict[str, object]]]:
    """Run the user program ``rounds`` times per mode, interleaved in a shuffled order.

    Shuffled (seeded), not rotated: with a fixed cyclic order each mode always runs right after
    the same other mode (untracked after the short-lived pristine run, tracked after
    untracked), which could bias it one way every round. Each run's watcher process has
    exited before the next run starts (a watched run's inotify watch on the files would slow
    the next one).
    """
    program = work / "user_program.py"
    program.write_text(USER_PROGRAM)
    env = _user_env(work)
    results: dict[str, list[dict[str, object]]] = {mode: [] for mode in MODES}
    for i in range(rounds):
        order = random.Random(i).sample(MODES, len(MODES))
        for mode in order:
            proc = subprocess.run(
                [sys.executable, str(program), mode, str(data)],
                capture_output=True,
                text=True,
                env=env,
                cwd=work,
                check=True,
            )
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            results[mode].append(result)
            _wait_gone(result.get("watcher"))
    return results


def _wait_gone(pid: int | None, timeout: float = 5.0) -> None:
    """Wait until process ``pid`` has exited (a watcher exits once its parent has)."""
    deadline = time.monotonic() + timeout
    while pid is not None and time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.005)


def _inotify_floor(data: Path, rounds: int) -> tuple[float, float]:
    """The loop's time unwatched and with a bare inotify watch on ``data`` that nobody reads.

    What the kernel adds to each read in a watched directory (queueing one event per file
    closed), in this process, with no watcher and no audit hook: the floor of the watched row.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    files = [str(p) for p in sorted(data.iterdir())]

    def loop() -> float:
        t = time.perf_counter()
        for f in files:
            with open(f, "rb") as fh:
                fh.read()
        return time.perf_counter() - t

    plain: list[float] = []
    watched: list[float] = []
    for _ in range(rounds):
        plain.append(loop())
        fd = libc.inotify_init1(os.O_NONBLOCK)
        if fd < 0 or libc.inotify_add_watch(fd, os.fsencode(data), 0x10) < 0:  # IN_CLOSE_NOWRITE
            raise OSError(ctypes.get_errno(), "inotify is not available")
        try:
            watched.append(loop())
        finally:
            os.close(fd)
    return min(plain), min(watched)


def _paired(results: dict[str, list[dict[str, object]]], mode: str) -> float:
    """Median over rounds of ``mode``'s loop time divided by the same round's untracked one."""
    pairs = zip(results[mode], results["untracked"], strict=True)
    return statistics.median(float(m["loop"]) / float(u["loop"]) for m, u in pairs)  # type: ignore[arg-type]


FIRST_TRACK = """\
import sys, time
t0 = time.perf_counter()
import lamingit as ln
if sys.argv[1] == "connected":
    ln.Run.filter().count()  # load and connect first (what `import lamindb` does)
t1 = time.perf_counter()
ln.track(capture_output=True)
ln.finish()
print(time.perf_counter() - (t1 if sys.argv[1] == "connected" else t0))
"""


def _first_track_finish(work: Path, repeat: int, *, connected: bool) -> list[float]:
    """Seconds of the first ``track()``+``finish()`` of fresh processes: after lamingit was
    loaded and connected, or (not ``connected``) from ``import lamingit`` on. One unmeasured
    run first, as a user's first run writes the bytecode cache."""
    script = work / "first_track.py"
    script.write_text(FIRST_TRACK)
    env = _user_env(work)
    mode = "connected" if connected else "cold"
    out = []
    for _ in range(repeat + 1):
        done = subprocess.run(
            [sys.executable, str(script), mode], capture_output=True, text=True, env=env, check=True
        )
        out.append(float(done.stdout.strip().splitlines()[-1]))
    return out[1:]


def _timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def run(full: bool = False) -> list[Row]:
    """Measure; return the rows of the table."""
    rounds = 41 if full else 21
    as_users_python()
    work = Path(tempfile.mkdtemp(prefix="bench-track-"))
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    os.environ["LAMINGIT_USER"] = "bench"
    cwd = os.getcwd()
    os.chdir(work)
    try:
        return _measure(work, rounds)
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)


def _measure(work: Path, rounds: int) -> list[Row]:
    import lamingit as ln
    from lamingit.tracking import audit
    from lamingit.tracking.reads import ReadLog

    ln.init(work / "repo")
    rows: list[Row] = []

    # 1. track + finish: the first of a fresh process, then repeated in this one --------------
    # A new repository's cache is empty: no watcher process starts (docs/tracking.md). Then
    # the same once the cache holds a file, as in a repository in use: the watcher starts.
    for connected, label, target in (
        (True, "ln.track()+ln.finish(), first in a fresh process, median of 7", "≤ 50 ms"),
        (False, "  `import lamingit` + first track()+finish(), fresh process, median", "reported"),
        (True, "first track()+finish(), cache not empty (starts the watcher), median", "≤ 50 ms"),
    ):
        if "cache not empty" in label:
            (work / "cached.txt").write_text("cached")
            ln.Artifact(work / "cached.txt", key="cached.txt").save().cache()
        firsts = _first_track_finish(work, 7, connected=connected)
        rows.append(Row(label, statistics.median(firsts) * 1e3, "ms", target))
        if connected:
            rows.append(Row("  slowest of the 7", max(firsts) * 1e3, "ms", "reported"))
    ln.track(capture_output=True)
    ln.finish()

    def cycle() -> None:
        ln.track()
        ln.finish()

    times = _timed(cycle, rounds * 3)
    rows.append(
        Row("ln.track()+ln.finish(), median", statistics.median(times) * 1e3, "ms", "≤ 50 ms")
    )
    rows.append(Row("ln.track()+ln.finish(), min", min(times) * 1e3, "ms", "reported"))

    # 2. the same user program, fresh processes, with and without tracking ----------------------
    data = work / "data"
    data.mkdir()
    for i in range(N_FILES):
        (data / f"f{i:05d}.txt").write_bytes(b"x" * 64)
    for f in data.iterdir():  # warm the page cache
        f.read_bytes()
    results = _user_runs(work, data, rounds)
    loop = {mode: min(float(r["loop"]) for r in results[mode]) for mode in MODES}  # type: ignore[arg-type]
    base = loop["untracked"]
    n = f"{N_FILES:,}"
    rows.append(Row(f"open+read {n} files, fresh process, lamingit loaded", base * 1e3, "ms", "-"))
    # The watched row's target is on its cost above the kernel's floor (below): inotify
    # itself costs more than 5% of this loop, whoever watches.
    for mode, label, target in (
        ("tracked", f"tracked run ({audit.HOOK_KIND} audit hook; watcher on the cache)", "≤ 5 %"),
        ("watched", "tracked, and the files' directory watched", "reported"),
    ):
        rows.append(Row(f"  {label}", loop[mode] * 1e3, "ms", "-"))
        rows.append(
            Row(
                "    = added, median of the rounds' ratios",
                (_paired(results, mode) - 1) * 100,
                "%",
                target,
            )
        )
        rows.append(
            Row("    = added, fastest vs fastest", (loop[mode] / base - 1) * 100, "%", "reported")
        )
    plain, bare_watch = _inotify_floor(data, rounds)
    floor = bare_watch / plain - 1
    rows.append(
        Row(
            "  kernel floor: a bare inotify watch on the directory, no reader",
            floor * 100,
            "%",
            "reported",
        )
    )
    rows.append(
        Row(
            "  the watched row above that floor",
            (_paired(results, "watched") - 1 - floor) * 100,
            "%",
            "≤ 5 %",
        )
    )
    rows.append(
        Row(
            "  hook installed, no run active (a run finished before)",
            (_paired(results, "inert") - 1) * 100,
            "%",
            "reported",
        )
    )
    rows.append(
        Row(
            "  lamingit loaded vs a program without it",
            (base / loop["pristine"] - 1) * 100,
            "%",
            "reported",
        )
    )
    for mode, label in (
        ("tracked", "ln.track() in a fresh process (starts the watcher), median"),
        ("watched", "  with watch=[dir]: waits for the watches, median"),
    ):
        rows.append(
            Row(
                label,
                statistics.median(float(r["track"]) for r in results[mode]) * 1e3,  # type: ignore[arg-type]
                "ms",
                "≤ 50 ms",
            )
        )
    rows.append(
        Row(
            f"finish() after {n} reads, path matching only, median",
            statistics.median(float(r["finish"]) for r in results["tracked"]) * 1e3,  # type: ignore[arg-type]
            "ms",
            "reported",
        )
    )
    rows.append(
        Row(
            f"finish() after {n} reads (hook+watcher), hashing each, median",
            statistics.median(float(r["finish"]) for r in results["watched"]) * 1e3,  # type: ignore[arg-type]
            "ms",
            "reported",
        )
    )
    lost = sum(1 for m in ("tracked", "watched") for r in results[m] if r["warnings"])
    rows.append(Row("runs with tracking warnings (e.g. overflow)", lost, "runs", "≤ 0"))

    # 3. per open: in the loop above, and the hook's Python body alone ---------------------------
    rows.append(
        Row(
            "per open in the loop: tracked run", (loop["tracked"] - base) / N_FILES * 1e9, "ns", "-"
        )
    )
    rows.append(
        Row(
            "per read in the loop: the watched directory on top",
            (loop["watched"] - loop["tracked"]) / N_FILES * 1e9,
            "ns",
            "-",
        )
    )
    rows.append(
        Row(
            "  of which the kernel (the floor above)",
            (bare_watch - plain) / N_FILES * 1e9,
            "ns",
            "-",
        )
    )
    # The Python hook's body in a tight loop (warm caches): a lower bound. It records reads
    # when the C hook was not built, and takes the C hook's uncommon cases (relative paths).
    event = (str(sorted(data.iterdir())[0]), "r", os.O_RDONLY)
    empty = timeit.timeit(lambda: None, number=200_000)
    previous = audit.set_current(None)
    cost_off = (timeit.timeit(lambda: audit._hook("open", event), number=200_000) - empty) / 2e5
    audit.set_current(ReadLog(work / "repo"))
    cost_on = (timeit.timeit(lambda: audit._hook("open", event), number=200_000) - empty) / 2e5
    audit.set_current(previous)
    rows.append(
        Row("Python hook body alone (tight loop), no run active", cost_off * 1e9, "ns", "-")
    )
    rows.append(Row("Python hook body alone (tight loop), run active", cost_on * 1e9, "ns", "-"))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows.append(
        Row(f"1-minute load average while measuring ({os.cpu_count()} CPUs)", load, "", "reported")
    )
    rows.append(cpu_reference_row())
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="more repetitions")
    args = parser.parse_args()
    print_rows("tracking (python benchmarks/bench_track.py)", run(full=args.full))


if __name__ == "__main__":
    main()
