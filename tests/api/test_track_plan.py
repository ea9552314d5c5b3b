"""ln.track(plan=…): the plan file becomes a kind='plan' artifact and an input of the run."""

from __future__ import annotations

from pathlib import Path

import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument


def test_plan_path_is_saved_and_linked(repo: Path, tmp_path: Path) -> None:
    plan = tmp_path / "qc.plan.md"
    plan.write_text("---\nname: QC the counts\noverview: filter cells\n---\n\n# Steps\n")
    transform = ln.Transform(key="agent-qc", kind="pipeline")
    run = ln.track(transform=transform, plan=plan, capture_output=False)
    ln.finish()
    artifact = ln.Artifact.get(key=".plans/qc.plan.md")
    assert artifact.kind == "plan" and artifact.description == "QC the counts"
    assert artifact.run is None  # saved before the run: an input, not an output
    assert [a.uid for a in ln.Run.get(run.uid).input_artifacts.all()] == [artifact.uid]
    assert ln.Run.filter(input_artifacts=artifact).one().uid == run.uid
    again = ln.track(transform=transform, plan=artifact, capture_output=False)
    ln.finish()
    assert [a.uid for a in again.input_artifacts.all()] == [artifact.uid]


def test_bad_plan_starts_no_run(repo: Path, tmp_path: Path) -> None:
    transform = ln.Transform(key="agent-qc", kind="pipeline")
    with pytest.raises(FileNotFoundError):
        ln.track(transform=transform, plan=tmp_path / "missing.md", capture_output=False)
    with pytest.raises(InvalidArgument, match="plan="):
        ln.track(transform=transform, plan=42, capture_output=False)
    assert ln.Run.filter().count() == 0
