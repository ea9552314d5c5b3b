"""The benchmark runner: target verdicts, discovery, and the combined table."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.run_all import Result, meets, print_table, scripts  # noqa: E402


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        (1.5, "≤ 2 ms", True),
        (2.5, "≤ 2 ms", False),
        (2.0, "< 2 ms", False),
        (150, "≥ 100 MB/s", True),
        (99, ">= 100 MB/s", False),
        (1.1, "≤ 1.2×", True),
        (5, "reported", None),
        (5, "flat (≪ file size)", None),
        (1_500, "≤ 1_000 ms", False),
    ],
)
def test_meets(value: float, target: str, expected: bool | None) -> None:
    assert meets(value, target) is expected


def test_discovers_the_scripts_present() -> None:
    found = scripts()
    assert "bench_durability" in found
    assert all(name.startswith("bench_") for name in found)
    assert scripts({"durability"}) == ["bench_durability"]


def test_table_shows_verdicts_and_failures(capsys: pytest.CaptureFixture[str]) -> None:
    print_table(
        [
            Result("save", "save 1 KB", 1.5, "ms", "≤ 2 ms", True),
            Result("save", "save 1 GiB", 3.0, "×", "≤ 1.2×", False),
        ],
        {"query": "failed: boom"},
    )
    out = capsys.readouterr().out
    assert "yes" in out and "NO" in out and "(not measured, see below)" in out
    assert "query: failed: boom" in out
    assert "1 of 2 targets met; 1 script(s) failed" in out


def test_benchmarks_run_as_a_users_python_that_caches_bytecode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import subprocess

    from benchmarks._env import as_users_python

    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "0")  # non-empty: caching is off
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    as_users_python()
    assert "PYTHONDONTWRITEBYTECODE" not in os.environ
    assert sys.dont_write_bytecode is False
    child = subprocess.run(
        [sys.executable, "-c", "import sys; print(sys.flags.dont_write_bytecode)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == "0"
