"""Curation benchmarks: what schema validation and label links add to a save; label filters.

Run: ``python benchmarks/bench_curation.py`` (label filters at 100k artifacts) or ``--full``
(also at 1M). What a schema adds to a save is measured twice: the validation and label
resolution that ``from_dataframe(schema=)`` runs before writing (the judged row), and saves with
and without ``schema=`` alternating round by round (the median of the paired differences; it
also carries the noise of writing parquet and committing, several ms on a loaded machine). The 100k artifacts are generated
in bulk commits (ChangeSet), each with one of 20 labels and a feature value.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._table import Row, cpu_reference_row, print_rows  # noqa: E402

AUTHOR = ("bench", "bench@example.org")
N_LABELS = 20


def _ms(fn, repeat: int = 7) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return median(times) * 1000


def save_rows(rounds: int) -> list[Row]:
    """Paired saves of a 200-row DataFrame with and without a schema (5 columns, 2 categorical)."""
    import pandas as pd

    import lamingit as ln

    kind = ln.ULabel(name="Perturbation", is_type=True).save()
    ln.save([ln.ULabel(name=f"drug {i}", type=kind) for i in range(10)])
    cell = ln.Record(name="CellType", is_type=True).save()
    ln.save([ln.Record(name=f"cell {i}", type=cell) for i in range(5)])
    features = [
        ln.Feature(name="perturbation", dtype=kind).save(),
        ln.Feature(name="cell_type", dtype=cell).save(),
        ln.Feature(name="concentration", dtype=float).save(),
        ln.Feature(name="replicate", dtype=int).save(),
        ln.Feature(name="well", dtype=str).save(),
    ]
    schema = ln.Schema(name="screen", features=features).save()
    rng = random.Random(3)

    def frame(i: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "perturbation": [f"drug {rng.randrange(10)}" for _ in range(200)],
                "cell_type": [f"cell {rng.randrange(5)}" for _ in range(200)],
                "concentration": [rng.random() for _ in range(200)],
                "replicate": [i] * 200,
                "well": [f"A{j}" for j in range(200)],
            }
        )

    from lamingit.api.core.curation.rules import schema_annotation

    plain: list[float] = []
    curated: list[float] = []
    validate: list[float] = []
    annotate: list[float] = []
    for i in range(rounds):
        pairs = [("plain", None), ("schema", schema)]
        if i % 2:
            pairs.reverse()
        for name, chosen in pairs:
            df = frame(i * 2 + (name == "schema"))
            t = time.perf_counter()
            ln.Artifact.from_dataframe(df, key=f"{name}/{i}.parquet", schema=chosen).save()
            (curated if chosen is not None else plain).append(time.perf_counter() - t)
        df = frame(-1)
        t = time.perf_counter()
        ln.curators.DataFrameCurator(df, schema).validate()
        validate.append(time.perf_counter() - t)
        fresh = frame(-2)
        t = time.perf_counter()  # exactly what from_dataframe(schema=) adds before its save
        schema_annotation(ln.Artifact._view.snapshot(), fresh, schema)
        annotate.append(time.perf_counter() - t)
    diffs = [(c - p) * 1000 for c, p in zip(curated, plain, strict=True)]
    return [
        Row(
            "save from_dataframe, 200 rows, no schema (median)",
            median(plain) * 1000,
            "ms",
            "reported",
        ),
        Row("same with schema= (validate + link labels)", median(curated) * 1000, "ms", "reported"),
        Row(
            "schema validation + label links inside a save", median(annotate) * 1000, "ms", "≤ 2 ms"
        ),
        Row(
            "save with schema= minus save without (paired median)", median(diffs), "ms", "reported"
        ),
        Row(
            "curator.validate() alone, 200 rows, 5 features",
            median(validate) * 1000,
            "ms",
            "reported",
        ),
    ]


def generate(n: int, labels: list[str], chunk: int = 250_000) -> None:
    """n artifacts, each with one of ``labels`` and a read_count feature value."""
    from lamingit._util import random_base62
    from lamingit.models import ArtifactRecord
    from lamingit.records import ChangeSet
    from lamingit.session import SESSION, current_identity

    repo = SESSION.repository()
    user = current_identity().uid
    rng = random.Random(1)
    for start in range(0, n, chunk):

        def build(changes: ChangeSet, start: int = start) -> None:
            for i in range(start, min(n, start + chunk)):
                changes.put(
                    ArtifactRecord(
                        uid=random_base62(16) + "0000",
                        description=f"sample {i}",
                        suffix=".csv",
                        size=1,
                        version="1",
                        created_at="2026-01-01T00:00:00+00:00",
                        created_by=user,
                        ulabels=[labels[i % len(labels)]],
                        features={"read_count": rng.randint(0, 2_000_000)},
                    )
                )

        repo.transact(build, author=AUTHOR)


def filter_rows(n: int) -> list[Row]:
    """A label filter next to a feature filter of the same selectivity (1 in 20)."""
    import lamingit as ln

    ln.Feature(name="read_count", dtype=int).save()
    labels = [ln.ULabel(name=f"batch {i}").save() for i in range(N_LABELS)]
    generate(n, [label.uid for label in labels])
    ln.Artifact.filter(size__gt=0).count()  # build the index once
    label = labels[7]
    expected = ln.Artifact.filter(ulabels=label).count()
    assert expected == n // N_LABELS, expected
    cut = 2_000_000 - 2_000_000 // N_LABELS
    feature = _ms(lambda: ln.Artifact.filter(read_count__gt=cut).count())
    by_label = _ms(lambda: ln.Artifact.filter(ulabels=label).count())
    by_name = _ms(lambda: ln.Artifact.filter(ulabels__name="batch 7").count())
    target = "≤ 30 ms" if n <= 100_000 else "≤ 300 ms"
    return [
        Row(f"feature filter read_count__gt (1 in 20), {n:,}", feature, "ms", target),
        Row(f"label filter ulabels=label (1 in 20), {n:,}", by_label, "ms", target),
        Row(f"label filter ulabels__name='batch 7', {n:,}", by_name, "ms", target),
        Row(f"label filter / feature filter, {n:,}", by_label / feature, "x", "≤ 1.5 x"),
    ]


def run(full: bool = False) -> list[Row]:
    """Every row of this benchmark (a fresh repository per part, removed afterwards)."""
    from benchmarks._env import as_users_python

    as_users_python()
    import lamingit as ln
    from lamingit.session import SESSION

    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="lamingit-bench-curation-"))
    os.environ["LAMINGIT_USER"] = "bench"
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    try:
        ln.init(tmp / "saves")
        rows += save_rows(rounds=25)
        for n in [100_000] + ([1_000_000] if full else []):
            SESSION.reset()  # a new Repository object: its index is loaded afresh
            ln.init(tmp / f"filters-{n}")
            rows += filter_rows(n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows.append(cpu_reference_row())
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="also at 1M artifacts")
    args = parser.parse_args()
    print_rows("curation", run(full=args.full))


if __name__ == "__main__":
    main()
