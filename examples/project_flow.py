"""Project flow: the LaminDB walkthrough (Schmidt et al. 2022) end to end on lamingit.

An app upload, a hit-calling notebook, a sequencer upload, a Cell Ranger pipeline, a
post-processing script and an integration notebook, by two users; then the provenance
queries of the walkthrough and the lineage drawn as SVG. The data are small synthetic
stand-ins made here (no network). Each step after the upload runs as its own process, as
the walkthrough's ``!python project-flow-scripts/...``.

Usage: python examples/project_flow.py [REPOSITORY_PATH]   (default ./mydata; re-created)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

import lamingit as ln
from lamingit._util import user_config_path
from lamingit.repo import is_repository

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "project_flow_scripts"
sys.path.insert(0, str(SCRIPTS))
pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 12)
pd.set_option("display.max_colwidth", 40)


def section(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(0, 70 - len(title)))


def show(frame: pd.DataFrame, columns: list[str]) -> None:
    print(frame[[c for c in columns if c in frame.columns]].to_string())


def step(*args: str, notebook: bool = False) -> None:
    """Run one walkthrough step as its own process (the seed's ``!python …``); a notebook
    runs headless under ``lamingit run-notebook``, which tracks it with its HTML report."""
    env = dict(os.environ)
    package_root = str(Path(ln.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_root, str(SCRIPTS), env.get("PYTHONPATH", "")) if p
    )
    command = [sys.executable, *args]
    if notebook:
        command = [sys.executable, "-m", "lamingit.cli.main", "run-notebook", *args]
    print(f"$ {'lamingit run-notebook' if notebook else 'python'} {' '.join(args)}")
    proc = subprocess.run(command, cwd=SCRIPTS, env=env, text=True, capture_output=True)
    for line in (proc.stdout + proc.stderr).splitlines():
        print(f"  {line}")
    if proc.returncode != 0:
        raise SystemExit(f"step {args[-1]} failed with exit code {proc.returncode}")


def fresh_repository(path: Path) -> None:
    if path.exists():
        if not is_repository(path) and any(path.iterdir()):
            raise SystemExit(f"{path} exists and is not a lamingit repository; choose another path")
        shutil.rmtree(path)
    ln.init(path)
    os.environ["LAMINGIT_REPO"] = str(path.resolve())  # the step processes use it too


def mock_upload_crispra_result_app() -> None:
    """What the app does when testuser1 drags the screen result into the UI."""
    from synthetic import crispra_screen

    transform = ln.Transform(name="Upload GWS CRISPRa result", type="upload")
    run = ln.Run(transform=transform)
    output_path = crispra_screen(Path(tempfile.mkdtemp()) / "schmidt22-crispra-gws-IFNG.csv")
    ln.Artifact(output_path, description="Raw data of schmidt22 crispra GWS", run=run).save()


def user_lookup() -> SimpleNamespace:
    lookup = getattr(ln.User, "lookup", None)
    if lookup is not None:
        return lookup()  # type: ignore[no-any-return]
    return SimpleNamespace(**{u.handle: u for u in ln.User.filter()})


def main(path: Path) -> None:
    started = time.perf_counter()
    section("Set up")
    fresh_repository(path)
    ln.login("testuser1", name="Test User1")
    print(f"repository at {path.resolve()}")

    section("App upload of phenotypic data (testuser1)")
    mock_upload_crispra_result_app()
    raw = ln.Artifact.filter(description="Raw data of schmidt22 crispra GWS").one()
    print(raw)

    section("Hit identification in a notebook (testuser2)")
    ln.login("testuser2", name="Test User2")
    step("hit-identification.ipynb", notebook=True)
    hits = ln.Artifact.filter(description="hits from schmidt22 crispra GWS").one()
    print(hits)

    section("Sequencer upload (testuser1)")
    ln.login("testuser1", name="Test User1")
    step("chromium_10x_upload.py")

    section("scRNA-seq pipeline: Cell Ranger and post-processing (testuser2)")
    ln.login("testuser2", name="Test User2")
    step("cellranger.py")
    step("postprocess_cellranger.py")
    counts = ln.Artifact.filter(description="perturbseq counts").one()
    print(counts)

    section("Integrate scRNA-seq & phenotypic data in a notebook (testuser2)")
    step("integrated-analysis.ipynb", notebook=True)

    section("Review results (testuser1)")
    ln.login("testuser1", name="Test User1")
    ln.context.uid = "1LCd8kco9lZU0000"
    ln.context.name = "Project flow"
    ln.context.track()
    artifact = ln.Artifact.filter(key__contains="figures/matrixplot").one()
    print(f"loaded {artifact.key} ({artifact.size} bytes) from {artifact.cache()}")
    svg = artifact.view_lineage(path=str(path.parent / "project_flow_lineage.svg"))
    print(f"the lineage graph is at {svg}")

    section('transform = ln.Transform.search("Project flow").first()')
    transform = ln.Transform.search("Project flow").first()
    print(transform)

    section("Runs: which artifacts are inputs of the current run?")
    show(ln.context.run.inputs.df(), ["key", "description", "run_id"])

    section('Query by provenance: ln.Transform.search("GWS CRIPSRa analysis")')
    transform = ln.Transform.search("GWS CRIPSRa analysis").first()
    print(transform)
    show(ln.Artifact.filter(transform=transform).df(), ["description", "key", "suffix", "size"])

    section("Which transform ingested a given artifact? And which user?")
    artifact = ln.Artifact.filter().first()
    print(artifact.transform)
    print(artifact.created_by)

    section("Which transforms were created by a given user?")
    users = user_lookup()
    show(ln.Transform.filter(created_by=users.testuser1).df(), ["description", "key", "kind"])

    section("Which notebooks were created by a given user?")
    show(
        ln.Transform.filter(created_by=users.testuser2, type="notebook").df(),
        ["description", "key", "kind"],
    )

    section("Recent additions to the repository")
    recent = ln.Artifact.filter().order_by("-created_at").df()
    show(recent, ["key", "description", "suffix", "size"])
    show(
        ln.Run.filter().df(include=["transform__key"]),
        ["transform__key", "status", "started_at", "finished_at"],
    )
    show(ln.Transform.filter().df(), ["description", "key", "kind", "version", "reference"])
    show(ln.User.filter().df(), ["handle", "name"])
    ln.finish()
    print(f"\nproject flow finished in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "mydata")
    config = user_config_path()
    saved = config.read_bytes() if config.exists() else None
    try:
        main(target)
    finally:
        # The walkthrough switches users with ln.login(); put the user's own login back.
        if saved is None:
            config.unlink(missing_ok=True)
        else:
            config.write_bytes(saved)
