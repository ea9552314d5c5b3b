"""The pygit2 record database: commits without an index, diffs that skip equal subtrees."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pygit2
import pytest

from lamingit.errors import IntegrityError, InvalidArgument
from lamingit.storage.git import bulk
from lamingit.storage.git.bulk import iter_blobs, read_blobs, read_blobs_cli
from lamingit.storage.git.store import GitStore

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


def test_set_branch_compares_and_swaps_and_writes_reflogs(tmp_path: Path) -> None:
    git = GitStore.init(tmp_path / ".git")
    git.config_set("core.logAllRefUpdates", "true")
    c1 = git.write_commit(None, {"x": b"1"}, "one", AUTHOR)
    assert git.set_branch(c1, expected=None, who=AUTHOR, message="save one\nbody")
    c2 = git.write_commit(c1, {"x": b"2"}, "two", AUTHOR)
    c3 = git.write_commit(c1, {"x": b"3"}, "three", AUTHOR)
    assert git.set_branch(c2, expected=c1, who=AUTHOR, message="save two")
    # Built on c1 while the branch moved to c2: refused, branch and lock untouched.
    assert not git.set_branch(c3, expected=c1, who=AUTHOR, message="save three")
    assert git.head() == c2
    assert not (tmp_path / ".git" / "refs" / "heads" / "main.lock").exists()
    reflog = subprocess.run(
        ["git", "reflog", "--format=%H %gs"], cwd=tmp_path, capture_output=True, text=True
    ).stdout.splitlines()
    assert reflog == [f"{c2} save two", f"{c1} save one"]
    for log in ("HEAD", "refs/heads/main"):
        first, second = (tmp_path / ".git" / "logs" / log).read_text().splitlines()
        assert first.startswith(f"{'0' * 40} {c1} Ann <ann@example.org> ")
        assert second.startswith(f"{c1} {c2} Ann <ann@example.org> ")
    fsck = subprocess.run(["git", "fsck", "--strict"], cwd=tmp_path, capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr


def test_set_branch_waits_for_a_git_process_holding_the_ref(tmp_path: Path) -> None:
    git = GitStore.init(tmp_path / ".git")
    c1 = git.write_commit(None, {"x": b"1"}, "one", AUTHOR)
    lock = tmp_path / ".git" / "refs" / "heads" / "main.lock"
    lock.write_text("held by git\n")
    release = threading.Timer(0.3, lock.unlink)
    release.start()
    assert git.set_branch(c1, expected=None)
    release.join()
    assert git.head() == c1


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


def _nested(tmp_path: Path) -> tuple[GitStore, str]:
    git = GitStore.init(tmp_path / ".git")
    files = {
        f"records/r/{c}/{d}/{c}{d}{i}.json": f"{c}{d}{i}".encode()
        for c in "aB"
        for d in "xY9"
        for i in range(3)
    }
    files["records/s/q.json"] = b"other registry"
    files["records/r/empty.json"] = b""
    files["lamingit.toml"] = b"top"
    commit = git.write_commit(None, files, "one", AUTHOR)
    git.set_branch(commit)
    return git, commit


def test_read_blobs_matches_walk_blobs(tmp_path: Path) -> None:
    git, commit = _nested(tmp_path)
    tree = git.tree_of(commit)
    for path in ("records", "records/r", "records/r/B/Y"):
        bulk = read_blobs(git, commit, path)
        assert sorted(bulk) == sorted(git.walk_blobs(tree, path))
        assert all(p.startswith(path + "/") for p, _ in bulk)
    assert len(read_blobs(git, commit, "records")) == 20
    # the bulk path itself answered (no silent fallback to pygit2)
    sub = git.subtree_id(tree, "records")
    assert sub is not None and read_blobs_cli(git.path, sub, "records") is not None
    assert read_blobs(git, commit, "records/none") == []


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
def test_streamed_chunks_are_the_blobs_read_in_one_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """Chunks of 3 blobs, git's output read a few bytes at a time: the same blobs, in order."""
    git, commit = _nested(tmp_path)
    expected = read_blobs(git, commit, "records")
    monkeypatch.setattr(bulk, "READ_BLOCK", block)
    told: list[int] = []
    chunks = list(iter_blobs(git, commit, "records", 3, told.append))
    assert [len(c) for c in chunks] == [3] * 6 + [2]
    assert [item for c in chunks for item in c] == expected
    assert told == [20]
    assert list(iter_blobs(git, commit, "records/none", 3)) == []


def test_read_blobs_without_git_reads_through_pygit2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git, commit = _nested(tmp_path)
    expected = read_blobs(git, commit, "records")
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert sorted(read_blobs(git, commit, "records")) == sorted(expected)


def test_read_blobs_refuses_unsafe_names_and_missing_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git, commit = _nested(tmp_path)
    raw = pygit2.Repository(str(git.path))
    blob = raw.create_blob(b"{}")
    bad_tree = raw.odb.write(pygit2.GIT_OBJECT_TREE, b"100644 ..\0" + blob.raw)
    records = raw.TreeBuilder(raw[commit].peel(pygit2.Tree)["records"])
    records.insert("e", bad_tree, pygit2.GIT_FILEMODE_TREE)
    root = raw.TreeBuilder(raw[commit].peel(pygit2.Tree))
    root.insert("records", records.write(), pygit2.GIT_FILEMODE_TREE)
    sig = pygit2.Signature("eve", "eve@x")
    evil = str(raw.create_commit(None, sig, sig, "evil", root.write(), [raw[commit].id]))
    with pytest.raises(IntegrityError, match="not a safe"):
        read_blobs(git, evil, "records")
    # a blob whose object is missing: the bulk read hands over to pygit2, which names the path
    gone = raw.odb.write(pygit2.GIT_OBJECT_TREE, b"100644 gone.json\0" + bytes(range(20)))
    records = raw.TreeBuilder(raw[commit].peel(pygit2.Tree)["records"])
    records.insert("g", gone, pygit2.GIT_FILEMODE_TREE)
    root = raw.TreeBuilder(raw[commit].peel(pygit2.Tree))
    root.insert("records", records.write(), pygit2.GIT_FILEMODE_TREE)
    broken = str(raw.create_commit(None, sig, sig, "broken", root.write(), [raw[commit].id]))
    with pytest.raises(IntegrityError, match="records/g/gone.json"):
        read_blobs(git, broken, "records")
    # streamed, git's output read a few bytes at a time: the chunks before the missing
    # object arrive from git, then pygit2 names the path (repeating none of them)
    monkeypatch.setattr(bulk, "READ_BLOCK", 7)
    given = []
    with pytest.raises(IntegrityError, match="records/g/gone.json"):
        for chunk in iter_blobs(git, broken, "records", 2):
            given += chunk
    assert given and len({p for p, _ in given}) == len(given)


def test_recent_commits_objects_are_read_from_memory_and_evicted(
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from lamingit.storage.git import backends

    monkeypatch.setattr(backends, "RECENT_COMMITS", 2)
    git = GitStore.init(tmp_path / ".git")
    commits: list[str | None] = [None]
    for i in range(4):
        commits.append(git.write_commit(commits[-1], {f"r/{i}.json": b"%d" % i}, f"c{i}", AUTHOR))
        assert git.set_branch(commits[-1], expected=commits[-2])
    recent = git._recent.objects
    assert bytes.fromhex(commits[-1]) in recent and bytes.fromhex(commits[-2]) in recent
    assert bytes.fromhex(commits[1]) not in recent  # evicted: read from its pack
    tree = git.tree_of(commits[1])
    assert git.read(tree, "r/0.json") == b"0"
    assert git.read(git.tree_of(commits[-1]), "r/3.json") == b"3"


def test_log_first_parent_follows_the_branch_line_only(tmp_path: Path) -> None:
    git = GitStore.init(tmp_path / ".git")
    base = git.write_commit(None, {"x": b"0"}, "base", AUTHOR)
    ours = git.write_commit(base, {"x": b"1"}, "ours", AUTHOR)
    theirs = git.write_commit(base, {"y": b"1"}, "theirs", AUTHOR)
    merge = git.write_commit(ours, {"y": b"1"}, "merge", AUTHOR, extra_parents=(theirs,))
    git.set_branch(merge)
    assert [c.message for c in git.log()] == ["merge", "theirs", "ours", "base"] or [
        c.message for c in git.log()
    ] == ["merge", "ours", "theirs", "base"]
    assert [c.message for c in git.log(first_parent=True)] == ["merge", "ours", "base"]
    assert [c.message for c in git.log(merge, limit=2, first_parent=True)] == ["merge", "ours"]
