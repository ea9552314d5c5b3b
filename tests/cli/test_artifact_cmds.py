"""The command line, run as a real subprocess: output, --json and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.cli_process import lamingit


def test_init_save_ls_describe_load(tmp_path: Path) -> None:
    assert lamingit("init", "repo", cwd=tmp_path).returncode == 0
    repo = tmp_path / "repo"
    (tmp_path / "r1.fastq").write_text("@r\nACGT\n+\nIIII\n")
    saved = lamingit(
        "save", str(tmp_path / "r1.fastq"), "--key", "raw/r1.fastq", "--json", cwd=repo
    )
    assert saved.returncode == 0, saved.stderr
    record = json.loads(saved.stdout)
    assert record["key"] == "raw/r1.fastq" and record["version"] == "1"
    listed = lamingit("ls", "--json", cwd=repo)
    assert [a["uid"] for a in json.loads(listed.stdout)] == [record["uid"]]
    table = lamingit("ls", cwd=repo)
    assert "raw/r1.fastq" in table.stdout and "clitester" in table.stdout
    described = lamingit("describe", "raw/r1.fastq", cwd=repo)
    assert described.stdout.startswith("Artifact: raw/r1.fastq (1)")
    loaded = lamingit("load", "raw/r1.fastq", "--to", str(tmp_path / "out.fastq"), cwd=repo)
    assert loaded.returncode == 0
    assert (tmp_path / "out.fastq").read_text() == "@r\nACGT\n+\nIIII\n"
    status = json.loads(lamingit("status", "--json", cwd=repo).stdout)
    assert status["records"]["artifact"] == 1 and status["user"] == "clitester"


def test_user_errors_exit_1_with_one_line(tmp_path: Path) -> None:
    lamingit("init", "repo", cwd=tmp_path)
    repo = tmp_path / "repo"
    missing = lamingit("save", "nothere.txt", "--key", "a.txt", cwd=repo)
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "does not exist" in missing.stderr
    (tmp_path / "a.txt").write_text("a")
    bad = lamingit("save", str(tmp_path / "a.txt"), "--key", "../a.txt", cwd=repo)
    assert bad.returncode == 1 and "segment" in bad.stderr
    unknown = lamingit("describe", "nope.txt", cwd=repo)
    assert unknown.returncode == 1 and "lamingit ls" in unknown.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert lamingit("frobnicate", cwd=tmp_path).returncode == 2
    assert lamingit("save", cwd=tmp_path).returncode == 2


def test_no_repository(tmp_path: Path) -> None:
    out = lamingit("ls", cwd=tmp_path, env_extra={"XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    assert out.returncode == 1 and "lamingit init" in out.stderr


def test_delete_and_restore(tmp_path: Path) -> None:
    lamingit("init", "repo", cwd=tmp_path)
    repo = tmp_path / "repo"
    (tmp_path / "a.txt").write_text("a")
    lamingit("save", str(tmp_path / "a.txt"), "--key", "a.txt", cwd=repo)
    assert lamingit("delete", "a.txt", cwd=repo).returncode == 0
    assert json.loads(lamingit("ls", "--json", cwd=repo).stdout) == []
    assert len(json.loads(lamingit("ls", "--trash", "--json", cwd=repo).stdout)) == 1
    assert lamingit("restore", "a.txt", cwd=repo).returncode == 0
    assert len(json.loads(lamingit("ls", "--json", cwd=repo).stdout)) == 1


def test_every_command_has_help(tmp_path: Path) -> None:
    from lamingit.cli.main import COMMANDS

    top = lamingit("--help", cwd=tmp_path)
    assert top.returncode == 0
    for name in COMMANDS:
        assert lamingit(name, "--help", cwd=tmp_path).returncode == 0, name
