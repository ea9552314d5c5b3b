"""``lamingit run-notebook``: execute a notebook headless in a real kernel and track it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from lamingit.errors import LamingitError


@click.command("run-notebook")
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter injected after the cell tagged 'parameters' (or first); VALUE is "
    "JSON if it parses, else a string. Repeatable.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the executed notebook here (the input file is never changed).",
)
@click.option("--timeout", type=int, default=None, help="Seconds one cell may take.")
@click.option("--kernel", default="python3", show_default=True, help="Jupyter kernel name.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def run_notebook(
    notebook: Path,
    params: tuple[str, ...],
    output: Path | None,
    timeout: int | None,
    kernel: str,
    as_json: bool,
) -> None:
    """Execute NOTEBOOK top to bottom in a new kernel and record it like ln.track() does.

    The notebook's own ln.track() keys the transform by the notebook file (its path in its
    git work tree), the --param values are injected papermill-style and become the run's
    params, and after the last cell the executed notebook is rendered to HTML as the run's
    report. A failing cell stops the notebook: the run is recorded as errored (with the
    report up to that cell) and the exit code is 1.

    Example: lamingit run-notebook analysis.ipynb --param n_genes=100 --param tissue=lung
    """
    from lamingit.api.track_notebook import attach_report
    from lamingit.session import SESSION
    from lamingit.tracking.notebook import report_html
    from lamingit.tracking.notebook_runner import execute, parse_param

    repo = SESSION.repository()
    path = notebook.resolve()
    values = dict(parse_param(p) for p in params)
    env = dict(os.environ)
    env["LAMINGIT_REPO"] = str(repo.root)  # the kernel writes to this same repository
    result = execute(path, values, env=env, timeout=timeout, kernel_name=kernel)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result.notebook, indent=1, ensure_ascii=False) + "\n")
    if not result.runs:
        reason = f" (it failed first: {result.error})" if result.error else ""
        raise LamingitError(
            f"{notebook} ran but never called ln.track(){reason}; nothing was recorded — "
            "add `import lamingit as ln; ln.track()` to its first cells"
        )
    html = report_html(result.notebook)
    for run_uid in result.runs:
        attach_report(repo, run_uid, html, result.error)
    status = "errored" if result.error else "completed"
    if as_json:
        payload = {"runs": result.runs, "status": status, "error": result.error}
        click.echo(json.dumps(payload))
    else:
        for run_uid in result.runs:
            click.echo(f"{notebook}: run {run_uid} {status}, report {len(html)} bytes")
    if result.error:
        raise LamingitError(
            f"{notebook} failed in a cell: {result.error}; run {result.runs[-1]} is recorded "
            "as errored with the report up to that cell"
        )
