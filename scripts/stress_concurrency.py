"""Concurrent writers and readers on one repository: P processes × N saves, readers checking.

Run the issue's full size with ``python scripts/stress_concurrency.py --processes 8 --saves 250``;
``tests/reliability/test_concurrency.py`` runs a smaller size through :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_KEYS = 4  # every worker saves every other file under one of these: families race


def worker(repo: str, ident: int, saves: int, scratch: str) -> None:
    """Save ``saves`` artifacts; print each uid only after its save returned."""
    import lamingit as ln

    ln.connect(repo)
    base = Path(scratch)
    for i in range(saves):
        path = base / f"w{ident}-{i}.txt"
        path.write_text(f"worker {ident} save {i} {os.urandom(8).hex()}\n")
        key = f"shared/k{i % SHARED_KEYS}.txt" if i % 2 == 0 else f"w{ident}/f{i}.txt"
        artifact = ln.Artifact(path, key=key).save()
        print(artifact.uid, key, flush=True)


def check_snapshot(snapshot: Any) -> tuple[int, list[str]]:
    """Count artifacts in one snapshot and list what is inconsistent in it."""
    from lamingit.models import ArtifactRecord

    problems: list[str] = []
    families: dict[str, list[ArtifactRecord]] = defaultdict(list)
    for record in snapshot.iter_records("artifact"):
        assert isinstance(record, ArtifactRecord)
        families[record.uid[:16]].append(record)
    for stem, members in families.items():
        latest = [r for r in members if r.is_latest]
        if len(latest) != 1:
            problems.append(f"family {stem} has {len(latest)} latest versions")
            continue
        key = latest[0].key
        if key is not None and snapshot.lookup("artifact.key", key) != [latest[0].uid]:
            problems.append(f"key {key} does not look up its latest version {latest[0].uid}")
        if len({r.key for r in members}) != 1:
            problems.append(f"family {stem} mixes keys")
    return sum(len(m) for m in families.values()), problems


def reader(repo: str, stop: str) -> None:
    """Query while writers write; print one JSON line per observation, flag any regression."""
    import lamingit as ln
    from lamingit.repo import Repository

    ln.connect(repo)
    store = Repository(Path(repo))
    last = -1
    rounds = 0
    while not Path(stop).exists():
        count, problems = check_snapshot(store.snapshot())
        if count < last:
            problems.append(f"artifact count went back from {last} to {count}")
        last = count
        for k in range(SHARED_KEYS):
            n = ln.Artifact.filter(key=f"shared/k{k}.txt", is_latest=True).count()
            if n > 1:
                problems.append(f"query saw {n} latest versions of shared/k{k}.txt")
        rounds += 1
        print(json.dumps({"count": count, "problems": problems}), flush=True)
    print(json.dumps({"rounds": rounds, "count": last, "problems": []}), flush=True)


def _spawn(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def run(base: Path, processes: int, saves: int, readers: int = 2) -> dict[str, Any]:
    """Run the workload in ``base``; return the figures and every problem found."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    repo = base / "repo"
    subprocess.run(
        [sys.executable, "-c", f"import lamingit as ln; ln.init({str(repo)!r})"],
        check=True,
        env={**env, "LAMINGIT_USER": "setup"},
    )
    stop = base / "stop"
    read_procs = [_spawn("reader", str(repo), str(stop), env=env) for _ in range(readers)]
    start = time.perf_counter()
    writers = []
    for ident in range(processes):
        scratch = base / f"scratch{ident}"
        scratch.mkdir()
        writers.append(
            _spawn(
                "worker",
                str(repo),
                str(ident),
                str(saves),
                str(scratch),
                env={**env, "LAMINGIT_USER": f"writer{ident}"},
            )
        )
    returned: list[tuple[str, str]] = []
    problems: list[str] = []
    for proc in writers:
        out, err = proc.communicate()
        returned += [tuple(line.split(" ", 1)) for line in out.splitlines()]  # type: ignore[misc]
        if proc.returncode != 0:
            problems.append(f"writer failed ({proc.returncode}): {err.strip()[-2000:]}")
    elapsed = time.perf_counter() - start
    stop.touch()
    observations = 0
    for proc in read_procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            problems.append(f"reader failed ({proc.returncode}): {err.strip()[-2000:]}")
        for line in out.splitlines():
            seen = json.loads(line)
            observations += 1
            problems += [f"reader: {p}" for p in seen["problems"]]
    result = verify(repo, returned)
    result["problems"] = problems + result["problems"]
    result.update(
        elapsed=elapsed,
        observations=observations,
        saves_per_second=len(returned) / elapsed if elapsed else 0.0,
    )
    return result


def verify(repo: Path, returned: list[tuple[str, str]]) -> dict[str, Any]:
    """Every returned save is present (with its key), latest is unique, fsck is clean."""
    from lamingit.fsck import fsck
    from lamingit.models import ArtifactRecord
    from lamingit.repo import Repository

    store = Repository(repo)
    snapshot = store.snapshot()
    count, problems = check_snapshot(snapshot)
    for uid, key in returned:
        record = snapshot.find("artifact", uid)
        if not isinstance(record, ArtifactRecord):
            problems.append(f"save {uid} returned but is missing")
        elif record.key != key:
            problems.append(f"save {uid} has key {record.key}, expected {key}")
    report = fsck(store)
    problems += [f"fsck: {p.kind} {p.where}: {p.message}" for p in report.problems]
    commits = sum(1 for _ in store.git.log())
    return {"artifacts": count, "returned": len(returned), "commits": commits, "problems": problems}


def main() -> None:
    """Command line: ``worker``/``reader`` (internal) or the driver."""
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "reader":
        reader(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--saves", type=int, default=250)
    parser.add_argument("--readers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(Path(tmp), args.processes, args.saves, args.readers)
    print(json.dumps({k: v for k, v in result.items() if k != "problems"}, indent=1))
    for problem in result["problems"]:
        print("PROBLEM:", problem)
    sys.exit(1 if result["problems"] else 0)


if __name__ == "__main__":
    main()
