"""``lamingit run-notebook``: a notebook executed headless in a real kernel and tracked."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat

import lamingit as ln
from lamingit.tracking.notebook import read_notebook, source_text
from tests.cli.cli_process import lamingit

PACKAGE_ROOT = str(Path(ln.__file__).resolve().parent.parent)


def make_notebook(path: Path, *sources: str, parameters: str | None = "n = 1") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells.append(nbformat.v4.new_markdown_cell("# Scoring"))
    if parameters is not None:
        nb.cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    for source in sources:
        nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, path)
    return path


BODY = (
    "import lamingit as ln\nln.track()",
    "print('scoring with n =', n)\nopen('scores.txt', 'w').write(str(n))",
    "ln.Artifact('scores.txt', key='scores.txt').save()",
    "ln.finish()",
)


def run_notebook(repo: Path, cwd: Path, *args: str):  # type: ignore[no-untyped-def]
    env = {"LAMINGIT_REPO": str(repo), "PYTHONPATH": PACKAGE_ROOT}
    return lamingit("run-notebook", *args, cwd=cwd, env_extra=env)


def test_run_notebook_injects_params_and_attaches_the_executed_report(
    repo: Path, tmp_path: Path
) -> None:
    notebook = make_notebook(tmp_path / "scoring.ipynb", *BODY)
    original = notebook.read_bytes()
    proc = run_notebook(repo, tmp_path, "scoring.ipynb", "--param", "n=3", "-o", "out.ipynb")
    assert proc.returncode == 0, proc.stderr
    assert "completed" in proc.stdout
    assert notebook.read_bytes() == original  # the input is never changed
    transform = ln.Transform.get(key="scoring.ipynb")
    assert transform.kind == "notebook" and transform.description == "Scoring"
    # The source is the notebook file, not the copy with the injected parameters.
    assert transform.source_code == source_text(read_notebook(notebook))
    assert "injected-parameters" not in transform.source_code
    run = transform.runs.one()
    assert run.status == "completed" and run.params == {"n": 3}
    assert ln.Run.filter(params__n=3).one().uid == run.uid
    # The report is the executed notebook: the output of every cell, the injected values.
    assert run.report.startswith("<!DOCTYPE html>")
    assert "scoring with n = 3" in run.report
    assert ln.Artifact.get(key="scores.txt").run.uid == run.uid
    executed = json.loads((tmp_path / "out.ipynb").read_text())
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in executed["cells"])

    # Other parameter values: the same transform version, a second run.
    proc = run_notebook(repo, tmp_path, "scoring.ipynb", "-p", "n=5", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "completed" and len(result["runs"]) == 1
    assert ln.Transform.filter(key="scoring.ipynb").count() == 1
    assert ln.Run.get(result["runs"][0]).params == {"n": 5}

    # Changed code: a new version of the notebook's transform.
    make_notebook(notebook, *BODY[:2], "print('changed')", *BODY[2:])
    assert run_notebook(repo, tmp_path, "scoring.ipynb").returncode == 0
    versions = ln.Transform.filter(key="scoring.ipynb").order_by("uid").to_list()
    assert len(versions) == 2 and versions[1].uid.endswith("0001")
    assert "changed" in versions[1].source_code
    assert versions[1].runs.one().params == {}


def test_run_notebook_without_parameters_cell_injects_first(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "child.py").write_text("import lamingit as ln\nln.track()\nln.finish()\n")
    make_notebook(
        tmp_path / "plain.ipynb",
        "import lamingit as ln\nln.track()\nprint(tissue)",
        "import subprocess, sys\nsubprocess.run([sys.executable, 'child.py'], check=True)",
        parameters=None,
    )
    proc = run_notebook(repo, tmp_path, "plain.ipynb", "-p", "tissue=lung")
    assert proc.returncode == 0, proc.stderr
    run = ln.Transform.get(key="plain.ipynb").runs.one()
    # The notebook never called ln.finish(): the kernel's exit finished the run.
    assert run.status == "completed" and run.params == {"tissue": "lung"}
    assert "lung" in run.report
    # A script the notebook started is its own run: no injected params, no notebook report.
    child = ln.Transform.get(key="child.py").runs.one()
    assert child.params == {} and child.initiated_by_run.uid == run.uid
    assert not (child.report or "").startswith("<!DOCTYPE html>")


def test_a_failing_cell_records_an_errored_run_and_exits_1(repo: Path, tmp_path: Path) -> None:
    make_notebook(
        tmp_path / "broken.ipynb",
        "import lamingit as ln\nln.track()",
        "print('before the failure')",
        "raise ValueError('no cells passed QC')",
        "ln.finish()",
    )
    proc = run_notebook(repo, tmp_path, "broken.ipynb")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "ValueError: no cells passed QC" in lines[-1]
    assert "Traceback" not in proc.stderr
    run = ln.Transform.get(key="broken.ipynb").runs.one()
    assert run.status == "errored"
    assert "before the failure" in run.report and "no cells passed QC" in run.report


def test_run_notebook_refusals(repo: Path, tmp_path: Path) -> None:
    make_notebook(tmp_path / "untracked.ipynb", "x = 1")
    proc = run_notebook(repo, tmp_path, "untracked.ipynb")
    assert proc.returncode == 1
    assert "never called ln.track()" in proc.stderr and "Traceback" not in proc.stderr
    assert ln.Run.filter().count() == 0
    proc = run_notebook(repo, tmp_path, "untracked.ipynb", "-p", "bad name=1")
    assert proc.returncode == 1 and "NAME=VALUE" in proc.stderr
    (tmp_path / "fake.ipynb").write_text("not json")
    proc = run_notebook(repo, tmp_path, "fake.ipynb")
    assert proc.returncode == 1 and "not a Jupyter notebook" in proc.stderr
    proc = run_notebook(repo, tmp_path, "missing.ipynb")
    assert proc.returncode == 2
    assert os.listdir(tmp_path).count("scores.txt") == 0
