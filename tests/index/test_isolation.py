"""polars stays inside lamingit/index: importing the API does not load it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "lamingit"


def test_api_import_does_not_load_polars() -> None:
    code = (
        "import sys, lamingit as ln\n"
        "ln.Artifact, ln.Record, ln.Feature, ln.Project, ln.Q\n"
        "assert 'polars' not in sys.modules, 'polars imported'\n"
        "assert 'numpy' not in sys.modules, 'numpy imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PKG.parent)


def test_only_index_imports_polars() -> None:
    users = sorted(
        str(p.relative_to(PKG))
        for p in PKG.rglob("*.py")
        if re.search(r"^\s*(import polars|from polars)", p.read_text(), re.M)
    )
    # api/formats.py may hand users a polars LazyFrame of *their data* (artifact.open());
    # for metadata queries polars is the index's business alone
    assert users and all(u.startswith("index/") or u == "api/formats.py" for u in users), users
