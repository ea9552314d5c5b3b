"""lamingit clone / remote / push / pull / fetch as a user types them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import lamingit as ln
from lamingit.remote import gitcli


def test_remote_push_clone_fetch_pull_round_trip(
    repo: Path,
    tmp_path: Path,
    write,  # type: ignore[no-untyped-def]
    cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bare = tmp_path / "lab.git"
    gitcli.init_bare_remote(bare)
    blobs = tmp_path / "lab-blobs"
    blobs.mkdir()
    ln.Artifact(write("a.txt", "alpha\n"), key="a.txt").save()
    added = cli("remote", "add", "origin", str(bare), "--blobs", str(blobs), cwd=repo)
    assert added.returncode == 0, added.stderr
    listed = json.loads(cli("remote", "list", "--json", cwd=repo).stdout)
    assert listed["remotes"] == {"origin": str(bare)} and listed["blobs"] == str(blobs)
    pushed = json.loads(cli("push", "--json", cwd=repo).stdout)
    assert pushed["blobs_uploaded"] == 1 and not pushed["up_to_date"]
    assert json.loads(cli("push", "--json", cwd=repo).stdout)["up_to_date"]

    cloned = cli("clone", f"file://{bare}", str(tmp_path / "copy"), "--json")
    assert cloned.returncode == 0, cloned.stderr
    info = json.loads(cloned.stdout)
    assert info["blob_remote"] == str(blobs)
    copy = Path(info["path"])
    fetched = json.loads(cli("fetch", "--blobs", "a.txt", "--json", cwd=copy).stdout)
    assert fetched == {"blobs_fetched": 1}
    assert cli("fetch", "--blobs", "missing.txt", cwd=copy).returncode == 1

    # Alice saves more; Bob fetches (branch unchanged) and pulls (fast-forward).
    ln.Artifact(write("b.txt", "beta\n"), key="b.txt").save()
    assert cli("push", "-q", cwd=repo).returncode == 0
    head_before = gitcli.rev_parse(copy / ".git", "refs/heads/main")
    fetched = json.loads(cli("fetch", "--json", cwd=copy).stdout)
    assert fetched["remote_head"] != head_before
    assert gitcli.rev_parse(copy / ".git", "refs/heads/main") == head_before
    pulled = json.loads(cli("pull", "--json", cwd=copy).stdout)
    assert pulled["kind"] == "fast-forward" and pulled["conflicts"] == []
    assert "already up to date" in cli("pull", cwd=copy).stdout


def test_clone_errors(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    missing = cli("clone", str(tmp_path / "nope.git"), str(tmp_path / "x"))
    assert missing.returncode == 1 and missing.stderr.startswith("error: git clone failed")
    assert not (tmp_path / "x").exists()
    assert cli("remote", "frobnicate").returncode == 2


def test_fetch_blobs_without_blob_remote(repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("fetch", "--blobs", cwd=repo)
    assert out.returncode == 1 and "set-blobs" in out.stderr


def test_pull_json_lists_conflicts(
    repo: Path,
    tmp_path: Path,
    write,
    cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bare = tmp_path / "lab.git"
    gitcli.init_bare_remote(bare)
    (tmp_path / "blobs").mkdir()
    art = ln.Artifact(write("a.txt", "alpha\n"), key="a.txt", description="start").save()
    assert (
        cli(
            "remote", "add", "origin", str(bare), "--blobs", str(tmp_path / "blobs"), cwd=repo
        ).returncode
        == 0
    )
    assert cli("push", "-q", cwd=repo).returncode == 0
    copy = tmp_path / "copy"
    assert cli("clone", str(bare), str(copy)).returncode == 0
    monkeypatch.setenv("LAMINGIT_USER", "bob")
    ln.connect(copy)
    theirs = ln.Artifact.get(key="a.txt")
    theirs.description = "bob"
    theirs.save()
    assert cli("push", "-q", cwd=copy).returncode == 0
    monkeypatch.setenv("LAMINGIT_USER", "testuser1")
    ln.connect(repo)
    art.description = "alice"
    art.save()
    out = cli("pull", "--json", cwd=repo)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["kind"] == "merge"
    assert data["conflicts"] == [
        {
            "registry": "artifact",
            "uid": art.uid,
            "field": "description",
            "base": "start",
            "ours": "alice",
            "theirs": "bob",
            "message": f"artifact {art.uid}: description changed both ways: kept 'alice', "
            "theirs 'bob' (was 'start')",
        }
    ]


def test_quick_start_with_plain_git_init_bare(
    repo: Path,
    tmp_path: Path,
    write,  # type: ignore[no-untyped-def]
    cli,
) -> None:
    """The docs' quick start: `git init --bare` (HEAD → unborn master) and a new blob directory."""
    bare = tmp_path / "lab.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    ln.Artifact(write("a.txt", "alpha\n"), key="a.txt").save()
    blobs = tmp_path / "lab-blobs"
    assert (
        cli("remote", "add", "origin", str(bare), "--blobs", str(blobs), cwd=repo).returncode == 0
    )
    assert blobs.is_dir()
    pushed = cli("push", cwd=repo)
    assert pushed.returncode == 0, pushed.stderr
    cloned = cli("clone", str(bare), str(tmp_path / "bob"), cwd=tmp_path)
    assert cloned.returncode == 0, cloned.stderr
    listed = json.loads(cli("ls", "--json", cwd=tmp_path / "bob").stdout)
    assert [a["key"] for a in listed] == ["a.txt"]
    assert cli("load", "a.txt", cwd=tmp_path / "bob").returncode == 0


def test_missing_mount_is_not_created(repo: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "not-mounted" / "blobs"
    cli("remote", "set-blobs", str(target), cwd=repo)
    assert not target.exists()


def test_remote_add_refuses_an_existing_name_unless_forced(repo: Path, tmp_path: Path, cli) -> None:
    first, second = tmp_path / "first.git", tmp_path / "second.git"
    gitcli.init_bare_remote(first)
    gitcli.init_bare_remote(second)
    assert cli("remote", "add", "origin", str(first), cwd=repo).returncode == 0
    again = cli("remote", "add", "origin", str(second), cwd=repo)
    assert again.returncode == 1
    assert again.stderr.startswith("error: remote 'origin' already exists")
    assert "--force" in again.stderr and again.stderr.count("\n") == 1
    assert gitcli.remotes(repo / ".git")["origin"] == str(first)
    forced = cli("remote", "add", "origin", str(second), "--force", cwd=repo)
    assert forced.returncode == 0, forced.stderr
    assert gitcli.remotes(repo / ".git")["origin"] == str(second)


def test_relative_blobs_are_committed_as_given(repo: Path, tmp_path: Path, cli, write) -> None:
    bare = tmp_path / "lab.git"
    gitcli.init_bare_remote(bare)
    ln.Artifact(write("a.txt", "alpha\n"), key="a.txt").save()
    added = cli("remote", "add", "origin", str(bare), "--blobs", "../shared-blobs", cwd=repo)
    assert added.returncode == 0, added.stderr
    assert "blobs -> ../shared-blobs" in added.stdout
    committed = subprocess.run(
        ["git", "-C", str(repo), "show", "HEAD:lamingit.toml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert 'remote = "../shared-blobs"' in committed and str(tmp_path) not in committed
    assert json.loads(cli("push", "--json", cwd=repo).stdout)["blobs_uploaded"] == 1
    assert any((tmp_path / "shared-blobs").rglob("*"))  # resolved against the repository
    # a clone beside the repository reads the same shared directory
    cloned = cli("clone", str(bare), str(tmp_path / "beside"), "--json")
    assert cloned.returncode == 0, cloned.stderr
    loaded = cli("load", "a.txt", cwd=tmp_path / "beside")
    assert loaded.returncode == 0, loaded.stderr
    assert Path(loaded.stdout.strip()).read_text() == "alpha\n"
