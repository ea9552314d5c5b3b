"""clone, push, pull, fetch against real bare repositories and directory blob remotes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import lamingit as ln
from lamingit.errors import IntegrityError, RemoteError, RepositoryExists
from lamingit.remote import gitcli
from lamingit.remote.sync import clone, fetch_blobs, pull, push, set_blob_remote
from lamingit.session import SESSION
from tests.remote.conftest import save_text, use

AUTHOR = ("testuser1", "testuser1@lamingit.local")


def _remote_head(bare: Path) -> str | None:
    return gitcli.rev_parse(bare, "refs/heads/main")


def test_clone_fetches_blobs_on_demand_and_verifies(
    origin: Path, bare_remote: Path, blob_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    art = save_text("a.txt", "hello world\n", description="greeting")
    result = push(SESSION.repository())
    assert result.blobs_uploaded == 1
    assert _remote_head(bare_remote) == SESSION.repository().git.head()

    copy = clone(f"file://{bare_remote}", tmp_path / "copy")
    assert not copy.blobs.has(art.hash)  # nothing fetched up front
    use(copy.root, "testuser2", monkeypatch)
    loaded = ln.Artifact.get(key="a.txt")
    assert loaded.description == "greeting"
    assert loaded.load() == "hello world\n"
    assert copy.blobs.has(art.hash)
    # The merge driver is configured in every clone.
    attrs = (copy.paths.gitdir / "info" / "attributes").read_text()
    assert "records/** merge=lamingit" in attrs


def test_corrupt_remote_blob_is_rejected_and_not_kept(
    origin: Path, bare_remote: Path, blob_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    art = save_text("b.txt", "precious bytes\n")
    push(SESSION.repository())
    stored = blob_dir / art.hash[:2] / art.hash[2:4] / art.hash
    os.chmod(stored, 0o644)
    stored.write_text("tampered bytes\n")
    copy = clone(str(bare_remote), tmp_path / "copy")
    use(copy.root, "testuser2", monkeypatch)
    with pytest.raises(IntegrityError, match="do not match"):
        ln.Artifact.get(key="b.txt").load()
    assert not copy.blobs.has(art.hash)
    assert not any((copy.paths.objects / "tmp").iterdir())


def test_lost_blob_remote_gives_clear_error(
    origin: Path, bare_remote: Path, blob_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_text("c.txt", "c\n")
    push(SESSION.repository())
    copy = clone(str(bare_remote), tmp_path / "copy")
    blob_dir.rename(tmp_path / "moved-away")
    use(copy.root, "testuser2", monkeypatch)
    with pytest.raises(RemoteError, match="not reachable"):
        ln.Artifact.get(key="c.txt").cache()
    # A push to a lost blob remote stops before the metadata.
    save_text("d.txt", "d\n")
    before = _remote_head(bare_remote)
    with pytest.raises(RemoteError, match="not reachable"):
        push(copy)
    assert _remote_head(bare_remote) == before


def test_interrupted_push_is_resumed(origin: Path, bare_remote: Path, blob_dir: Path) -> None:
    arts = ln.save(
        [ln.Artifact(_file(f"f{i}.txt", f"content {i}\n"), key=f"f{i}.txt") for i in range(6)]
    )
    repo = SESSION.repository()
    # Simulate a failure half way: one local blob is unavailable while pushing.
    victim = arts[3].hash
    blob = repo.blobs.path_for(victim)
    hidden = blob.with_name("hidden")
    blob.rename(hidden)
    before = _remote_head(bare_remote)
    with pytest.raises(RemoteError, match="neither here nor"):
        push(repo)
    assert _remote_head(bare_remote) == before  # no record points at a missing blob
    blob_uploads = {p.name for p in blob_dir.rglob("*") if p.is_file()}
    hidden.rename(blob)
    result = push(repo)
    assert result.blobs_uploaded == 6 - len(blob_uploads & {a.hash for a in arts})
    assert _remote_head(bare_remote) == repo.git.head()
    on_remote = {p.name for p in blob_dir.rglob("*") if p.is_file()}
    assert {a.hash for a in arts} <= on_remote


def test_killed_push_subprocess_then_push_again(
    origin: Path, bare_remote: Path, blob_dir: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    import signal
    import subprocess
    import sys
    import time

    from tests.remote.conftest import ROOT

    ln.save(
        [ln.Artifact(_file(f"k{i}.txt", f"k {i}\n" * 20000), key=f"k{i}.txt") for i in range(40)]
    )
    repo = SESSION.repository()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lamingit.cli.main", "push", "-q"],
        cwd=repo.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if sum(1 for p in blob_dir.rglob("*") if p.is_file()) >= 1:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    head = _remote_head(bare_remote)
    if head == repo.git.head():  # the push won the race: it must then be complete
        assert all((blob_dir / a[:2] / a[2:4] / a).exists() for a in _hashes(repo))
    # No partial blob is ever visible under its final name.
    for path in blob_dir.rglob("*"):
        if path.is_file() and not path.name.startswith(".tmp-"):
            from lamingit.storage.hashing import hash_bytes

            assert hash_bytes(path.read_bytes()) == path.name
    done = cli("push", "--json", cwd=repo.root)
    assert done.returncode == 0, done.stderr
    assert _remote_head(bare_remote) == repo.git.head()
    assert all((blob_dir / a[:2] / a[2:4] / a).exists() for a in _hashes(repo))


def _hashes(repo) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.hash for r in repo.snapshot().iter_records("artifact")]  # type: ignore[attr-defined]


def _file(name: str, content: str) -> Path:
    path = Path(os.getcwd()) / "files" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    return path


def test_push_without_blob_remote_is_refused(repo: Path, bare_remote: Path) -> None:
    r = SESSION.repository()
    gitcli.add_remote(r.paths.gitdir, "origin", str(bare_remote))
    save_text("x.txt", "x\n")
    with pytest.raises(RemoteError, match="set-blobs"):
        push(r)
    assert _remote_head(bare_remote) is None


def test_push_rejected_when_remote_is_ahead_then_pull_and_push(
    origin: Path, bare_remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = clone(str(bare_remote), tmp_path / "other")
    use(other.root, "testuser2", monkeypatch)
    save_text("theirs.txt", "theirs\n")
    push(other)
    use(origin, "testuser1", monkeypatch)
    save_text("ours.txt", "ours\n")
    mine = SESSION.repository()
    with pytest.raises(RemoteError, match="lamingit pull"):
        push(mine)
    result = pull(mine, AUTHOR)
    assert result.kind == "merge"
    assert len(mine.git.log().__next__().parents) == 2
    push(mine)
    assert _remote_head(bare_remote) == mine.git.head()
    keys = {a.key for a in ln.Artifact.filter()}
    assert {"theirs.txt", "ours.txt"} <= keys


def test_noop_pull_and_push(origin: Path) -> None:
    r = SESSION.repository()
    assert pull(r, AUTHOR).kind == "up-to-date"
    assert push(r).up_to_date


def test_fetch_blobs_prefetches_directory_artifacts(
    origin: Path, bare_remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Path(os.getcwd()) / "cells.zarr"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.bin").write_bytes(b"a" * 100)
    (folder / "sub" / "b.bin").write_bytes(b"b" * 200)
    art = ln.Artifact(folder, key="cells.zarr").save()
    save_text("other.txt", "other\n")
    push(SESSION.repository())
    copy = clone(str(bare_remote), tmp_path / "copy")
    assert fetch_blobs(copy, ["cells.zarr"]) == 3  # manifest + 2 files
    assert copy.blobs.has(art.hash)
    assert fetch_blobs(copy) == 1  # only other.txt is left
    assert fetch_blobs(copy) == 0
    use(copy.root, "testuser2", monkeypatch)
    path = ln.Artifact.get(key="cells.zarr").cache()
    assert (path / "sub" / "b.bin").read_bytes() == b"b" * 200


def test_directory_artifact_fetched_on_demand(
    origin: Path, bare_remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Path(os.getcwd()) / "run_out"
    folder.mkdir()
    (folder / "x.txt").write_text("x")
    ln.Artifact(folder, key="run_out").save()
    push(SESSION.repository())
    copy = clone(str(bare_remote), tmp_path / "copy")
    use(copy.root, "testuser2", monkeypatch)
    assert (ln.Artifact.get(key="run_out").cache() / "x.txt").read_text() == "x"


def test_clone_refuses_non_empty_and_cleans_up_on_failure(
    tmp_path: Path, bare_remote: Path
) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "file").write_text("x")
    with pytest.raises(RepositoryExists):
        clone(str(bare_remote), target)
    with pytest.raises(RemoteError):
        clone(str(tmp_path / "no-such-remote.git"), tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_git_daemon_transport(
    origin: Path, git_daemon: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, served = git_daemon
    gitcli.run_git(
        [
            "clone",
            "--bare",
            "--quiet",
            str(SESSION.repository().paths.gitdir),
            str(served / "lab.git"),
        ]
    )
    save_text("first.txt", "first\n")
    copy = clone(f"{url}/lab.git", tmp_path / "viadaemon")
    assert copy.git.head() is not None
    use(copy.root, "testuser2", monkeypatch)
    save_text("via-daemon.txt", "hi\n")
    gitcli.add_remote(copy.paths.gitdir, "origin", f"{url}/lab.git", force=True)
    push(copy)
    assert gitcli.rev_parse(served / "lab.git", "refs/heads/main") == copy.git.head()


def test_set_blob_remote_is_committed_and_cloned(
    origin: Path, bare_remote: Path, tmp_path: Path
) -> None:
    r = SESSION.repository()
    set_blob_remote(r, "s3://bucket/prefix", AUTHOR, endpoint_url="http://127.0.0.1:9")
    push(r)
    copy = clone(str(bare_remote), tmp_path / "copy")
    from lamingit.blob_settings import blob_remote_location

    assert blob_remote_location(copy) == ("s3://bucket/prefix", "http://127.0.0.1:9")
    assert b"secret" not in (copy.snapshot().settings_bytes() or b"").lower()


def test_relative_remote_path_is_stored_absolute(repo: Path, bare_remote: Path) -> None:
    r = SESSION.repository()
    relative = os.path.relpath(bare_remote, Path.cwd())
    gitcli.add_remote(r.paths.gitdir, "origin", relative)
    assert gitcli.remotes(r.paths.gitdir)["origin"] == str(bare_remote.resolve())
    gitcli.add_remote(r.paths.gitdir, "other", "git@example.org:lab/data.git")
    assert gitcli.remotes(r.paths.gitdir)["other"] == "git@example.org:lab/data.git"


def test_relative_blob_directory_is_committed_relative_to_the_repository(
    repo: Path, blob_dir: Path, bare_remote: Path, tmp_path: Path
) -> None:
    from lamingit.blob_settings import blob_remote_location, blob_remote_of

    r = SESSION.repository()
    given = os.path.relpath(blob_dir, Path.cwd())  # relative to where the user stands
    set_blob_remote(r, given, AUTHOR)
    stored = os.path.relpath(blob_dir, r.root)
    assert blob_remote_location(r)[0] == stored and not os.path.isabs(stored)
    assert str(blob_dir.resolve()) not in (r.snapshot().settings_bytes() or b"").decode()
    remote = blob_remote_of(r)
    assert remote is not None and Path(remote.url).resolve() == blob_dir.resolve()
    # resolved against each clone's root: a clone beside the repository finds the same place
    save_text("x.txt", "x\n")
    gitcli.add_remote(r.paths.gitdir, "origin", str(bare_remote))
    push(r)
    copy = clone(str(bare_remote), r.root.parent / "beside")
    assert blob_remote_location(copy)[0] == stored
    copied = blob_remote_of(copy)
    assert copied is not None and Path(copied.url).resolve() == blob_dir.resolve()


def test_push_waits_for_a_running_pack_merge(origin: Path, bare_remote: Path) -> None:
    import threading
    import time

    from lamingit._util import FileLock

    save_text("during.txt", "pushed after the merge")
    repo = SESSION.repository()
    merging = FileLock(repo.paths.pack_lock)
    merging.__enter__()  # a merge is running (its worker holds the lock)
    released = threading.Event()

    def finish_merge() -> None:
        time.sleep(0.4)
        released.set()
        merging.release()

    threading.Thread(target=finish_merge).start()
    push(repo, "origin")
    assert released.is_set()  # git push ran only once the merge was over
    assert _remote_head(bare_remote) == repo.git.head()


def test_clone_builds_the_query_index(
    origin: Path, bare_remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    save_text("indexed.txt", "indexed\n", description="indexed")
    push(SESSION.repository())
    steps: list[str] = []

    class Recorder:
        def start(self, what: str, total: int) -> None:
            steps.append(f"start {what} {total}")

        def advance(self) -> None:
            steps.append("advance")

        def stop(self) -> None:
            steps.append("stop")

    copy = clone(str(bare_remote), tmp_path / "copy", Recorder())
    manifest = json.loads((copy.paths.index / "manifest.json").read_text())
    assert manifest["commit"] == copy.git.head()
    assert steps[0].startswith("start building the query index") and steps[-1] == "stop"
    assert steps.count("advance") == int(steps[0].split()[-1])
    # a fresh process finds the index on disk: the first query does not rebuild it
    copy.index.forget()
    monkeypatch.setattr(
        "lamingit.index.store.build_state", lambda *a: pytest.fail("index rebuilt after clone")
    )
    use(copy.root, "copy", monkeypatch)
    assert ln.Artifact.filter(description="indexed").count() == 1
