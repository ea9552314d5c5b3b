"""``ln.track(plan=…)``: an agent's plan file saved as a ``kind="plan"`` artifact under
``.plans/`` and recorded as an input of the run."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lamingit.api.registries.artifact import Artifact
from lamingit.errors import InvalidArgument


def check_plan(plan: Any) -> None:
    """Refuse a ``plan=`` that cannot be saved (before ``track()`` starts anything).

    Example:
        >>> check_plan(None)
    """
    if plan is None:
        return
    if isinstance(plan, Artifact):
        if not plan._saved:
            raise InvalidArgument("plan= takes a saved Artifact; call .save() on it first")
        return
    if not isinstance(plan, str | os.PathLike):
        raise InvalidArgument(f"plan= takes a file path or an ln.Artifact, got {plan!r}")
    path = Path(plan).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"plan file {path} does not exist; pass the plan's path")


def plan_artifact(plan: Any) -> Artifact:
    """The saved plan artifact for ``plan``: an Artifact, or a path saved now.

    A path is saved under ``.plans/<file name>`` with ``kind="plan"`` and the ``name:`` of
    its YAML front matter (if any) as description, as ``lamin save`` does for plan files.
    The same content saved before returns that artifact.

    Example:
        >>> plan_artifact(".cursor/plans/qc.plan.md").kind  # doctest: +SKIP
        'plan'
    """
    check_plan(plan)
    if isinstance(plan, Artifact):
        return plan
    path = Path(plan).expanduser()
    artifact = Artifact(path, key=f".plans/{path.name}", description=_title(path), kind="plan")
    return artifact.save()


def _title(path: Path) -> str:
    """The ``name:`` of a markdown plan's front matter, else the file name."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (UnicodeDecodeError, OSError):
        return path.name
    if lines and lines[0].strip() == "---":
        for line in lines[1:]:
            if line.strip() == "---":
                break
            if line.startswith("name:") and line[5:].strip():
                return line[5:].strip().strip("'\"")
    return path.name


__all__ = ["check_plan", "plan_artifact"]
