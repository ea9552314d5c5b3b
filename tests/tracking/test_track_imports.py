"""What a first ``ln.track()`` + ``ln.finish()`` loads: no heavy or unneeded modules.

The first track/finish of a process is on every script's path (issue 16: ≤ 100 ms); each
module it imports needlessly costs milliseconds there, importlib.metadata 25–70 ms.
"""

from __future__ import annotations

import importlib.metadata as md
import json
from pathlib import Path

import pytest

from lamingit.tracking.environment import _metadata_version, packages

# Modules a script's first ln.track() + ln.finish() must not import: notebook rendering,
# drawing, dataframes, and importlib.metadata (package versions are read from file names).
NOT_ON_TRACK_PATH = (
    "importlib.metadata",
    "email.parser",
    "nbformat",
    "nbconvert",
    "jinja2",
    "graphviz",
    "pandas",
    "polars",
    "pyarrow",
)

SCRIPT = """
import json, sys
sys.path.insert(0, {egg_dir!r})  # an editable install's metadata dir, name without version
import lamingit as ln
before = set(sys.modules)
ln.track()
ln.finish()
loaded = sorted(set(sys.modules) - before)
run = ln.Run.filter().one()
print(json.dumps({{"loaded": loaded, "env": run.environment}}))
"""


def test_first_track_finish_loads_no_heavy_module(
    repo: Path, tmp_path: Path, script_runner
) -> None:
    eggs = tmp_path / "src"
    (eggs / "mytool.egg-info").mkdir(parents=True)
    (eggs / "mytool.egg-info" / "PKG-INFO").write_text(
        "Metadata-Version: 2.1\nName: mytool\nVersion: 1.2.3\n"
    )
    script = tmp_path / "scripts" / "step.py"
    script.parent.mkdir()
    script.write_text(SCRIPT.format(egg_dir=str(eggs)))
    out = json.loads(script_runner(script, repo).stdout.strip().splitlines()[-1])
    heavy = [m for m in out["loaded"] if m.startswith(NOT_ON_TRACK_PATH)]
    assert heavy == []
    assert out["env"]["mytool"] == "1.2.3"  # still recorded, read without importlib.metadata


@pytest.mark.parametrize(
    ("layout", "files"),
    [
        ("dist-info", {"METADATA": "Metadata-Version: 2.1\nName: a\nVersion: 0.4\n\nVersion: 9\n"}),
        ("egg-info", {"PKG-INFO": "Name: b\nversion:  2.0rc1 \n"}),
        ("egg-info", {"METADATA": "", "PKG-INFO": "Name: c\nVersion: 3\n"}),
        ("egg-info", {"PKG-INFO": "Name: d\n\nVersion: 9\n"}),
        ("egg-info", {}),
        ("egg-info", None),  # a single-file .egg-info is its own PKG-INFO
    ],
)
def test_metadata_version_reads_what_importlib_metadata_reads(
    tmp_path: Path, layout: str, files: dict[str, str] | None
) -> None:
    path = tmp_path / f"pkg.{layout}"
    if files is None:
        path.write_text("Name: e\nVersion: 5.1\n")
    else:
        path.mkdir()
        for name, text in files.items():
            (path / name).write_text(text)
    expected = md.PathDistribution(path).version or ""
    assert _metadata_version(str(path)) == expected
    assert expected or files is not None  # the single-file case does carry a version


def test_packages_agree_with_importlib_metadata() -> None:
    env = packages()
    for dist in md.distributions():
        name = dist.metadata["Name"]
        if name:
            key = name.replace("_", "-").replace(".", "-").lower()
            assert key in env


def test_registry_access_loads_neither_tracking_nor_merge() -> None:
    import os
    import subprocess
    import sys

    from tests.tracking.conftest import PACKAGE_ROOT

    code = "import sys, lamingit; lamingit.Artifact; print(' '.join(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": PACKAGE_ROOT}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    unwanted = (*NOT_ON_TRACK_PATH, "lamingit.merge", "lamingit.tracking.source")
    assert [m for m in out if m.startswith(unwanted)] == []
