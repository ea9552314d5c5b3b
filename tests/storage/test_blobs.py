"""The content-addressed blob store."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lamingit.errors import IntegrityError
from lamingit.storage.blobs import BlobStore
from lamingit.storage.hashing import hash_bytes, hash_file


def test_put_file_stores_read_only_blob(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "objects")
    src = tmp_path / "a.txt"
    src.write_text("hello")
    oid, _ = hash_file(src)
    store.put_file(src, oid)
    blob = store.path_for(oid)
    assert blob.read_text() == "hello"
    assert stat.S_IMODE(blob.stat().st_mode) == 0o444
    assert list(store.iter_oids()) == [oid]
    assert not list((tmp_path / "objects" / "tmp").iterdir())


def test_put_file_refuses_changed_content(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "objects")
    src = tmp_path / "a.txt"
    src.write_text("hello")
    with pytest.raises(IntegrityError, match="changed while"):
        store.put_file(src, hash_bytes(b"something else"))
    assert list(store.iter_oids()) == []
    assert not list((tmp_path / "objects" / "tmp").iterdir())


def test_copy_out_is_independent_and_verified(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "objects")
    oid = store.put_bytes(b"payload")
    dest = tmp_path / "out" / "copy.bin"
    store.copy_out(oid, dest)
    dest.write_bytes(b"overwritten")
    assert store.read_bytes(oid) == b"payload"
    blob = store.path_for(oid)
    os.chmod(blob, 0o644)
    blob.write_bytes(b"corrupt")
    with pytest.raises(IntegrityError, match="corrupted"):
        store.copy_out(oid, tmp_path / "out" / "again.bin")
    assert not (tmp_path / "out" / "again.bin").exists()
    assert not store.verify(oid)


def test_put_bytes_is_idempotent(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "objects")
    assert store.put_bytes(b"x") == store.put_bytes(b"x") == hash_bytes(b"x")
    store.delete(hash_bytes(b"x"))
    assert not store.has(hash_bytes(b"x"))


def test_resave_of_a_large_file_hashes_first_and_copies_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lamingit.storage.blobs as blobs_module
    from lamingit.storage.blobs import HASH_FIRST_MIN

    store = BlobStore(tmp_path / "objects")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(1024) * (HASH_FIRST_MIN // 1024 + 1))
    tmp, oid, size = store.stage_file(big)
    assert tmp.exists() and size == big.stat().st_size
    store.commit_staged(tmp, oid)

    copies: list[Path] = []
    real = blobs_module.copy_hashing
    monkeypatch.setattr(
        blobs_module,
        "copy_hashing",
        lambda src, fd, fsync: copies.append(src) or real(src, fd, fsync=fsync),
    )
    again, oid2, size2 = store.stage_file(big)
    assert (oid2, size2) == (oid, size) and not again.exists() and copies == []
    store.commit_staged(again, oid2)  # nothing staged: the stored blob is kept and refreshed
    assert store.verify(oid)
    assert not list((tmp_path / "objects" / "tmp").iterdir())

    # the same size, new content: its probe differs, so it is copied while it is hashed
    hashed: list[Path] = []
    real_hash = blobs_module.hash_mapped
    monkeypatch.setattr(
        blobs_module, "hash_mapped", lambda src: hashed.append(src) or real_hash(src)
    )
    other = tmp_path / "other.bin"
    other.write_bytes(os.urandom(big.stat().st_size))
    staged, oid3, _ = store.stage_file(other)
    assert copies == [other] and staged.exists() and hashed == []
    store.commit_staged(staged, oid3)
    assert store.verify(oid3) and oid3 == hash_file(other)[0]

    # both stored blobs' probes are recorded: re-saving either one copies nothing
    marker = tmp_path / "objects" / "sizes" / str(size)
    assert len(marker.read_text().split()) == 2
    for path, expected in ((big, oid), (other, oid3)):
        again, got, _ = store.stage_file(path)
        assert got == expected and not again.exists()
    assert copies == [other] and hashed == [big, other]


def test_same_probe_new_content_is_hashed_then_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lamingit.storage.blobs import HASH_FIRST_MIN, content_probe

    store = BlobStore(tmp_path / "objects")
    data = bytearray(os.urandom(HASH_FIRST_MIN + 4096 * 7))
    big = tmp_path / "big.bin"
    big.write_bytes(data)
    tmp, oid, size = store.stage_file(big)
    store.commit_staged(tmp, oid)
    # one byte changed between the probe's samples: the probe matches, the content does not
    data[200_000] ^= 0xFF
    edited = tmp_path / "edited.bin"
    edited.write_bytes(data)
    with open(big, "rb") as a, open(edited, "rb") as b:
        assert content_probe(a.fileno(), size) == content_probe(b.fileno(), size)
    staged, oid2, _ = store.stage_file(edited)
    assert oid2 != oid and oid2 == hash_bytes(bytes(data)) and staged.exists()
    store.commit_staged(staged, oid2)
    assert store.verify(oid2) and store.verify(oid)


def test_a_size_marker_without_probes_still_hashes_first(tmp_path: Path) -> None:
    from lamingit.storage.blobs import HASH_FIRST_MIN

    store = BlobStore(tmp_path / "objects")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(HASH_FIRST_MIN))
    tmp, oid, size = store.stage_file(big)
    store.commit_staged(tmp, oid)
    marker = tmp_path / "objects" / "sizes" / str(size)
    marker.write_text("")  # as written before probes were recorded
    again, got, _ = store.stage_file(big)
    assert got == oid and not again.exists()
    assert len(marker.read_text().split()) == 1  # the re-save recorded the probe
