"""One workload, two implementations: run by ``lamindb_side.py`` under lamingit or LaminDB.

``python benchmarks/_side_workload.py lamingit|lamindb BASE N`` prints one JSON object of
timings (seconds). The workload uses only the API both share (``import lamingit as ln`` vs
``import lamindb as ln``).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def main() -> None:
    kind, base, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    base.mkdir(parents=True, exist_ok=True)
    work = base / "work"
    work.mkdir(exist_ok=True)
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    if kind == "lamingit":
        import lamingit as ln

        ln.init(base / "repo")
    else:
        import lamindb_setup

        lamindb_setup.init(storage=str(base / "store"))
        import lamindb as ln  # type: ignore[no-redef]  # the same workload, the other library

        ln.setup.settings.instance._is_on_hub = False  # offline
    out["import + create a repository/instance"] = time.perf_counter() - t0
    import logging

    for name in ("lamingit", "lamindb"):
        logging.getLogger(name).setLevel(logging.ERROR)
    saves = []
    for i in range(n):
        path = work / f"f{i}.txt"
        path.write_bytes(os.urandom(512).hex().encode())
        t0 = time.perf_counter()
        ln.Artifact(path, key=f"data/f{i}.txt").save()
        saves.append(time.perf_counter() - t0)
    out["save new 1 KB file"] = _median(saves)
    versions = []
    for i in range(min(n, 20)):
        path = work / f"f{i}.txt"
        path.write_bytes(os.urandom(512).hex().encode())
        t0 = time.perf_counter()
        ln.Artifact(path, key=f"data/f{i}.txt").save()
        versions.append(time.perf_counter() - t0)
    out["save a new version"] = _median(versions)
    dedups = []
    for i in range(min(n, 20)):
        t0 = time.perf_counter()
        ln.Artifact(work / f"f{i}.txt", key=f"data/f{i}.txt").save()
        dedups.append(time.perf_counter() - t0)
    out["re-save same content"] = _median(dedups)
    gets = []
    for i in range(min(n, 50)):
        t0 = time.perf_counter()
        ln.Artifact.get(key=f"data/f{i}.txt")
        gets.append(time.perf_counter() - t0)
    out["get(key=…)"] = _median(gets)
    counts = []
    for _ in range(20):
        t0 = time.perf_counter()
        total = ln.Artifact.filter(key__startswith="data/", is_latest=True).count()
        counts.append(time.perf_counter() - t0)
    assert total == n, (total, n)
    out["filter(key__startswith=…).count()"] = _median(counts)
    loads = []
    for i in range(min(n, 20)):
        artifact = ln.Artifact.get(key=f"data/f{i}.txt")
        t0 = time.perf_counter()
        artifact.load()
        loads.append(time.perf_counter() - t0)
    out["load() a txt artifact"] = _median(loads)
    print("@@SIDE@@" + json.dumps(out))


if __name__ == "__main__":
    main()
