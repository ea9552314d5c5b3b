"""Crafted commits arriving by pull or clone are refused whole and leave nothing behind."""
# ruff: noqa: F811  (the remote fixtures are imported below and used as parameters)

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import lamingit as ln
from lamingit.errors import IncomingRejected, IntegrityError, ValidationError
from lamingit.layout import record_path
from lamingit.models import encode
from lamingit.models.codec import MAX_DEPTH, bounds_problem, json_depth
from lamingit.records import replace
from lamingit.remote import gitcli
from lamingit.remote.sync import clone, fetch, pull, push
from lamingit.remote.verify import path_problem, settings_problem
from lamingit.repo import Repository
from lamingit.session import SESSION
from tests.remote.conftest import bare_remote, blob_dir, origin, save_text  # noqa: F401

AUTHOR = ("testuser1", "testuser1@lamingit.local")
DEEP = 100_000
CLI = Callable[..., subprocess.CompletedProcess[str]]


def _git(
    gitdir: Path, *args: str, data: bytes | None = None, env: dict[str, str] | None = None
) -> str:
    proc = subprocess.run(
        ["git", "--git-dir", str(gitdir), *args],
        input=data,
        capture_output=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return proc.stdout.decode().strip()


def craft(gitdir: Path, files: dict[str, bytes | tuple[str, bytes]], branch: str = "main") -> str:
    """One commit on ``branch`` of ``gitdir`` writing ``files`` (path → bytes or (mode, bytes)),
    made with git plumbing only, as an attacker would."""
    env = {
        "GIT_INDEX_FILE": str(gitdir.parent / f"{gitdir.name}.crafted-index"),
        "GIT_AUTHOR_NAME": "mallory",
        "GIT_AUTHOR_EMAIL": "m@x",
        "GIT_COMMITTER_NAME": "mallory",
        "GIT_COMMITTER_EMAIL": "m@x",
    }
    _git(gitdir, "read-tree", branch, env=env)
    for path, value in files.items():
        mode, data = value if isinstance(value, tuple) else ("100644", value)
        oid = _git(gitdir, "hash-object", "-w", "--stdin", data=data)
        _git(gitdir, "update-index", "--add", "--cacheinfo", f"{mode},{oid},{path}", env=env)
    tree = _git(gitdir, "write-tree", env=env)
    commit = _git(gitdir, "commit-tree", tree, "-p", branch, "-m", "crafted", env=env)
    _git(gitdir, "update-ref", f"refs/heads/{branch}", commit)
    Path(env["GIT_INDEX_FILE"]).unlink()
    return commit


def _record(uid: str, **fields: object) -> bytes:
    return json.dumps({"uid": uid, "created_at": "t", "created_by": "u", **fields}).encode()


def _deep_record(uid: str) -> bytes:
    head = json.dumps({"uid": uid, "created_at": "t", "created_by": "u"})[:-1]
    return f'{head}, "features": {{"x": {"[" * DEEP}{"]" * DEEP}}}}}'.encode()


UID = "ZzCrafted00000000000"
CASES: dict[str, tuple[dict[str, bytes | tuple[str, bytes]], str]] = {
    "deep record": ({record_path("artifact", UID): _deep_record(UID)}, "levels deep"),
    "schema": (
        {record_path("artifact", UID): _record(UID, size="big")},
        "does not match its schema",
    ),
    "symlinked toml": ({"lamingit.toml": ("120000", b"/etc/passwd")}, "symbolic link"),
    "unparsable toml": ({"lamingit.toml": b"[blobs\nremote = "}, "does not parse"),
    "outside records": ({"hooks/post-merge": b"#!/bin/sh\n"}, "is outside records/"),
    "oversized": (
        {record_path("artifact", UID): _record(UID, description="x" * (2 << 20))},
        "bytes (at most 1048576)",
    ),
    "uid mismatch": (
        {record_path("artifact", UID): _record("ZzOther0000000000000")},
        "does not match its path",
    ),
    "unsafe key": (
        {record_path("artifact", UID): _record(UID, key="../../x.txt")},
        "safe relative",
    ),
}


def _state(root: Path) -> tuple[str, str, str, bytes]:
    """Every ref, the records at the head, the reflog of the tracking ref, FETCH_HEAD."""
    gitdir = root / ".git"
    refs = _git(gitdir, "for-each-ref", "--format=%(objectname) %(refname)")
    tree = _git(gitdir, "ls-tree", "-r", "HEAD")
    logs = _git(gitdir, "reflog", "show", "--format=%H %gs", "refs/remotes/origin/main")
    return refs, tree, logs, (gitdir / "FETCH_HEAD").read_bytes()


@pytest.fixture
def two(origin: Path, bare_remote: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Alice's repository pushed to the bare remote, and Bob's clone of it."""
    save_text("shared.txt", "shared content")
    push(SESSION.repository())
    bob = tmp_path / "bob"
    clone(str(bare_remote), bob)
    return origin, bob


@pytest.mark.parametrize("case", sorted(CASES))
def test_crafted_commit_is_refused_by_pull_and_clone(
    case: str,
    two: tuple[Path, Path],
    bare_remote: Path,
    tmp_path: Path,
    cli: CLI,
) -> None:
    _alice, bob = two
    files, reason = CASES[case]
    before = _state(bob)
    commit = craft(bare_remote, files)
    done = cli("pull", cwd=bob)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: pull from origin refused"), lines
    assert commit[:12] in lines[0] and reason in lines[0], lines[0]
    assert _state(bob) == before
    assert "Traceback" not in done.stderr
    # the same commit refused by clone: the directory it made is gone
    target = tmp_path / "carol"
    done = cli("clone", str(bare_remote), str(target))
    assert done.returncode == 1 and commit[:12] in done.stderr and reason in done.stderr
    assert not target.exists()
    # into an empty directory that existed before: the directory stays, empty
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(IncomingRejected, match=commit[:12]):
        clone(str(bare_remote), empty)
    assert empty.is_dir() and not any(empty.iterdir())


def test_refused_pull_through_the_api_and_a_later_good_commit(
    two: tuple[Path, Path],
    bare_remote: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _alice, bob = two
    repo = Repository(bob)
    craft(bare_remote, CASES["schema"][0])
    before = _state(bob)
    with pytest.raises(IncomingRejected, match="does not match its schema"):
        pull(repo, AUTHOR)
    assert _state(bob) == before
    with pytest.raises(IncomingRejected, match="^fetch from origin refused"):
        fetch(repo)
    assert _state(bob) == before
    assert gitcli.refs_under(repo.paths.gitdir, "refs/lamingit") == {}
    # the bad commit stays in the remote's history: every later pull is refused too
    craft(bare_remote, {"records/artifact/Zz/C/x.json": b"{}"})
    with pytest.raises(IncomingRejected):
        pull(repo, AUTHOR)
    assert _state(bob) == before


def test_good_commits_still_arrive(two: tuple[Path, Path], bare_remote: Path) -> None:
    alice, bob = two
    save_text("second.txt", "more")
    push(SESSION.repository())
    repo = Repository(bob)
    fetch_head = (repo.paths.gitdir / "FETCH_HEAD").read_bytes()  # written by the clone
    assert pull(repo, AUTHOR).kind == "fast-forward"
    assert repo.git.head() == Repository(alice).git.head()
    assert gitcli.refs_under(repo.paths.gitdir, "refs/lamingit") == {}
    assert (repo.paths.gitdir / "FETCH_HEAD").read_bytes() == fetch_head


def test_bounds_are_checked_before_decoding() -> None:
    assert json_depth(b'{"a": ["]]]", [1]]}') == 3
    assert json_depth(b'"[[[[\\"[[["') == 0
    assert bounds_problem(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)) is not None
    assert bounds_problem(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is None
    assert bounds_problem(b'["' + b"[" * 200 + b'"]') is None
    with pytest.raises(IntegrityError, match="levels deep"):
        ln.models.decode("artifact", _deep_record(UID))  # type: ignore[attr-defined]


def test_a_save_cannot_write_what_a_pull_refuses(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    artifact = ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    nested: object = 1
    for _ in range(MAX_DEPTH):
        nested = [nested]
    with pytest.raises(ValidationError, match="levels deep"):
        encode(replace(artifact._record, features={"x": nested}))
    with pytest.raises(ValidationError, match="at most 1048576"):
        encode(replace(artifact._record, description="x" * (1 << 20)))


def test_path_and_settings_rules() -> None:
    assert path_problem("lookup/ab/cd/" + "e" * 40, b'["Abc"]') is None
    assert "not a uid" in (path_problem("lookup/ab/cd/" + "e" * 40, b'["../x"]') or "")
    assert "lookup entry path" in (path_problem("lookup/x", b"[]") or "")
    assert path_problem("conflicts/artifact/Abc.json", b"[]") is None
    assert "conflict list path" in (path_problem("conflicts/x/y/z.json", b"[]") or "")
    assert "a record of a known registry" in (path_problem("records/evil/A/b/Ab.json", b"{}") or "")
    assert settings_problem(b'[team]\nname = "lab"\n') is None
    assert "unknown field blobs.hook" in (settings_problem(b'[blobs]\nhook = "x"\n') or "")
    assert "not a [section]" in (settings_problem(b'x = "y"\n') or "")
    assert "format version" in (settings_problem(b'[repository]\nformat_version = "99"\n') or "")


def _commit_bad_records(store: Repository) -> dict[str, str]:
    """Commit two damaged records straight into the local branch; return path → registry."""
    deep = record_path("artifact", UID)
    other = "ZzSchema000000000000"
    schema = record_path("artifact", other)
    files: dict[str, bytes | None] = {deep: _deep_record(UID), schema: _record(other, size="x")}
    store.git.set_branch(store.git.write_commit(store.git.head(), files, "bad", AUTHOR))
    return {deep: "levels deep", schema: "does not match its schema"}


def test_readers_skip_a_damaged_committed_record(
    repo: Path,
    write,  # type: ignore[no-untyped-def]
    cli: CLI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = ln.Artifact(write("a.txt", "hello"), key="a.txt", description="fine").save()
    store = SESSION.repository()
    bad = _commit_bad_records(store)
    # the index is built anew from git (the on-disk one is dropped), then queried
    store.index.forget()
    for path in store.paths.index.iterdir():
        if path.is_file():
            path.unlink()
    with caplog.at_level("WARNING", logger="lamingit"):
        assert [a.uid for a in ln.Artifact.filter().to_list()] == [good.uid]
        assert ln.Artifact.filter(description="fine").count() == 1
    assert all(any(p in m for m in caplog.messages) for p in bad)
    assert ln.Artifact.get(key="a.txt").load() == "hello"
    listed = cli("ls", cwd=repo)
    assert listed.returncode == 0, listed.stderr
    assert "a.txt" in listed.stdout and "Traceback" not in listed.stderr
    assert cli("load", "a.txt", cwd=repo).returncode == 0
    described = cli("describe", "a.txt", cwd=repo)
    assert described.returncode == 0 and "a.txt" in described.stdout, described.stderr
    # reading the damaged record itself is a clear one-line IntegrityError, not a crash
    with pytest.raises(IntegrityError, match="levels deep"):
        ln.Artifact.get(UID)


def test_fsck_lists_every_problem(repo: Path, write, cli: CLI) -> None:  # type: ignore[no-untyped-def]
    ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    bad = _commit_bad_records(SESSION.repository())
    done = cli("fsck", "--json", "--local-only", cwd=repo)
    assert done.returncode == 1, done.stderr
    problems = json.loads(done.stdout)["problems"]
    for path, reason in bad.items():
        uid = path.rsplit("/", 1)[-1].removesuffix(".json")
        assert any(p["where"] == f"artifact/{uid}" and reason in p["message"] for p in problems)
    text = cli("fsck", "--local-only", cwd=repo)
    assert text.returncode == 1 and "2 problem(s)" in text.stdout, text.stdout


def test_fetch_blobs_skips_a_damaged_record(origin: Path, cli: CLI) -> None:
    save_text("b.txt", "blob bytes")
    store = SESSION.repository()
    push(store)
    oid = ln.Artifact.get(key="b.txt").hash
    store.blobs.path_for(oid).unlink()
    _commit_bad_records(store)
    done = cli("fetch", "--blobs", cwd=origin)
    assert done.returncode == 0, done.stderr
    assert "skipping the damaged record" in done.stderr
    assert store.blobs.has(oid)
