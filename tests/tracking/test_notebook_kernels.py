"""Notebooks run by real kernels: nbconvert, jupyter execute, papermill, nbclient, VS Code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import lamingit as ln
from lamingit.tracking.notebook import read_notebook, source_text

PACKAGE_ROOT = str(Path(ln.__file__).resolve().parent.parent)
BIN = Path(sys.executable).parent

CELLS = [
    ("markdown", "# Hit calling\nA notebook."),
    ("code", "n = 1"),
    ("code", "import lamingit as ln\nln.track()"),
    ("code", "print('n is', n)\nopen('hits.txt', 'w').write(str(n))"),
    ("code", "hits = ln.Artifact('hits.txt', key='hits.txt').save()"),
    ("code", "ln.finish()"),
]


def make_notebook(path: Path, cells: list[tuple[str, str]] = CELLS) -> Path:
    nb = nbformat.v4.new_notebook()
    for kind, source in cells:
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            tags = ["parameters"] if source == "n = 1" else []
            nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def kernel_env(repo: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = PACKAGE_ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["LAMINGIT_REPO"] = str(repo)
    env["LAMINGIT_USER"] = "testuser1"
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def assert_tracked(notebook: Path, key: str = "hit-calling.ipynb") -> Any:
    transform = ln.Transform.get(key=key)
    assert transform.kind == "notebook"
    assert transform.description == "Hit calling"
    assert transform.source_code == source_text(read_notebook(notebook))
    run = transform.runs.one()
    assert run.status == "completed" and run.finished_at is not None
    assert run.report.startswith("<!DOCTYPE html>")
    assert ln.Artifact.get(key="hits.txt").run.uid == run.uid
    return run


def with_stale_output(notebook: Path) -> Path:
    """Give the print cell an output from an earlier execution (as a saved notebook has)."""
    nb = nbformat.read(notebook, as_version=4)
    stale = nbformat.v4.new_output("stream", name="stdout", text="stale output of last week\n")
    nb.cells[3].outputs = [stale]
    nbformat.write(nb, notebook)
    return notebook


def test_jupyter_nbconvert_execute_is_identified(repo: Path, tmp_path: Path) -> None:
    notebook = with_stale_output(make_notebook(tmp_path / "nbs" / "hit-calling.ipynb"))
    args = [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute"]
    run(
        [*args, "hit-calling.ipynb", "--output", "executed.ipynb"],
        notebook.parent,
        kernel_env(repo),
    )
    tracked = assert_tracked(notebook)
    # The report shows this execution (captured in the kernel), not the file's old outputs.
    assert "n is 1" in tracked.report
    assert "stale output" not in tracked.report


def test_jupyter_execute_is_identified(repo: Path, tmp_path: Path) -> None:
    notebook = with_stale_output(make_notebook(tmp_path / "hit-calling.ipynb"))
    run([str(BIN / "jupyter"), "execute", "hit-calling.ipynb"], tmp_path, kernel_env(repo))
    tracked = assert_tracked(notebook)
    assert "n is 1" in tracked.report and "stale output" not in tracked.report


def test_papermill_report_has_the_executed_cells(repo: Path, tmp_path: Path) -> None:
    notebook = make_notebook(tmp_path / "hit-calling.ipynb")
    run(
        [str(BIN / "papermill"), "hit-calling.ipynb", "out.ipynb", "-p", "n", "7"],
        tmp_path,
        kernel_env(repo),
    )
    tracked = assert_tracked(notebook)  # source: the input, without papermill's cell
    assert "n is 7" in tracked.report  # papermill saved out.ipynb after each cell
    assert (tmp_path / "hits.txt").read_text() == "7"


def test_nbclient_needs_a_path_or_the_variable(repo: Path, tmp_path: Path) -> None:
    notebook = make_notebook(tmp_path / "hit-calling.ipynb")
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError, match="could not tell which notebook"):
        client.execute(env=kernel_env(repo))
    assert ln.Run.filter().count() == 0
    client = NotebookClient(nb, resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=kernel_env(repo, LAMINGIT_NOTEBOOK=str(notebook)))
    assert "n is 1" in assert_tracked(notebook).report
    nb.cells[2].source = "import lamingit as ln\nln.track(path='hit-calling.ipynb')"
    client = NotebookClient(nb, resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=kernel_env(repo))
    transform = ln.Transform.get(key="hit-calling.ipynb")  # the saved file did not change
    assert transform.runs.count() == 2


def test_vscode_notebook_consecutiveness(repo: Path, tmp_path: Path) -> None:
    notebook = make_notebook(tmp_path / "hit-calling.ipynb")
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(f"__vsc_ipynb_file__ = {str(notebook)!r}"))
    client = NotebookClient(nb, resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel(env=kernel_env(repo)):
        # A person's frontend allows input(); VS Code's own cell is not in history.
        client.kc.allow_stdin = True
        client.execute_cell(nb.cells[0], 0, store_history=False)
        nb.cells.pop(0)
        for index in (1, 3, 2, 4):  # out of order: counts 1, 3, 2, 4 in document order
            client.execute_cell(nb.cells[index], index)
        nbformat.write(nb, notebook)  # the person saves the notebook
        with pytest.raises(CellExecutionError, match="NotebookNotConsecutive"):
            client.execute_cell(nb.cells[5], 5)
        run = ln.Run.filter().one()
        assert run.status == "started"  # refused: nothing finished
        nb.cells[5].source = "ln.finish(ignore_non_consecutive=True)"
        client.execute_cell(nb.cells[5], 5)
    run = ln.Run.get(run.uid)
    assert run.status == "completed" and run.report.startswith("<!DOCTYPE html>")
    assert run.transform.key == "hit-calling.ipynb"
    assert "n is 1" in run.report  # the outputs saved on disk


def test_interactive_finish_records_the_saved_source(repo: Path, tmp_path: Path) -> None:
    """Cells added after ln.track() are part of the source once saved before finish()."""
    notebook = make_notebook(tmp_path / "hit-calling.ipynb", CELLS[:3])
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(f"__vsc_ipynb_file__ = {str(notebook)!r}"))
    client = NotebookClient(nb, resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel(env=kernel_env(repo)):
        client.kc.allow_stdin = True
        client.execute_cell(nb.cells[0], 0, store_history=False)
        nb.cells.pop(0)
        for index in range(len(nb.cells)):
            client.execute_cell(nb.cells[index], index)
        before = ln.Transform.get(key="hit-calling.ipynb").source_code
        nb.cells.append(nbformat.v4.new_code_cell("print('added later')"))
        nb.cells.append(nbformat.v4.new_code_cell("ln.finish()"))
        client.execute_cell(nb.cells[3], 3)
        nbformat.write(nb, notebook)
        client.execute_cell(nb.cells[4], 4)
    transform = ln.Transform.get(key="hit-calling.ipynb")
    assert ln.Transform.filter(key="hit-calling.ipynb").count() == 1  # updated in place
    assert "added later" in transform.source_code and "added later" not in before
    assert transform.source_code == source_text(read_notebook(notebook))
