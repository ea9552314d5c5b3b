"""Kill saving processes with SIGKILL at random moments; then check nothing is lost or broken.

``python scripts/crash_harness.py --kills 100`` (the issue's figure); the test runs fewer.
After every kill: every save that returned (the child prints the uid only after ``save()``
returned) is present. At the end: ``fsck`` is clean (records decode, lookups match, one
latest per family, every blob re-hashes) and a fresh save works without manual repair.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def child(repo: str, scratch: str, seed: int) -> None:
    """Save artifacts (files and directories, new keys and new versions) until killed."""
    import lamingit as ln
    import lamingit.auto_pack as auto_pack

    if os.environ.get("CRASH_PACK_OFTEN"):
        # get killed inside packing too: merges in the saving process, every few saves
        auto_pack.AUTO_PACK_LOOSE = 64
        auto_pack.AUTO_PACK_PACKS = 6
        auto_pack.AUTO_PACK_IN_BACKGROUND = False
    ln.connect(repo)
    rng = random.Random(seed)
    base = Path(scratch)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        token = f"{seed}-{i}-{rng.random()}"
        if i % 4 == 0:
            folder = base / f"dir{seed}-{i}"
            (folder / "sub").mkdir(parents=True)
            for n in range(3):
                (folder / ("sub" if n else "") / f"part{n}.txt").write_text(f"{token} {n}\n" * 50)
            artifact = ln.Artifact(folder, key=f"dirs/d{rng.randrange(3)}").save()
        else:
            path = base / f"f{seed}-{i}.txt"
            path.write_text(f"{token}\n" * rng.randrange(1, 2000))
            key = f"shared/k{rng.randrange(5)}.txt" if i % 2 else f"c{seed}/f{i}.txt"
            artifact = ln.Artifact(path, key=key).save()
        print(artifact.uid, flush=True)


def run(base: Path, kills: int, seed: int = 0, max_delay: float = 0.25) -> dict[str, Any]:
    """Kill ``kills`` children at random moments in ``base``; return figures and problems."""
    from lamingit.fsck import fsck
    from lamingit.models import ArtifactRecord
    from lamingit.repo import Repository

    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "LAMINGIT_USER": "crashy",
    }
    repo = base / "repo"
    subprocess.run(
        [sys.executable, "-c", f"import lamingit as ln; ln.init({str(repo)!r})"],
        check=True,
        env=env,
    )
    rng = random.Random(seed)
    returned: list[str] = []
    problems: list[str] = []
    stale_locks = 0
    for n in range(kills):
        scratch = base / f"scratch{n}"
        scratch.mkdir()
        child_env = {**env, **({"CRASH_PACK_OFTEN": "1"} if n % 5 == 4 else {})}
        proc = subprocess.Popen(
            [sys.executable, __file__, "child", str(repo), str(scratch), str(seed * 100_000 + n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if first.strip() != "ready":
            proc.kill()
            problems.append(f"child {n} did not start: {first!r} {proc.communicate()[1][-2000:]}")
            continue
        time.sleep(rng.uniform(0.0, max_delay))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        if proc.returncode != -signal.SIGKILL:
            problems.append(f"child {n} ended by itself ({proc.returncode}): {err[-2000:]}")
        uids = [line for line in out.split("\n")[:-1] if len(line) == 20]
        returned += uids
        stale_locks += len(list((repo / ".git" / "refs").rglob("*.lock")))
        snapshot = Repository(repo).snapshot()
        for uid in uids:
            if not isinstance(snapshot.find("artifact", uid), ArtifactRecord):
                problems.append(f"kill {n}: save {uid} returned but is missing")
    store = Repository(repo)
    report = fsck(store)
    problems += [f"fsck: {p.kind} {p.where}: {p.message}" for p in report.problems]
    snapshot = store.snapshot()
    missing = [u for u in returned if snapshot.find("artifact", u) is None]
    problems += [f"save {u} returned but is missing at the end" for u in missing]
    # the next save works without repair, in a fresh process as a user would run it
    after = subprocess.run(
        [
            sys.executable,
            "-c",
            "import lamingit as ln, sys, pathlib; ln.connect(sys.argv[1]);"
            "p = pathlib.Path(sys.argv[2]); p.write_text('after the crashes');"
            "print(ln.Artifact(p, key='after.txt').save().uid)",
            str(repo),
            str(base / "after.txt"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if after.returncode != 0:
        problems.append(f"the save after the crashes failed: {after.stderr[-2000:]}")
    final = fsck(Repository(repo))
    problems += [f"fsck after: {p.kind} {p.where}: {p.message}" for p in final.problems]
    left = sorted(str(p) for p in (repo / ".git" / "refs").rglob("*.lock"))
    if left:
        problems.append(f"the save after the crashes left ref locks behind: {left}")
    return {
        "kills": kills,
        "saves_returned": len(returned),
        "artifacts": sum(1 for _ in snapshot.iter_records("artifact")),
        "stale_ref_locks_seen": stale_locks,
        "blobs_rehashed": report.checked.get("blobs_rehashed", 0),
        "problems": problems,
    }


def main() -> None:
    """Command line: ``child`` (internal) or the harness."""
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--max-delay",
        type=float,
        default=0.25,
        help="kill within this many seconds after the child is ready",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(Path(tmp), args.kills, args.seed, args.max_delay)
    print(json.dumps({k: v for k, v in result.items() if k != "problems"}, indent=1))
    for problem in result["problems"]:
        print("PROBLEM:", problem)
    sys.exit(1 if result["problems"] else 0)


if __name__ == "__main__":
    main()
