"""Cost of durability (issue 6): fsync off vs on (`python benchmarks/bench_durability.py`).

With fsync off a save that returned survives a killed process (writes are tmp+rename and the
branch moves last); with ``ln.settings.fsync = True`` it also survives power loss. This prints
what that costs. ``--full`` uses more saves and a 512 MiB file (default 64 MiB).
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


def _saves(work: Path, n: int, tag: str) -> list[float]:
    import lamingit as ln

    out = []
    for i in range(n):
        path = work / f"{tag}{i}.txt"
        path.write_bytes(os.urandom(1024))
        t0 = time.perf_counter()
        ln.Artifact(path, key=f"{tag}/{i}.txt").save()
        out.append(time.perf_counter() - t0)
    return out


def _big_save(work: Path, size: int, tag: str) -> float:
    import lamingit as ln

    big = work / f"{tag}.bin"
    with open(big, "wb") as fh:
        for _ in range(size >> 20):
            fh.write(os.urandom(1 << 20))
    t0 = time.perf_counter()
    ln.Artifact(big, key=f"big/{tag}.bin").save()
    elapsed = time.perf_counter() - t0
    big.unlink()
    return (size / (1 << 20)) / elapsed


def run(full: bool = False) -> list[Row]:
    """Measure saves with fsync off and on; one row per figure."""
    import logging

    import lamingit as ln

    logging.getLogger("lamingit").setLevel(logging.WARNING)
    n = 400 if full else 100
    size = (512 << 20) if full else (64 << 20)
    base = Path(tempfile.mkdtemp(prefix="lamingit-bench-durability-"))
    os.environ["LAMINGIT_USER"] = "bench"
    os.environ["XDG_CONFIG_HOME"] = str(base / "config")
    rows: list[Row] = []
    try:
        work = base / "work"
        work.mkdir()
        ln.init(base / "repo")
        _saves(work, 10, "warm")
        ln.settings.fsync = False
        off = _saves(work, n, "off")
        off_big = _big_save(work, size, "off")
        ln.settings.fsync = True
        on = _saves(work, n, "on")
        on_big = _big_save(work, size, "on")
        ln.settings.fsync = False
        m_off, m_on = statistics.median(off) * 1000, statistics.median(on) * 1000
        rows.append(Row("save 1 KB file, fsync off (default)", m_off, "ms", "≤ 20 ms"))
        rows.append(Row("save 1 KB file, fsync on", m_on, "ms", "≤ 60 ms"))
        rows.append(Row("fsync on / off, small save", m_on / m_off, "×", "reported"))
        label = f"{size >> 20} MiB"
        rows.append(Row(f"save {label} file, fsync off", off_big, "MB/s", "≥ 100 MB/s"))
        rows.append(Row(f"save {label} file, fsync on", on_big, "MB/s", "≥ 50 MB/s"))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="more saves and a 512 MiB file")
    args = parser.parse_args()
    print_rows("durability (issue 6)", run(full=args.full))


if __name__ == "__main__":
    main()
