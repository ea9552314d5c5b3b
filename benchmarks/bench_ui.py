"""Web UI benchmarks: server time of the artifact list and artifact pages at 100k artifacts.

Run: ``python benchmarks/bench_ui.py`` (100k artifacts) or ``--full`` (adds 1M). The pages are
rendered by calling the UI app directly (what ``lamingit serve`` does per request, minus the
socket), median of 5 after one warm-up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._table import Row, print_rows  # noqa: E402


def _ms(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up: index loaded, templates compiled
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return median(times) * 1000


def _sizes(full: bool) -> list[int]:
    return [100_000, 1_000_000] if full else [100_000]


def _measure(n: int, tmp: Path) -> list[Row]:
    import lamingit as ln
    from benchmarks.bench_query import generate
    from lamingit.remote.server import WebRequest
    from lamingit.session import SESSION
    from lamingit.web import WebUI

    os.environ["LAMINGIT_USER"] = "bench"
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    ln.init(tmp / "repo")
    for name, dtype in (("read_count", int), ("gc_content", float)):
        ln.Feature(name=name, dtype=dtype).save()
    generate(n)
    sample = tmp / "a.csv"
    sample.write_text("gene,count\nTP53,5\n")
    artifact = ln.Artifact(sample, key="data/a.csv", description="one real file").save()
    ui = WebUI(SESSION.repository())

    def page(path: str, query: dict[str, str] | None = None) -> None:
        answer = ui(WebRequest("GET", path, query or {}))
        assert answer.status == 200, (path, answer.body)

    rows = []
    cases = [
        ("artifact list, first page", {}),
        ("artifact list, page 1000", {"page": "1000"}),
        ("artifact list, search", {"q": "sample 9999"}),
        (
            "artifact list, feature filter",
            {"feature": "read_count", "fop": "gt", "fvalue": "1000000"},
        ),
        ("artifact list, sorted by size", {"sort": "-size"}),
    ]
    for name, query in cases:
        value = _ms(lambda q=query: page("/", q))
        rows.append(Row(f"{name}, {n:,} artifacts", value, "ms", "≤ 200 ms"))
    value = _ms(lambda: page(f"/artifacts/{artifact.uid}"))
    rows.append(Row(f"artifact page, {n:,} artifacts", value, "ms", "≤ 100 ms"))
    value = _ms(lambda: page("/history"))
    rows.append(Row(f"history page (its commits), {n:,} artifacts", value, "ms", "reported"))
    # A long history: the artifact's page searches the branch's last 1,000 commits (MAX_SCAN)
    # for changes to its record; here all of them, since it was made before.
    for i in range(1_100):
        ln.Project(name=f"project {i}").save()
    value = _ms(lambda: page(f"/artifacts/{artifact.uid}"))
    rows.append(
        Row(f"artifact page, 1,100 later commits, {n:,} artifacts", value, "ms", "≤ 100 ms")
    )
    value = _ms(lambda: page("/history"))
    rows.append(Row("history page, 1,100 later commits", value, "ms", "reported"))
    return rows


def run(full: bool = False) -> list[Row]:
    """Rows of measured page times."""
    from benchmarks._env import as_users_python
    from lamingit.session import SESSION

    as_users_python()
    rows: list[Row] = []
    for n in _sizes(full):
        tmp = Path(tempfile.mkdtemp(prefix="lamingit-bench-ui-"))
        try:
            rows.extend(_measure(n, tmp))
        finally:
            SESSION.reset()
            shutil.rmtree(tmp, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="also 1M artifacts")
    args = parser.parse_args()
    print_rows("web UI (server time per page)", run(args.full))


if __name__ == "__main__":
    main()
