"""Plain git: the pre-push hook refuses records whose blobs are not uploaded; the merge driver."""

from __future__ import annotations

import subprocess
from pathlib import Path

import msgspec
import pytest

import lamingit as ln
from lamingit.remote import gitcli
from lamingit.remote.hooks import PRE_PUSH
from lamingit.remote.sync import push
from lamingit.session import SESSION
from lamingit.storage.git.merge_driver import ATTRIBUTES, DRIVER_COMMAND
from tests.remote.conftest import ROOT, save_text


def test_shipped_hook_scripts_match_the_installed_ones() -> None:
    assert (ROOT / "hooks" / "pre-push").read_text() == PRE_PUSH
    driver = (ROOT / "hooks" / "gitattributes").read_text().splitlines()
    assert [line for line in driver if line and not line.startswith("#")] == list(ATTRIBUTES)


def test_pre_push_hook_refuses_missing_blobs(
    origin: Path, bare_remote: Path, blob_dir: Path, lamingit_on_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    repo = SESSION.repository()
    installed = cli("hooks", "install", cwd=repo.root)
    assert installed.returncode == 0, installed.stderr
    assert (repo.paths.gitdir / "hooks" / "pre-push").stat().st_mode & 0o111
    art = save_text("needs-blob.txt", "bytes only here\n")
    before = gitcli.rev_parse(bare_remote, "refs/heads/main")
    plain = subprocess.run(
        ["git", "--git-dir", str(repo.paths.gitdir), "push", "origin", "main"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert plain.returncode != 0
    assert "lamingit push" in plain.stderr
    assert gitcli.rev_parse(bare_remote, "refs/heads/main") == before
    push(repo)  # uploads, then pushes (the hook is skipped; it would pass)
    # Metadata-only changes pass the hook for plain git push.
    art.description = "metadata only"
    art.save()
    plain = subprocess.run(
        ["git", "--git-dir", str(repo.paths.gitdir), "push", "origin", "main"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert plain.returncode == 0, plain.stderr
    assert gitcli.rev_parse(bare_remote, "refs/heads/main") == repo.git.head()


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def _checkout(bare: Path, dest: Path, user: str) -> Path:
    assert _git(bare.parent, "clone", "--quiet", str(bare), str(dest)).returncode == 0
    _git(dest, "config", "user.name", user)
    _git(dest, "config", "user.email", f"{user}@x")
    _git(dest, "config", "merge.lamingit.driver", DRIVER_COMMAND)
    (dest / ".git" / "info" / "attributes").write_text("\n".join(ATTRIBUTES) + "\n")
    return dest


def test_plain_git_pull_merges_records(
    origin: Path, bare_remote: Path, tmp_path: Path, lamingit_on_path: Path
) -> None:
    art = save_text("m.txt", "m\n")
    push(SESSION.repository())
    rel = next(p for p in _files(bare_remote) if p.endswith(f"{art.uid}.json"))
    one = _checkout(bare_remote, tmp_path / "one", "one")
    two = _checkout(bare_remote, tmp_path / "two", "two")

    def edit(repo: Path, **fields: object) -> None:
        path = repo / rel
        data = msgspec.json.decode(path.read_bytes())
        data.update(fields)
        path.write_bytes(msgspec.json.format(msgspec.json.encode(data), indent=1) + b"\n")
        assert _git(repo, "commit", "-qam", "edit").returncode == 0

    edit(one, description="from one", projects=["p1"])
    assert _git(one, "push", "-q", "origin", "main").returncode == 0
    edit(two, kind="dataset", projects=["p2"])
    pulled = _git(two, "pull", "--no-rebase", "-q", "origin", "main")
    assert pulled.returncode == 0, pulled.stderr
    merged = msgspec.json.decode((two / rel).read_bytes())
    assert (merged["description"], merged["kind"]) == ("from one", "dataset")
    assert merged["projects"] == ["p1", "p2"]
    # The same field changed two ways: git reports a conflict, ours stays readable.
    assert _git(two, "push", "-q", "origin", "main").returncode == 0
    assert _git(one, "pull", "--no-rebase", "-q", "origin", "main").returncode == 0
    edit(one, description="one again")
    assert _git(one, "push", "-q", "origin", "main").returncode == 0
    edit(two, description="two again")
    conflicted = _git(two, "pull", "--no-rebase", "-q", "origin", "main")
    assert conflicted.returncode != 0
    assert msgspec.json.decode((two / rel).read_bytes())["description"] == "two again"


def test_plain_git_pull_refuses_a_crafted_record_through_the_driver(
    origin: Path, bare_remote: Path, tmp_path: Path, lamingit_on_path: Path
) -> None:
    art = save_text("k.txt", "k\n")
    push(SESSION.repository())
    rel = next(p for p in _files(bare_remote) if p.endswith(f"{art.uid}.json"))
    one = _checkout(bare_remote, tmp_path / "one", "one")
    two = _checkout(bare_remote, tmp_path / "two", "two")
    for repo, fields in ((one, {"key": "../../escape.txt"}), (two, {"description": "two"})):
        data = msgspec.json.decode((repo / rel).read_bytes())
        data.update(fields)
        (repo / rel).write_bytes(msgspec.json.format(msgspec.json.encode(data), indent=1) + b"\n")
        assert _git(repo, "commit", "-qam", "edit").returncode == 0
    assert _git(one, "push", "-q", "origin", "main").returncode == 0
    pulled = _git(two, "pull", "--no-rebase", "-q", "origin", "main")
    assert pulled.returncode != 0
    assert "theirs refused" in pulled.stderr and "safe relative path" in pulled.stderr
    kept = msgspec.json.decode((two / rel).read_bytes())
    assert (kept["key"], kept["description"]) == ("k.txt", "two")


def _files(bare: Path) -> list[str]:
    out = _git(bare, "ls-tree", "-r", "--name-only", "main").stdout
    return out.splitlines()


@pytest.mark.parametrize(
    "args",
    [
        ["push", "--help"],
        ["pull", "--help"],
        ["clone", "--help"],
        ["fetch", "--help"],
        ["remote", "add", "--help"],
        ["hooks", "install", "--help"],
    ],
)
def test_help(args: list[str], cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.returncode == 0 and "Usage" in result.stdout


def test_usage_and_user_errors_exit_codes(repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("push", "nosuchremote", cwd=repo).returncode == 1
    assert "lamingit remote add" in cli("push", "nosuchremote", cwd=repo).stderr
    assert cli("clone", cwd=repo).returncode == 2
    assert ln is not None
