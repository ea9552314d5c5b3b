"""``lamingit save PATH --run RUN_UID``: outputs of a run started by ``lamingit track``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.cli.cli_process import lamingit


def _repo(tmp_path: Path) -> Path:
    assert lamingit("init", "repo", cwd=tmp_path).returncode == 0
    return tmp_path / "repo"


def _track(repo: Path, key: str) -> dict[str, str]:
    started = lamingit("track", "--key", key, "--json", cwd=repo)
    assert started.returncode == 0, started.stderr
    uids: dict[str, str] = json.loads(started.stdout)
    return uids


def test_save_attaches_the_artifact_to_a_started_run(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    uids = _track(repo, "align.sh")
    (tmp_path / "out.sam").write_text("@HD\tVN:1.6\n")
    saved = lamingit(
        "save", str(tmp_path / "out.sam"), "--key", "aligned/out.sam", "--run", uids["run"],
        cwd=repo,
    )  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout.strip().endswith(f"in run {uids['run']}")
    record = json.loads(lamingit("describe", "aligned/out.sam", "--json", cwd=repo).stdout)
    assert record["run"] == uids["run"] and record["transform"] == uids["transform"]
    finished = lamingit("finish", uids["run"], cwd=repo)
    assert finished.returncode == 0, finished.stderr
    described = lamingit("describe", "aligned/out.sam", cwd=repo).stdout
    assert f"run: {uids['run']}" in described and "transform: align.sh (script)" in described


def test_unknown_run_is_a_one_line_user_error_and_writes_nothing(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (tmp_path / "a.txt").write_text("a\n")
    result = lamingit("save", str(tmp_path / "a.txt"), "--key", "a.txt", "--run", "nope", cwd=repo)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no run 'nope'" in result.stderr and "lamingit track" in result.stderr
    assert json.loads(lamingit("ls", "--json", cwd=repo).stdout) == []


def test_finished_run_is_refused_unless_allowed(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    uids = _track(repo, "step.sh")
    assert lamingit("finish", uids["run"], cwd=repo).returncode == 0
    (tmp_path / "late.txt").write_text("late\n")
    args = ("save", str(tmp_path / "late.txt"), "--key", "late.txt", "--run", uids["run"])
    refused = lamingit(*args, cwd=repo)
    assert refused.returncode == 1
    assert refused.stderr.strip().count("\n") == 0
    assert "already finished (completed" in refused.stderr and "--allow-finished" in refused.stderr
    assert json.loads(lamingit("ls", "--json", cwd=repo).stdout) == []
    allowed = lamingit(*args, "--allow-finished", "--json", cwd=repo)
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["run"] == uids["run"]


def test_lamingit_run_from_track_command_is_the_default(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    out = tmp_path / "counts.txt"
    out.write_text("42\n")
    save = [sys.executable, "-m", "lamingit.cli.main", "save", str(out), "--key", "counts.txt"]
    tracked = lamingit("track", "--key", "count.sh", "--", *save, cwd=repo)
    assert tracked.returncode == 0, tracked.stderr
    record = json.loads(lamingit("describe", "counts.txt", "--json", cwd=repo).stdout)
    assert record["run"] is not None
    described = lamingit("describe", "counts.txt", cwd=repo).stdout
    assert "transform: count.sh (script)" in described
    # A LAMINGIT_RUN that names no run of this repository is ignored, not an error.
    other = tmp_path / "other.txt"
    other.write_text("o\n")
    plain = lamingit(
        "save", str(other), "--key", "other.txt", "--json", cwd=repo,
        env_extra={"LAMINGIT_RUN": "NotARunOfThisRepo123"},
    )  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout)["run"] is None


def test_same_content_as_an_existing_artifact_says_it_was_not_attached(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (tmp_path / "a.txt").write_text("same\n")
    assert lamingit("save", str(tmp_path / "a.txt"), "--key", "a.txt", cwd=repo).returncode == 0
    uids = _track(repo, "copy.sh")
    again = lamingit(
        "save", str(tmp_path / "a.txt"), "--key", "b.txt", "--run", uids["run"], cwd=repo
    )
    assert again.returncode == 0, again.stderr
    assert "not attached to run" in again.stderr
    assert "in run" not in again.stdout
