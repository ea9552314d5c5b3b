"""Blob remotes: a directory and a real S3-protocol server (moto, server mode) on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

import lamingit as ln
from lamingit.errors import IntegrityError, InvalidArgument, RemoteError
from lamingit.remote import gitcli
from lamingit.remote.sync import clone, fetch_blobs, push, set_blob_remote
from lamingit.session import SESSION
from lamingit.storage.blobremote import (
    DirectoryRemote,
    S3Remote,
    blob_name,
    fetch_blob,
    open_blob_remote,
    parallel,
)
from lamingit.storage.blobs import BlobStore
from lamingit.storage.hashing import hash_bytes
from tests.remote.conftest import save_text, use

AUTHOR = ("testuser1", "testuser1@lamingit.local")


def _roundtrip(remote: DirectoryRemote | S3Remote, tmp_path: Path) -> None:
    data = b"some bytes " * 1000
    oid = hash_bytes(data)
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    assert not remote.has(oid)
    remote.upload(oid, src)
    assert remote.has(oid)
    store = BlobStore(tmp_path / "objects")
    path = fetch_blob(remote, store, oid)
    assert path.read_bytes() == data
    with pytest.raises(RemoteError, match="does not have"):
        fetch_blob(remote, store, hash_bytes(b"never uploaded"))


def test_directory_remote_roundtrip(tmp_path: Path) -> None:
    root = tmp_path / "share"
    root.mkdir()
    remote = DirectoryRemote(f"file://{root}")
    _roundtrip(remote, tmp_path)
    assert not list(root.rglob(".tmp-*"))


def test_directory_remote_missing_directory(tmp_path: Path) -> None:
    remote = open_blob_remote(str(tmp_path / "gone"))
    with pytest.raises(RemoteError, match="not reachable"):
        remote.has("ab" * 32)


def test_unsupported_url() -> None:
    with pytest.raises(InvalidArgument, match="unsupported blob remote"):
        open_blob_remote("ftp://host/x")
    with pytest.raises(InvalidArgument, match="names no bucket"):
        open_blob_remote("s3:///nobucket")


def test_s3_remote_roundtrip(s3_server: str, tmp_path: Path) -> None:
    remote = open_blob_remote("s3://labdata/team/blobs", endpoint_url=s3_server)
    assert isinstance(remote, S3Remote)
    _roundtrip(remote, tmp_path)
    import boto3

    keys = [
        o["Key"]
        for o in boto3.client("s3", endpoint_url=s3_server).list_objects_v2(Bucket="labdata")[
            "Contents"
        ]
    ]
    assert all(k.startswith("team/blobs/") for k in keys)


def test_s3_tampered_object_rejected(s3_server: str, tmp_path: Path) -> None:
    import boto3

    remote = S3Remote("s3://labdata/p", endpoint_url=s3_server)
    oid = hash_bytes(b"good")
    boto3.client("s3", endpoint_url=s3_server).put_object(
        Bucket="labdata", Key=f"p/{blob_name(oid)}", Body=b"evil"
    )
    store = BlobStore(tmp_path / "objects")
    with pytest.raises(IntegrityError):
        fetch_blob(remote, store, oid)
    assert not store.has(oid)


def test_s3_unreachable_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.remote.conftest import free_port

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    remote = S3Remote("s3://labdata/p", endpoint_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(RemoteError, match="check the endpoint"):
        remote.has("ab" * 32)


def test_push_and_clone_through_s3(
    repo: Path, bare_remote: Path, s3_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = SESSION.repository()
    gitcli.add_remote(r.paths.gitdir, "origin", str(bare_remote))
    # The endpoint is a machine setting: keep it out of the committed settings.
    monkeypatch.setenv("LAMINGIT_S3_ENDPOINT_URL", s3_server)
    set_blob_remote(r, "s3://labdata/repo1", AUTHOR)
    arts = [save_text(f"s{i}.txt", f"s3 content {i}\n") for i in range(5)]
    result = push(r)
    assert result.blobs_uploaded == 5
    assert s3_server.encode() not in (r.snapshot().settings_bytes() or b"")
    copy = clone(str(bare_remote), tmp_path / "copy")
    use(copy.root, "testuser2", monkeypatch)
    assert ln.Artifact.get(key="s2.txt").load() == "s3 content 2\n"
    assert fetch_blobs(copy) == 4
    assert all(copy.blobs.has(a.hash) for a in arts)


def test_parallel_collects_every_failure() -> None:
    seen: list[str] = []

    def work(item: str) -> None:
        if item in ("b", "d"):
            raise ValueError(item)

    failures = parallel(["a", "b", "c", "d"], work, seen.append)
    assert sorted(f[0] for f in failures) == ["b", "d"]
    assert sorted(seen) == ["a", "b", "c", "d"]


def test_s3_listing_answers_many_checks(
    s3_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lamingit.remote import sync

    remote = S3Remote("s3://labdata/many", endpoint_url=s3_server)
    uploaded = []
    for i in range(4):
        data = f"blob {i}".encode()
        (tmp_path / "b").write_bytes(data)
        remote.upload(hash_bytes(data), tmp_path / "b")
        uploaded.append(hash_bytes(data))
    assert remote.list_oids() == set(uploaded)
    absent = [hash_bytes(f"absent {i}".encode()) for i in range(3)]
    monkeypatch.setattr(sync, "LIST_THRESHOLD", 2)
    assert sync.missing_on(remote, uploaded + absent) == absent


def test_directory_artifact_from_s3_on_demand(
    repo: Path, bare_remote: Path, s3_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    r = SESSION.repository()
    gitcli.add_remote(r.paths.gitdir, "origin", str(bare_remote))
    monkeypatch.setenv("LAMINGIT_S3_ENDPOINT_URL", s3_server)
    set_blob_remote(r, "s3://labdata/dirs", AUTHOR)
    folder = Path(os.getcwd()) / "store.zarr"
    for i in range(12):
        (folder / f"c{i % 3}").mkdir(parents=True, exist_ok=True)
        (folder / f"c{i % 3}" / f"{i}.bin").write_bytes(bytes([i]) * (i + 1))
    ln.Artifact(folder, key="store.zarr").save()
    push(r)
    copy = clone(str(bare_remote), tmp_path / "copy")
    use(copy.root, "testuser2", monkeypatch)
    path = ln.Artifact.get(key="store.zarr").cache()
    assert sorted(p.name for p in path.rglob("*.bin")) == sorted(f"{i}.bin" for i in range(12))
    assert (path / "c2" / "11.bin").read_bytes() == bytes([11]) * 12
