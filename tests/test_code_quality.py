"""The code stays ruff-clean, ruff-formatted and mypy-clean (CI runs these with the tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREES = ["lamingit", "tests", "benchmarks", "examples", "scripts"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check() -> None:
    out = run("ruff", "check", *TREES)
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_format() -> None:
    out = run("ruff", "format", "--check", *TREES)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy() -> None:
    out = run("mypy", "lamingit")
    assert out.returncode == 0, out.stdout + out.stderr


MAX_TYPE_IGNORES = 0
"""``# type: ignore`` comments allowed in lamingit/ (issue 14: fix types, do not silence them).
Never raise this number.
"""


def test_type_ignores_do_not_grow() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "lamingit").rglob("*.py*"))
        if path.suffix in (".py", ".pyi")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "type: ignore" in line
    ]
    assert len(found) <= MAX_TYPE_IGNORES, (
        f"{len(found)} `# type: ignore` in lamingit/ (at most {MAX_TYPE_IGNORES}): "
        + ", ".join(found)
        + "; type the code instead (a Protocol, TypeVar, overload or typed wrapper)"
    )


FIRST_ARTIFACT_MODULES = 42
"""lamingit modules a fresh ``import lamingit as ln; ln.Artifact`` may load: 44 when this was
set (63 before, 32 at 6bdf8e6, which also loaded pygit2), +2 slack. Each module costs ~1.5M instructions at start-up;
benchmarks/bench_save.py reports the CPU time of the same first access."""


def test_first_artifact_access_stays_lean() -> None:
    """A first ``ln.Artifact`` defines the class: no pygit2 and no ``lamingit.repo`` (they
    load with the first repository), no dataframe engine, a bounded number of lamingit modules."""
    code = (
        "import sys, lamingit as ln; ln.Artifact; "
        "print(sum(1 for m in sys.modules if m == 'lamingit' or m.startswith('lamingit.'))); "
        "print(','.join(m for m in ('pygit2', 'lamingit.repo', 'polars', 'pyarrow', 'pandas', "
        "'anndata') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, heavy = out.stdout.splitlines()
    assert heavy == "", f"ln.Artifact imported {heavy}; import them inside the functions using them"
    assert int(count) <= FIRST_ARTIFACT_MODULES, (
        f"ln.Artifact loads {count} lamingit modules (at most {FIRST_ARTIFACT_MODULES}); "
        "`python -X importtime -c 'import lamingit as ln; ln.Artifact'` shows which"
    )
