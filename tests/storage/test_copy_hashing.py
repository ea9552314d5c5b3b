"""copy_hashing: one read of the source, the right digest, refusal of a source that changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lamingit.errors import IntegrityError
from lamingit.storage import copy_hashing as module
from lamingit.storage.copy_hashing import KERNEL_COPY_MIN, SMALL_COPY_MAX, copy_hashing
from lamingit.storage.hashing import hash_bytes


def _copy(src: Path, dest: Path) -> tuple[str, int]:
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    return copy_hashing(src, fd, fsync=False)


@pytest.mark.parametrize(
    "size",
    [
        0,
        1,
        1024,
        SMALL_COPY_MAX - 1,
        SMALL_COPY_MAX,
        1 << 20,
        KERNEL_COPY_MIN,
        KERNEL_COPY_MIN + 12345,
    ],
)
def test_copy_and_digest_match_the_source(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    digest, copied = _copy(src, tmp_path / "dest.bin")
    assert (digest, copied) == (hash_bytes(data), size)
    assert (tmp_path / "dest.bin").read_bytes() == data


def test_large_copy_spanning_several_kernel_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "_KERNEL_CHUNK", 3 << 20)  # many chunks from a modest file
    data = os.urandom(KERNEL_COPY_MIN + (5 << 20) + 7)
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    assert _copy(src, tmp_path / "dest.bin") == (hash_bytes(data), len(data))
    assert (tmp_path / "dest.bin").read_bytes() == data


def test_a_source_modified_during_the_copy_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(KERNEL_COPY_MIN + 1))
    real = os.copy_file_range
    calls = []

    def copy_while_someone_appends(*args: int) -> int:
        calls.append(args)
        if len(calls) == 2:  # the worker's first chunk: another process writes meanwhile
            with open(src, "ab") as fh:
                fh.write(b"late bytes")
        return real(*args)

    monkeypatch.setattr(module.os, "copy_file_range", copy_while_someone_appends)
    with pytest.raises(IntegrityError, match="changed while it was being saved"):
        _copy(src, tmp_path / "dest.bin")


def test_falls_back_to_a_buffered_copy_when_the_kernel_cannot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsupported(*args: int) -> int:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(module.os, "copy_file_range", unsupported)
    data = os.urandom(KERNEL_COPY_MIN + 3)
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    assert _copy(src, tmp_path / "dest.bin") == (hash_bytes(data), len(data))
    assert (tmp_path / "dest.bin").read_bytes() == data


def test_a_small_source_that_grew_since_its_size_was_read_is_copied_whole(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = os.urandom(5000)
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    real_fstat = os.fstat
    # fstat reports the size before an append landed: the first read gets 1,001 bytes.
    monkeypatch.setattr(
        module.os,
        "fstat",
        lambda fd: os.stat_result((*real_fstat(fd)[:6], 1000, *real_fstat(fd)[7:])),
    )
    digest, copied = _copy(src, tmp_path / "dest.bin")
    assert (digest, copied) == (hash_bytes(data), 5000)
    assert (tmp_path / "dest.bin").read_bytes() == data
