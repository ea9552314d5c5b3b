"""ln.track(): bad arguments are refused before anything starts (no watcher, no branch switch,
no commit); ln.track(transform=t, branch=b) with t saved on another branch only."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest

import lamingit as ln
from lamingit.errors import DoesNotExist, InvalidArgument, ValidationError
from lamingit.session import SESSION
from lamingit.tracking import audit
from lamingit.tracking import context as run_context


def _state() -> tuple[str | None, str, list[str]]:
    repo = SESSION.repository()
    heads = sorted(ln.Branch.filter(), key=lambda b: b.name)
    return repo.git.head(), ln.settings.branch, [f"{b.name}={b.commit}" for b in heads]


def _bad_calls(tmp_path: Path) -> list[tuple[dict[str, Any], type[Exception], str]]:
    transform = ln.Transform(key="step", kind="pipeline")
    return [
        ({"transform": 42}, InvalidArgument, "transform= must be"),
        ({"transform": "not-a-uid"}, InvalidArgument, "12 or 16 base62"),
        ({"transform": transform, "params": ["lr"]}, InvalidArgument, "params= takes a dict"),
        ({"transform": transform, "features": [1]}, InvalidArgument, "features= takes a dict"),
        ({"transform": transform, "capture_output": "no"}, InvalidArgument, "True or False"),
        ({"transform": transform, "watch": 3}, InvalidArgument, "watch= takes"),
        ({"transform": transform, "watch": [3]}, InvalidArgument, "watch= takes"),
        ({"transform": transform, "project": "nope"}, InvalidArgument, "no project named"),
        ({"transform": transform, "branch": "nope"}, DoesNotExist, "no branch 'nope'"),
        ({"transform": transform, "branch": "../x"}, InvalidArgument, "not allowed"),
        ({"transform": transform, "branch": 7}, InvalidArgument, "branch= takes"),
        ({"transform": transform, "initiated_by_run": "x" * 20}, InvalidArgument, "not a saved"),
        ({"transform": transform, "plan": tmp_path / "no.md"}, FileNotFoundError, "does not"),
        ({"transform": transform, "features": {"nope": 1}}, ValidationError, "nope"),
    ]


def test_bad_arguments_are_refused_before_anything_starts(repo: Path, tmp_path: Path) -> None:
    ln.Transform(key="other", kind="pipeline").save()
    ln.Branch(name="side").save()
    before = _state()
    for kwargs, error, message in _bad_calls(tmp_path):
        with pytest.raises(error, match=message):
            ln.track(**kwargs)
        assert _state() == before, kwargs  # no commit, no branch switched or moved
        assert run_context.active() is None and audit.current() is None, kwargs
        assert "LAMINGIT_RUN" not in os.environ, kwargs
    assert ln.Run.filter().count() == 0 and ln.Transform.filter(key="step").count() == 0


def test_a_feature_missing_on_the_target_branch_is_refused_before_switching(repo: Path) -> None:
    ln.Transform(key="other", kind="pipeline").save()
    ln.Branch(name="side").save()  # before the feature exists: it is not on "side"
    ln.Feature(name="cohort", dtype=str).save()
    before = _state()
    with pytest.raises(ValidationError, match="cohort"):
        ln.track(ln.Transform(key="step", kind="pipeline"), branch="side", features={"cohort": "A"})
    assert _state() == before and ln.settings.branch == "main"
    run = ln.track(ln.Transform(key="step", kind="pipeline"), features={"cohort": "A"})
    ln.finish()
    assert ln.Run.get(run.uid).features.get_values() == {"cohort": "A"}


BAD_CALLS_SCRIPT = """\
import lamingit as ln
from lamingit.tracking.watcher import watcher_pid
for kwargs in ({"params": 3}, {"project": "nope"}, {"branch": "nope"}, {"watch": 5}):
    try:
        ln.track(**kwargs)
    except Exception as exc:
        print(type(exc).__name__, str(exc).splitlines()[0])
    else:
        raise SystemExit("accepted " + repr(kwargs))
print("watcher", watcher_pid())
"""


def test_refused_calls_start_no_watcher_process(
    repo: Path, tmp_path: Path, script_runner: Callable[..., CompletedProcess[str]]
) -> None:
    script = tmp_path / "bad.py"
    script.write_text(BAD_CALLS_SCRIPT)
    out = script_runner(script, repo).stdout.splitlines()
    assert out[-1] == "watcher None"
    assert [line.split()[0] for line in out[:-1]] == [
        "InvalidArgument",
        "InvalidArgument",
        "DoesNotExist",
        "InvalidArgument",
    ]
    assert ln.Run.filter().count() == 0


def test_track_a_transform_saved_only_on_the_current_branch_onto_another(repo: Path) -> None:
    ln.Transform(key="other", kind="pipeline").save()
    ln.Branch(name="side").save()
    ln.setup.switch("side")
    step = ln.Transform(key="step", kind="pipeline").save()  # exists on "side" only
    run = ln.track(transform=step, branch="main")
    ln.finish()
    assert ln.settings.branch == "main"
    here = ln.Transform.get(key="step")
    assert here.uid == step.uid and here.is_latest
    assert ln.Run.get(run.uid).transform.uid == step.uid
    # the same record on both branches: merging them back meets no conflict
    result = ln.setup.merge("side")
    assert result.conflicts == []
    assert ln.Transform.filter(key="step").count() == 1


def test_track_a_transform_saved_only_on_the_target_branch(repo: Path) -> None:
    ln.Transform(key="other", kind="pipeline").save()
    ln.Branch(name="side").save()
    ln.setup.switch("side")
    step = ln.Transform(key="step", kind="pipeline").save()
    ln.setup.switch("main")
    assert ln.Transform.filter(key="step").count() == 0
    run = ln.track(transform=step, branch=ln.Branch.get(name="side"))
    ln.finish()
    assert ln.settings.branch == "side"
    assert ln.Run.get(run.uid).transform.uid == step.uid
    assert ln.Transform.filter(key="step").count() == 1
