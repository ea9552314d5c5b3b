"""fsck, gc and automatic packing (issue 6): ``python benchmarks/bench_maintenance.py [--full]``.

Saves N artifacts one commit each (default 600, ``--full`` 2,000), tracking git packs and loose
objects (each save writes one small pack; lamingit merges them past a threshold), then times fsck
and gc.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._table import Row, print_rows  # noqa: E402


def run(full: bool = False) -> list[Row]:
    """Measure packing, fsck and gc on a repository of N single-commit saves."""
    import logging

    import lamingit as ln
    from lamingit.fsck import fsck
    from lamingit.gc import gc
    from lamingit.session import SESSION

    logging.getLogger("lamingit").setLevel(logging.WARNING)
    n = 2000 if full else 600
    base = Path(tempfile.mkdtemp(prefix="lamingit-bench-maint-"))
    os.environ["LAMINGIT_USER"] = "bench"
    os.environ["XDG_CONFIG_HOME"] = str(base / "config")
    rows: list[Row] = []
    try:
        work = base / "work"
        work.mkdir()
        ln.init(base / "repo")
        repo = SESSION.repository()
        peak = peak_packs = 0
        times = []
        for i in range(n):
            path = work / f"f{i}.txt"
            path.write_bytes(os.urandom(1024))
            t0 = time.perf_counter()
            ln.Artifact(path, key=f"k{i % 50}/f.txt").save()
            times.append(time.perf_counter() - t0)
            if i % 20 == 0:
                peak = max(peak, repo.git.loose_objects())
            peak_packs = max(peak_packs, repo.git.pack_count())
        repo.wait_for_pack_merge()
        rows.append(Row(f"peak loose git objects over {n} saves", peak, "objs", "≤ 4000"))
        # Merges run in a background worker; a tight loop of saves outpaces them for a while.
        rows.append(Row(f"peak git packs over {n} saves", peak_packs, "packs", "reported"))
        rows.append(
            Row(
                "git packs once the background merge is done",
                repo.git.pack_count(),
                "packs",
                "≤ 50",
            )
        )
        rows.append(
            Row(
                "mean save incl. automatic packing",
                statistics.fmean(times) * 1000,
                "ms",
                "reported",
            )
        )
        rows.append(Row("slowest save", max(times) * 1000, "ms", "≤ 2000 ms"))
        t0 = time.perf_counter()
        report = fsck(repo)
        rows.append(
            Row(
                f"fsck, {n} artifacts, all blobs re-hashed", time.perf_counter() - t0, "s", "≤ 10 s"
            )
        )
        assert report.ok, report.problems
        t0 = time.perf_counter()
        fsck(repo, sample=50)
        rows.append(Row("fsck --sample 50", time.perf_counter() - t0, "s", "≤ 10 s"))
        t0 = time.perf_counter()
        done = gc(repo)
        rows.append(
            Row(
                f"gc ({done.commits_walked} commits walked, full repack)",
                time.perf_counter() - t0,
                "s",
                "≤ 20 s",
            )
        )
        rows.append(Row("loose git objects after gc", done.loose_after, "objs", "≤ 0"))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="2,000 saves instead of 600")
    args = parser.parse_args()
    print_rows("maintenance (issue 6)", run(full=args.full))


if __name__ == "__main__":
    main()
