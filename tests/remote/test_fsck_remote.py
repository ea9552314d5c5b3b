"""`lamingit fsck` accepts blobs held only by the blob remote and reports those held nowhere."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import lamingit as ln
from lamingit.session import SESSION


def test_fsck_asks_the_blob_remote(
    repo: Path,
    bare_remote: Path,
    blob_dir: Path,
    cli: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    from lamingit.remote import gitcli
    from lamingit.remote.sync import push, set_blob_remote

    r = SESSION.repository()
    (repo.parent / "notes.txt").write_text("kept remotely\n")
    artifact = ln.Artifact(repo.parent / "notes.txt", key="notes.txt").save()
    gitcli.add_remote(r.paths.gitdir, "origin", str(bare_remote))
    set_blob_remote(r, str(blob_dir), ("testuser1", "testuser1@lamingit.local"))
    push(r, "origin")

    local = r.blobs.path_for(artifact.hash)
    os.chmod(local, 0o644)
    local.unlink()  # as in a fresh clone: the bytes live only on the blob remote
    clean = cli("fsck", "--json", cwd=repo)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["checked"]["blobs_on_remote"] == 1

    remote_copy = next(p for p in blob_dir.rglob(artifact.hash))
    os.chmod(remote_copy, 0o644)
    remote_copy.unlink()  # now nobody holds it
    broken = cli("fsck", "--json", cwd=repo)
    assert broken.returncode == 1
    report = json.loads(broken.stdout)
    assert any(artifact.hash in p["message"] for p in report["problems"]), report
    local_only = cli("fsck", "--local-only", cwd=repo)
    assert local_only.returncode == 1 and "not local" in local_only.stdout
