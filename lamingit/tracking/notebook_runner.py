"""Headless execution of a notebook for ``lamingit run-notebook``: papermill-style parameter
injection and nbclient with a real kernel whose ``ln.track()`` knows the notebook file.
"""

from __future__ import annotations

import copy
import json
import keyword
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamingit.errors import InvalidArgument
from lamingit.tracking.notebook import read_notebook, to_dict, to_node
from lamingit.tracking.notebook_locate import NOTEBOOK_ENV, RUNNER_ENV

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
PARAMS_ENV = "LAMINGIT_NOTEBOOK_PARAMS"
"""JSON object of the parameters ``run-notebook`` injected (they become run params)."""
HANDOFF_ENV = "LAMINGIT_NOTEBOOK_HANDOFF"
"""A file where the kernel's ``ln.track()`` writes its run uid for ``run-notebook``."""


def parse_param(text: str) -> tuple[str, Any]:
    """``name=value`` from the command line: the value as JSON if it parses, else a string.

    Example:
        >>> parse_param("n=3"), parse_param("name=hits"), parse_param('ids=["a", "b"]')
        (('n', 3), ('name', 'hits'), ('ids', ['a', 'b']))
    """
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier() or keyword.iskeyword(name):
        raise InvalidArgument(
            f"--param {text!r}: write NAME=VALUE with a Python identifier as NAME, e.g. --param n=3"
        )
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return name, value


def inject_parameters(doc: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``doc`` with a cell assigning ``params``, as papermill injects them.

    The new cell (tagged ``injected-parameters``) follows the cell tagged ``parameters``,
    whose defaults it overrides; without such a cell it becomes the first cell.

    Example:
        >>> nb = {"cells": [{"cell_type": "code", "source": "n = 1",
        ...                  "metadata": {"tags": ["parameters"]}}]}
        >>> inject_parameters(nb, {"n": 3})["cells"][1]["source"]
        '# Parameters (lamingit run-notebook)\\nn = 3\\n'
    """
    out = copy.deepcopy(doc)
    if not params:
        return out
    lines = ["# Parameters (lamingit run-notebook)"]
    lines += [f"{name} = {value!r}" for name, value in params.items()]
    cell: dict[str, Any] = {
        "cell_type": "code",
        "execution_count": None,
        "id": "injected-parameters",
        "metadata": {"tags": [INJECTED_TAG]},
        "outputs": [],
        "source": "\n".join(lines) + "\n",
    }
    cells = out["cells"]
    position = 0
    for i, existing in enumerate(cells):
        tags = (existing.get("metadata") or {}).get("tags") or []
        if isinstance(tags, list) and PARAMETERS_TAG in tags:
            position = i + 1
            break
    cells.insert(position, cell)
    return out


@dataclass
class Execution:
    """What running a notebook gave: the executed notebook, its runs, the failure if any."""

    notebook: dict[str, Any]
    runs: list[str] = field(default_factory=list)
    error: str | None = None


def execute(
    path: Path,
    params: dict[str, Any],
    *,
    env: dict[str, str],
    timeout: int | None = None,
    kernel_name: str = "python3",
) -> Execution:
    """Run every cell of ``path`` in a new kernel (cwd = the notebook's directory).

    The kernel gets ``LAMINGIT_NOTEBOOK`` (so ``ln.track()`` keys the run by the file and
    records its un-injected source), the parameters as run params, and a hand-off file in
    which ``ln.track()`` names its run. The first failing cell stops the execution.

    Example:
        >>> execute(Path("analysis.ipynb"), {"n": 3}, env=dict(os.environ)).runs  # doctest: +SKIP
        ['AbCdEfGhIjKlMnOpQrSt']
    """
    try:
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    except ImportError:
        raise InvalidArgument(
            "lamingit run-notebook needs nbclient and ipykernel: pip install 'lamingit[notebook]'"
        ) from None
    doc = read_notebook(path)
    node = to_node(inject_parameters(doc, params))  # nbclient expects string sources
    fd, handoff_name = tempfile.mkstemp(prefix="lamingit-runs-", suffix=".txt")
    os.close(fd)
    handoff = Path(handoff_name)
    kernel_env = dict(env)
    kernel_env[NOTEBOOK_ENV] = str(path)
    kernel_env[RUNNER_ENV] = "lamingit"
    kernel_env[PARAMS_ENV] = json.dumps(params)
    kernel_env[HANDOFF_ENV] = str(handoff)
    client = NotebookClient(
        node,
        timeout=timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(path.parent)}},
    )
    error = None
    try:
        client.execute(env=kernel_env)
    except CellExecutionError as err:
        ename, evalue = getattr(err, "ename", ""), getattr(err, "evalue", "")
        error = f"{ename}: {evalue}"[:500] if ename else _first_line(err)
    except (CellTimeoutError, DeadKernelError, TimeoutError) as err:
        error = f"{type(err).__name__}: {_first_line(err)}"
    finally:
        runs = read_handoff(handoff)
        handoff.unlink(missing_ok=True)
    return Execution(to_dict(node), runs, error)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # nbclient's message ends with "ExcType: message" after the traceback.
    return lines[-1][:500] if lines else type(err).__name__


def injected_params() -> dict[str, Any]:
    """The parameters ``lamingit run-notebook --param`` passed to this kernel.

    Example:
        >>> injected_params()
        {}
    """
    raw = os.environ.get(PARAMS_ENV)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise InvalidArgument(f"{PARAMS_ENV} is not a JSON object; unset it")
    return {str(k): v for k, v in value.items()}


def hand_off(run_uid: str) -> None:
    """Tell ``lamingit run-notebook`` (if it started this kernel) which run began here.

    Example:
        >>> hand_off("AbCdEfGhIjKlMnOpQrSt")
    """
    target = os.environ.get(HANDOFF_ENV)
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(run_uid + "\n")


def read_handoff(path: Path) -> list[str]:
    """The run uids a kernel wrote to the hand-off file (in order, each once).

    Example:
        >>> read_handoff(Path("/nonexistent"))
        []
    """
    try:
        lines = path.read_text(encoding="utf-8").split()
    except OSError:
        return []
    return list(dict.fromkeys(line for line in lines if line.isalnum()))
