"""Write git objects as one pack (``.pack`` + ``.idx`` v2): two files per commit, not one per object.

A save creates about fourteen objects (trees on the changed paths, blobs, the commit); as
loose objects that is fourteen files and their directory entries, the bulk of a save's time.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path

from lamingit._util import atomic_write, fsync_dir

PackObjects = Mapping[bytes, tuple[int, bytes]]
"""Raw 20-byte object id → (git object type number, content)."""
_TREE = 2
_LARGE_OFFSET = 0x80000000
"""Index flag: the offset is in the 64-bit table (offsets past 2 GiB)."""
_SMALL_OFFSET_LIMIT = _LARGE_OFFSET


def _entry_header(kind: int, size: int) -> bytes:
    byte = (kind << 4) | (size & 0x0F)
    size >>= 4
    out = bytearray()
    while size:
        out.append(byte | 0x80)
        byte = size & 0x7F
        size >>= 7
    out.append(byte)
    return bytes(out)


def encode_pack(objects: PackObjects) -> tuple[bytes, bytes, str]:
    """The bytes of a pack and of its index holding ``objects``, and the pack's name.

    Objects are stored whole (no deltas), blobs and commits zlib-compressed at speed level 1,
    trees uncompressed; ``git repack`` deltifies and recompresses them later.

    Example:
        >>> pack, idx, name = encode_pack({oid: (3, b"hello")})  # doctest: +SKIP
    """
    order = sorted(objects)
    body = bytearray(b"PACK" + struct.pack(">II", 2, len(order)))
    offsets: dict[bytes, int] = {}
    crcs: dict[bytes, int] = {}
    for oid in order:
        kind, data = objects[oid]
        # Trees are mostly 20-byte binary ids (they shrink ~15%) and repack deltifies them:
        # store them (level 0, ~15× cheaper than level 1); compress blobs and commits.
        entry = _entry_header(kind, len(data)) + zlib.compress(data, 0 if kind == _TREE else 1)
        offsets[oid] = len(body)
        crcs[oid] = zlib.crc32(entry)
        body += entry
    checksum = hashlib.sha1(body).digest()
    body += checksum

    fanout = [0] * 256
    for oid in order:
        fanout[oid[0]] += 1
    running = 0
    for i in range(256):
        running += fanout[i]
        fanout[i] = running
    small: list[int] = []
    large: list[int] = []
    for oid in order:
        offset = offsets[oid]
        if offset < _SMALL_OFFSET_LIMIT:
            small.append(offset)
        else:
            small.append(_LARGE_OFFSET | len(large))
            large.append(offset)
    idx = bytearray(b"\377tOc" + struct.pack(">I", 2))
    idx += struct.pack(">256I", *fanout)
    idx += b"".join(order)
    idx += struct.pack(f">{len(order)}I", *(crcs[o] for o in order))
    idx += struct.pack(f">{len(small)}I", *small)
    idx += struct.pack(f">{len(large)}Q", *large)
    idx += checksum
    idx += hashlib.sha1(idx).digest()
    return bytes(body), bytes(idx), f"pack-{checksum.hex()}"


def write_pack(pack_dir: Path, objects: PackObjects, *, fsync: bool) -> Path:
    """Write ``objects`` as a new pack in ``pack_dir``; return the ``.pack`` path.

    The ``.pack`` is renamed into place before its ``.idx``: git and libgit2 find packs by
    their index, so readers never see a pack that is not complete. A process killed midway
    leaves at most a ``tmp_pack_*`` file or an unindexed pack, which ``lamingit gc`` removes.

    Example:
        >>> write_pack(Path("mydata/.git/objects/pack"), objects, fsync=False)  # doctest: +SKIP
    """
    pack, idx, name = encode_pack(objects)
    final = pack_dir / f"{name}.pack"
    atomic_write(final, pack, fsync=fsync, prefix="tmp_pack_")
    atomic_write(pack_dir / f"{name}.idx", idx, fsync=fsync, prefix="tmp_pack_")
    if fsync:
        fsync_dir(pack_dir)
    return final
