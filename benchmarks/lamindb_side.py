"""Side-by-side: the same small workload on lamingit and on LaminDB (``python -m benchmarks
--lamindb`` or ``python benchmarks/lamindb_side.py``), printing ratios.

LaminDB lives in its own virtual environment (``~/.cache/lamingit-bench/lamindb-venv``,
override with ``LAMINGIT_LAMINDB_VENV``), created with ``pip install lamindb`` the first time
this runs, never otherwise. LaminDB runs offline on a local SQLite instance
(``ln.setup.settings.instance._is_on_hub = False`` right after import).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks._env import as_users_python  # noqa: E402


def venv_dir() -> Path:
    """Where the LaminDB virtual environment lives."""
    default = Path.home() / ".cache" / "lamingit-bench" / "lamindb-venv"
    return Path(os.environ.get("LAMINGIT_LAMINDB_VENV", default))


def ensure_venv() -> Path:
    """The venv's python, creating the venv and installing LaminDB on first use."""
    venv = venv_dir()
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import lamindb"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"creating {venv} and installing lamindb (first use only) …", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "lamindb"], check=True)
    return python


def _run(python: str, kind: str, base: Path, n: int, env: dict[str, str]) -> dict[str, float]:
    base.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(  # cwd in the temp dir: LaminDB writes .lamin/ into the cwd
        [python, str(HERE / "_side_workload.py"), kind, str(base), str(n)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=base,
    )
    marker = done.stdout.rfind("@@SIDE@@")
    if done.returncode != 0 or marker < 0:
        raise RuntimeError(f"{kind} workload failed: {done.stderr.strip()[-1500:]}")
    result: dict[str, float] = json.loads(done.stdout[marker + len("@@SIDE@@") :])
    return result


def side_by_side(full: bool = False) -> list[tuple[str, float, float]]:
    """Run the workload on both; print and return ``(measure, lamingit s, lamindb s)`` rows."""
    n = 1000 if full else 100
    as_users_python()  # both libraries' fresh processes use cached bytecode
    python = ensure_venv()
    base = Path(tempfile.mkdtemp(prefix="lamingit-side-"))
    try:
        common = {k: v for k, v in os.environ.items() if not k.startswith("LAMIN")}
        ours_env = {
            **common,
            "HOME": str(base / "home-ours"),
            "LAMINGIT_USER": "bench",
            "XDG_CONFIG_HOME": str(base / "home-ours" / ".config"),
            "PYTHONPATH": str(ROOT),
        }
        theirs_env = {**common, "HOME": str(base / "home-lamindb")}
        theirs_env.pop("PYTHONPATH", None)
        ours = _run(sys.executable, "lamingit", base / "lamingit", n, ours_env)
        theirs = _run(str(python), "lamindb", base / "lamindb", n, theirs_env)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    rows = [(name, ours[name], theirs[name]) for name in ours if name in theirs]
    width = max(len(r[0]) for r in rows)
    print(
        f"\nside by side, {n} artifacts (medians; ratio = LaminDB / lamingit, > 1: lamingit faster)"
    )
    print(f"{'measure'.ljust(width)}  {'lamingit':>12}  {'LaminDB':>12}  {'ratio':>7}")
    print(f"{'-' * width}  {'-' * 12}  {'-' * 12}  {'-' * 7}")
    for name, a, b in rows:
        print(f"{name.ljust(width)}  {a * 1000:>9.2f} ms  {b * 1000:>9.2f} ms  {b / a:>6.1f}×")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="1,000 artifacts instead of 100")
    args = parser.parse_args()
    side_by_side(full=args.full)


if __name__ == "__main__":
    main()
