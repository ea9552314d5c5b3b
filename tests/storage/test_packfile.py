"""Packs written by lamingit are packs git and libgit2 read: every object, byte for byte."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pygit2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamingit.storage import packfile
from lamingit.storage.packfile import write_pack


def _objects(contents: list[bytes]) -> dict[bytes, tuple[int, bytes]]:
    return {bytes.fromhex(str(pygit2.hash(c))): (3, c) for c in contents}


def _bare(tmp_path: Path) -> Path:
    gitdir = tmp_path / "repo.git"
    pygit2.init_repository(str(gitdir), bare=True)
    return gitdir


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=40))
def test_every_object_reads_back(
    tmp_path_factory: pytest.TempPathFactory, contents: list[bytes]
) -> None:
    gitdir = _bare(tmp_path_factory.mktemp("pack"))
    objects = _objects(contents)
    pack = write_pack(gitdir / "objects" / "pack", objects, fsync=False)
    repo = pygit2.Repository(str(gitdir))
    for oid, (_kind, data) in objects.items():
        assert repo[pygit2.Oid(raw=oid)].read_raw() == data
    verified = subprocess.run(
        ["git", "verify-pack", str(pack.with_suffix(".idx"))], capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stderr


def test_offsets_past_the_small_limit_use_the_large_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packfile, "_SMALL_OFFSET_LIMIT", 200)  # as if past 2 GiB
    gitdir = _bare(tmp_path)
    objects = _objects([bytes([i]) * 500 + b"x" * i for i in range(10)])
    pack = write_pack(gitdir / "objects" / "pack", objects, fsync=False)
    verified = subprocess.run(
        ["git", "verify-pack", "-v", str(pack.with_suffix(".idx"))], capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stderr
    repo = pygit2.Repository(str(gitdir))
    assert all(repo[pygit2.Oid(raw=o)].read_raw() == d for o, (_k, d) in objects.items())


def _oid(kind: str, data: bytes) -> bytes:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data).digest()


def test_blobs_trees_and_commits_of_any_size(tmp_path: Path) -> None:
    gitdir = _bare(tmp_path)
    big = bytes(range(256)) * 300  # a size that needs a multi-byte entry header
    tree = b"100644 big\0" + _oid("blob", big)
    commit = (
        f"tree {_oid('tree', tree).hex()}\nauthor a <a@x> 0 +0000\ncommitter a <a@x> 0 +0000\n\nm\n"
    ).encode()
    objects = {
        _oid("blob", big): (pygit2.GIT_OBJECT_BLOB, big),
        _oid("tree", tree): (pygit2.GIT_OBJECT_TREE, tree),
        _oid("commit", commit): (pygit2.GIT_OBJECT_COMMIT, commit),
    }
    write_pack(gitdir / "objects" / "pack", objects, fsync=False)
    repo = pygit2.Repository(str(gitdir))
    read = repo[pygit2.Oid(raw=_oid("commit", commit))].peel(pygit2.Commit)
    assert read.tree["big"].read_raw() == big
    assert not [p for p in (gitdir / "objects").iterdir() if len(p.name) == 2]  # none loose
