"""The pygit2 record database: commits without an index, diffs that skip equal subtrees."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lamingit.errors import InvalidArgument
from lamingit.storage.gitdb import GitStore

AUTHOR = ("Ann", "ann@example.org")


def test_commits_touch_only_changed_paths(tmp_path: Path) -> None:
    git = GitStore.init(tmp_path / ".git")
    c1 = git.write_commit(
        None, {"records/a/x/ax.json": b"1", "records/b/y/by.json": b"2"}, "one", AUTHOR
    )
    git.set_branch(c1)
    c2 = git.write_commit(c1, {"records/a/x/ax.json": b"3"}, "two", AUTHOR)
    git.set_branch(c2)
    t1, t2 = git.tree_of(c1), git.tree_of(c2)
    assert git.subtree_id(t1, "records/b") == git.subtree_id(t2, "records/b")
    assert list(git.diff_paths(t1, t2)) == [("records/a/x/ax.json", b"1", b"3")]
    assert git.read(t2, "records/b/y/by.json") == b"2"
    assert git.head() == c2
    assert git.resolve("HEAD~1") == c1
    log = subprocess.run(
        ["git", "log", "--format=%an %s"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert log == ["Ann two", "Ann one"]


def test_removing_last_entry_prunes_empty_trees(tmp_path: Path) -> None:
    git = GitStore.init(tmp_path / ".git")
    c1 = git.write_commit(None, {"a/b/c.json": b"1", "keep.toml": b"k"}, "one", AUTHOR)
    c2 = git.write_commit(c1, {"a/b/c.json": None}, "two", AUTHOR)
    assert git.list_dir(git.tree_of(c2), "") == [("keep.toml", False)]


def test_resolve_unknown_revision(tmp_path: Path) -> None:
    git = GitStore.init(tmp_path / ".git")
    git.set_branch(git.write_commit(None, {"x": b"1"}, "one", AUTHOR))
    with pytest.raises(InvalidArgument, match="lamingit log"):
        git.resolve("nope~9")
