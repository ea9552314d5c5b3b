"""Query benchmarks: feature filters, adding feature values, index catch-up, cold first query.

Run: ``python benchmarks/bench_query.py`` (100k artifacts) or ``--full`` (adds 1M).
Records are generated in bulk (a few commits through ChangeSet), not by 100k saves.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lamingit as ln  # noqa: E402
from benchmarks._env import as_users_python  # noqa: E402
from lamingit import index  # noqa: E402
from lamingit._util import random_base62  # noqa: E402
from lamingit.models import ArtifactRecord  # noqa: E402
from lamingit.records import ChangeSet  # noqa: E402
from lamingit.session import SESSION, current_identity  # noqa: E402

AUTHOR = ("bench", "bench@example.org")


def generate(n: int, chunk: int = 250_000) -> None:
    """n artifacts with 3 feature values each, in ceil(n / chunk) commits."""
    repo = SESSION.repository()
    user = current_identity().uid
    now = "2026-01-01T00:00:00+00:00"
    rng = random.Random(1)
    for start in range(0, n, chunk):

        def build(changes: ChangeSet, start: int = start) -> None:
            for i in range(start, min(n, start + chunk)):
                changes.put(
                    ArtifactRecord(
                        uid=random_base62(16) + "0000",
                        # no key and no hash: those add lookup entries (2 more git blobs
                        # per record), which only slows down generating the data set
                        description=f"sample {i}",
                        suffix=".csv",
                        size=rng.randint(1, 10**9),
                        version="1",
                        created_at=now,
                        created_by=user,
                        features={
                            "read_count": rng.randint(0, 2_000_000),
                            "gc_content": round(rng.random(), 3),
                            "experiment_date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        },
                    )
                )

        repo.transact(build, author=AUTHOR)


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return median(times) * 1000


OTHER_PROCESS = """
import sys, lamingit as ln
ln.connect(sys.argv[1])
a = ln.Artifact.filter(description="sample " + sys.argv[2]).one()
from lamingit.records import replace
from lamingit.api.core.commit import commit
def build(changes):
    rec = changes.get("artifact", a.uid)
    changes.put(replace(rec, description="touched by another process"), "touch")
commit(build, a._obj_view, "touch")
"""

COLD = """
import sys, time
t = time.perf_counter()
import lamingit as ln
ln.connect(sys.argv[1])
n = ln.Artifact.filter(read_count__gt=1_000_000).count()
print((time.perf_counter() - t) * 1000, n)
"""


def run(n: int) -> list[tuple[str, float, str]]:
    as_users_python()
    rows: list[tuple[str, float, str]] = []
    tmp = Path(tempfile.mkdtemp(prefix="lamingit-bench-"))
    os.environ["LAMINGIT_USER"] = "bench"
    ln.init(tmp / "repo")
    for name, dtype in (("read_count", int), ("gc_content", float), ("experiment_date", "date")):
        ln.Feature(name=name, dtype=dtype).save()
    t = time.perf_counter()
    generate(n)
    rows.append((f"generate {n:,} artifacts (bulk commits)", (time.perf_counter() - t) * 1000, "-"))
    t = time.perf_counter()
    ln.Artifact.filter(size__gt=0).count()
    rows.append((f"build index from git, {n:,}", (time.perf_counter() - t) * 1000, "-"))
    target = "≤ 30 ms" if n <= 100_000 else "≤ 300 ms"
    total = ln.Artifact.filter(read_count__gte=0).count()
    assert total == n, total
    rows.append(
        (
            f"feature filter read_count__gte=0 count(), all {n:,} match",
            timed(lambda: ln.Artifact.filter(read_count__gte=0).count()),
            target,
        )
    )
    rows.append(
        (
            f"feature filter read_count__gt=1e6 count(), {n:,}",
            timed(lambda: ln.Artifact.filter(read_count__gt=1_000_000).count()),
            target,
        )
    )
    rows.append(
        (
            f"feature filter gc 0.4..0.6 & date >= 2025-06-01 count(), {n:,}",
            timed(
                lambda: ln.Artifact.filter(
                    gc_content__range=[0.4, 0.6], experiment_date__gte="2025-06-01"
                ).count()
            ),
            "-",
        )
    )
    # integer ids (docs/repository.md): an int64 index column, as fast as any field filter
    sample = ln.Artifact.filter(description="sample 7").one()
    rows.append((f"get(id=…), {n:,}", timed(lambda: ln.Artifact.get(id=sample.id)), target))
    rows.append(
        (f"get(uid) (for comparison), {n:,}", timed(lambda: ln.Artifact.get(sample.uid)), "-")
    )
    some = ln.Artifact.filter(description__in=[f"sample {i}" for i in range(10)])
    ids = [a.id for a in some]
    rows.append(
        (
            f"filter(id__in=[10 ids]).count(), {n:,}",
            timed(lambda: ln.Artifact.filter(id__in=ids).count()),
            target,
        )
    )
    rows.append(
        (
            f"all matches as a DataFrame (to_dataframe), {n:,}",
            timed(lambda: ln.Artifact.filter(read_count__gte=0).to_dataframe(), repeat=2),
            "-",
        )
    )
    if n <= 100_000:
        rows.append(
            (
                f"all matches as records (to_list), {n:,}",
                timed(lambda: ln.Artifact.filter(read_count__gte=0).to_list(), repeat=2),
                "-",
            )
        )
    # adding 3 feature values to an artifact (one commit each)
    art = ln.Artifact.filter(description="sample 7").one()
    counter = iter(range(10**6))
    rows.append(
        (
            "add 3 feature values (one commit)",
            timed(
                lambda: art.features.add_values(
                    {
                        "read_count": next(counter),
                        "gc_content": 0.5,
                        "experiment_date": "2025-10-31",
                    }
                ),
                repeat=20,
            ),
            "≤ 3 ms",
        )
    )
    ln.Artifact.filter(read_count__gt=1).count()  # catch up with our own commits
    # index catch-up after a commit made by another process
    repo = SESSION.repository()
    catchups = []
    for k in range(5):
        subprocess.run(
            [sys.executable, "-c", OTHER_PROCESS, str(repo.root), str(k + 10)],
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        snap = repo.snapshot()
        t = time.perf_counter()
        index.state_for(snap)
        catchups.append(time.perf_counter() - t)
    rows.append(
        (
            f"index catch-up after another process' commit, {n:,}",
            median(catchups) * 1000,
            "≤ 10 ms at 1M",
        )
    )
    assert ln.Artifact.filter(description="touched by another process").count() == 5
    # first query in a fresh process (import + load index from disk + query)
    cold = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", COLD, str(repo.root)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        cold.append(float(out.stdout.split()[0]))
    rows.append(
        (f"first query in a fresh process (incl. import), {n:,}", median(cold), "≤ 500 ms at 100k")
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="also run at 1M artifacts")
    parser.add_argument("-n", type=int, default=100_000, help="artifacts (default 100k)")
    args = parser.parse_args()
    sizes = [args.n] + ([1_000_000] if args.full else [])
    rows = []
    for n in sizes:
        SESSION.reset()  # a new Repository object: its index is loaded afresh
        rows += run(n)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'ms':>10}  target")
    for name, ms, target in rows:
        print(f"{name.ljust(width)}  {ms:10.1f}  {target}")


if __name__ == "__main__":
    main()
