"""Runs of non-Python steps from Python (api/steps.py): start, finish, run a command."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import lamingit as ln
from lamingit.api.steps import finish_step, run_step, start_step
from lamingit.errors import DoesNotExist, InvalidArgument
from lamingit.tracking.source import SourceInfo


def _source(code: str = "echo hi\n") -> SourceInfo:
    return SourceInfo(None, "align.sh", "align.sh", "script", code, None)


def test_start_then_finish_a_step(repo: Path, write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reference = ln.Artifact(write("ref.fa", ">a\nACGT\n"), key="ref.fa").save()
    run = start_step(_source(), params={"genome": "hg38"}, inputs=[reference.uid])
    assert run.status == "started" and run.params == {"genome": "hg38"}
    assert run.transform is not None and run.transform.key == "align.sh"
    assert [a.uid for a in run.input_artifacts] == [reference.uid]
    again = start_step(_source())  # same code: the same transform, a new run
    assert again.transform_uid == run.transform_uid and again.uid != run.uid
    log = tmp_path / "align.log"
    log.write_text("aligned 10 reads\n")
    done = finish_step(run.uid, status="errored", report=log)
    assert done.status == "errored" and done.finished_at is not None
    assert done.report == "aligned 10 reads\n"


def test_finish_step_refuses_bad_input(repo: Path) -> None:
    run = start_step(_source())
    with pytest.raises(InvalidArgument, match="status 'done' is not one of completed"):
        finish_step(run.uid, status="done")
    with pytest.raises(DoesNotExist, match="no run 'nope'"):
        finish_step("nope")
    assert ln.Run.get(run.uid).status == "started"


def test_run_step_records_the_exit_code(repo: Path) -> None:
    code = run_step(
        _source("exit 3\n"), [sys.executable, "-c", "print('out'); raise SystemExit(3)"]
    )
    assert code == 3
    run = ln.Run.filter(transform__key="align.sh").one()
    assert run.status == "errored" and "out" in (run.report or "")
