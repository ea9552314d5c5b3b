"""blake3 hashing of files and directories."""

from __future__ import annotations

import os
from pathlib import Path

import blake3
import pytest

from lamingit.storage.hashing import CHUNK, decode_manifest, hash_directory, hash_file, hash_stream


def test_hash_file_matches_blake3(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    data = os.urandom(3 * 1024 * 1024 + 17)
    path.write_bytes(data)
    digest, size = hash_file(path)
    assert digest == blake3.blake3(data).hexdigest()
    assert size == len(data)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert hash_file(path) == (blake3.blake3(b"").hexdigest(), 0)


def test_changed_file_is_rehashed(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_text("one")
    first, _ = hash_file(path)
    path.write_text("two!")
    assert hash_file(path)[0] != first


def test_directory_hash_depends_on_names_and_content(tmp_path: Path) -> None:
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("a")
    (d / "sub" / "b.txt").write_text("b")
    digest = hash_directory(d)
    assert [e.path for e in digest.entries] == ["a.txt", "sub/b.txt"]
    assert decode_manifest(digest.manifest) == list(digest.entries)
    assert digest.size == 2
    (d / "sub" / "b.txt").rename(d / "sub" / "c.txt")
    assert hash_directory(d).hash != digest.hash


def test_symlink_outside_directory_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("s")
    (d / "link").symlink_to(secret)
    with pytest.raises(ValueError, match="outside the directory"):
        hash_directory(d)


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5])
def test_stream_hash_around_the_chunk_size(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert hash_stream(path) == blake3.blake3(data).hexdigest()
