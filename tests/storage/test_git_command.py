"""Every git subprocess runs with one environment policy (lamingit/storage/git/command.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lamingit.errors import LamingitError, RemoteError
from lamingit.remote import gitcli
from lamingit.storage.git.bulk import cat_blobs
from lamingit.storage.git.command import REDIRECTING_ENV, git_env, git_executable, run_git
from lamingit.storage.git.store import GitStore

AUTHOR = ("ann", "ann@example.org")


def test_the_environment_never_redirects_git_nor_prompts(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in REDIRECTING_ENV:
        monkeypatch.setenv(var, "/elsewhere")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "1")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "0")
    env = git_env()
    assert not [v for v in REDIRECTING_ENV if v in env]
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_CONFIG_COUNT"] == "0"  # configuration passed by env is kept


def test_a_hooks_git_dir_does_not_redirect_reads_or_transport(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a git hook GIT_DIR names the hook's repository: lamingit's git calls ignore it."""
    git = GitStore.init(tmp_path / "a" / ".git")
    commit = git.write_commit(None, {"r/x.json": b"{}"}, "one", AUTHOR)
    assert git.set_branch(commit, expected=None)
    other = tmp_path / "other.git"
    gitcli.init_bare_remote(other)
    monkeypatch.setenv("GIT_DIR", str(other))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(other / "objects"))
    blob = git.tree_of(commit)["r/x.json"].id  # type: ignore[index]
    assert cat_blobs(git.path, [str(blob)]) == [b"{}"]
    assert gitcli.rev_parse(git.path, "refs/heads/main") == commit
    assert gitcli.rev_parse(other, "refs/heads/main") is None


def test_plumbing_runs_no_hook(tmp_path: Path) -> None:
    git = GitStore.init(tmp_path / ".git")
    hook = git.path / "hooks" / "reference-transaction"
    hook.parent.mkdir(exist_ok=True)
    marker = tmp_path / "hook-ran"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    commit = git.write_commit(None, {"a": b"1"}, "one", AUTHOR)
    done = run_git(["update-ref", "refs/heads/x", commit], gitdir=git.path, plumbing=True)
    assert done.returncode == 0 and not marker.exists()
    run_git(["update-ref", "refs/heads/y", commit], gitdir=git.path)
    assert marker.exists()  # transport-style calls keep the repository's hooks


def test_without_git_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(LamingitError, match="install git"):
        git_executable()
    with pytest.raises(RemoteError, match="install git to use remotes"):
        gitcli.run_git(["--version"])
    git = GitStore.init(tmp_path / ".git")
    with pytest.raises(LamingitError, match="install git to pack"):
        git.repack()
    assert os.environ["PATH"] == str(empty)
