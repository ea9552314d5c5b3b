"""The bulk reader: many blobs at once through ``git ls-tree`` and ``git cat-file --batch``."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from lamingit.storage.git.command import run_git, start_git
from lamingit.storage.git.names import UNSAFE_PARTS
from lamingit.storage.git.store import GitStore

Blobs = list[tuple[str, bytes]]
"""``(path, bytes)`` of blobs, in the order git lists them."""
READ_BLOCK = 16 << 20
"""Bytes of ``cat-file`` output read at a time while streaming."""


class _Unreadable(Exception):
    """The git command cannot answer exactly (``walk_blobs`` says what is wrong)."""


def read_blobs(store: GitStore, commit: str, path: str) -> Blobs:
    """Every blob under ``path`` at ``commit`` as ``(path, bytes)``, read in bulk.

    Two git subprocesses (``ls-tree -r``, ``cat-file --batch``) read all blobs at once:
    libgit2 takes ~30 µs per packed object, git ~6 µs, and reading 100k records was most of
    building the query index of a fresh clone. Without a usable ``git`` command, or when it
    reports a problem (a missing object, an unsafe entry name), the blobs are read through
    ``GitStore.walk_blobs``, which raises the precise ``IntegrityError``.

    Example:
        >>> read_blobs(store, store.head(), "records/user")  # doctest: +SKIP
        [('records/user/A/b/Ab….json', b'{...}')]
    """
    out: Blobs = []
    for chunk in iter_blobs(store, commit, path, 1 << 62):
        out += chunk
    return out


def iter_blobs(
    store: GitStore,
    commit: str,
    path: str,
    chunk: int,
    listed: Callable[[int], None] | None = None,
) -> Iterator[Blobs]:
    """``read_blobs`` in lists of at most ``chunk`` blobs, read from git as they are consumed.

    Only one list of blobs is in memory at a time (git's output waits in temporary files),
    so a consumer that turns each list into columns never holds every blob at once. A
    problem noticed after some lists were yielded (a missing object) switches to
    ``GitStore.walk_blobs`` for the blobs not yielded yet, in its order. ``listed``, if
    given, is told how many blobs there are once git has listed them.

    Example:
        >>> [len(c) for c in iter_blobs(store, store.head(), "records", 50_000)]  # doctest: +SKIP
        [50000, 50000, 1234]
    """
    tree = store.tree_of(commit)
    sub = store.subtree_id(tree, path)
    if sub is None:
        return
    exe = shutil.which("git")
    found = _list_tree(exe, store.path, sub, path) if exe is not None else None
    if exe is None or found is None:
        yield from _in_chunks(store.walk_blobs(tree, path), chunk)
        return
    paths, oids = found
    if listed is not None:
        listed(len(paths))
    done = 0
    try:
        for contents in _stream_blobs(exe, store.path, oids, chunk):
            yield list(zip(paths[done : done + len(contents)], contents, strict=True))
            done += len(contents)
        if done != len(paths):
            raise _Unreadable
    except _Unreadable:
        given = set(paths[:done])
        rest = (item for item in store.walk_blobs(tree, path) if item[0] not in given)
        yield from _in_chunks(rest, chunk)


def _in_chunks(items: Iterator[tuple[str, bytes]], chunk: int) -> Iterator[Blobs]:
    out: Blobs = []
    for item in items:
        out.append(item)
        if len(out) >= chunk:
            yield out
            out = []
    if out:
        yield out


def read_blobs_cli(gitdir: Path, tree_id: str, prefix: str) -> Blobs | None:
    """``read_blobs`` through the git command, or None if it cannot answer exactly.

    Example:
        >>> read_blobs_cli(Path("mydata/.git"), tree_id, "records")  # doctest: +SKIP
    """
    exe = shutil.which("git")
    if exe is None:
        return None
    listed = _list_tree(exe, gitdir, tree_id, prefix)
    if listed is None:
        return None
    paths, oids = listed
    contents = _cat_blobs(exe, gitdir, oids)
    if contents is None:
        return None
    return list(zip(paths, contents, strict=True))


def _list_tree(
    exe: str, gitdir: Path, tree_id: str, prefix: str
) -> tuple[list[str], list[bytes]] | None:
    """Paths and object ids of every blob under a tree (None: git failed or a name is unsafe)."""
    listed = run_git(
        ["ls-tree", "-r", "-z", tree_id], gitdir=gitdir, plumbing=True, text=False, exe=exe
    )
    if listed.returncode != 0:
        return None
    paths: list[str] = []
    oids: list[bytes] = []
    for entry in listed.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        _mode, kind, oid = meta.split(b" ")
        if kind != b"blob":
            continue  # a submodule entry (commit) holds no bytes, like walk_blobs
        paths.append(f"{prefix}/{name.decode('utf-8', 'surrogateescape')}")
        oids.append(oid)
    # check_entry_name on every component, as C-speed substring searches over all paths
    wrapped = "/" + "/\0/".join(paths) + "/"
    if any(part in wrapped for part in UNSAFE_PARTS):
        return None
    return paths, oids


def cat_blobs(gitdir: Path, oids: list[str]) -> list[bytes] | None:
    """The contents of blobs ``oids`` read in bulk by git, or None if one is missing or no blob.

    Example:
        >>> cat_blobs(Path("mydata/.git"), [oid])  # doctest: +SKIP
        [b'{...}']
    """
    exe = shutil.which("git")
    if exe is None:
        return None
    return _cat_blobs(exe, gitdir, [o.encode() for o in oids])


def _cat_blobs(exe: str, gitdir: Path, oids: list[bytes]) -> list[bytes] | None:
    """The contents of blobs, by ``git cat-file --batch`` processes running side by side."""
    blobs: list[bytes] = []
    try:
        for contents in _stream_blobs(exe, gitdir, oids, 1 << 62):
            blobs += contents
    except _Unreadable:
        return None
    return blobs if len(blobs) == len(oids) else None


def _stream_blobs(exe: str, gitdir: Path, oids: list[bytes], chunk: int) -> Iterator[list[bytes]]:
    """The contents of blobs in lists of at most ``chunk``; raises ``_Unreadable`` on a problem.

    ``git cat-file --batch`` processes run side by side, each into a temporary file (the
    processes run on without a reader); the files are then read a block at a time.
    """
    if not oids:
        return
    # decompressing is git's part of the work: split it over the CPUs for large reads
    jobs = max(1, min(os.cpu_count() or 1, 4, len(oids) // 10_000))
    size = -(-len(oids) // jobs)
    with contextlib.ExitStack() as stack:
        running = []
        for start in range(0, len(oids), size):
            names = stack.enter_context(tempfile.TemporaryFile())
            names.write(b"\n".join(oids[start : start + size]) + b"\n")
            names.seek(0)
            out = stack.enter_context(tempfile.TemporaryFile())
            # --buffer stops git flushing its output after each object
            proc = start_git(
                ["cat-file", "--batch=%(objecttype) %(objectsize)", "--buffer"],
                gitdir=gitdir,
                stdin=names,
                stdout=out,
                exe=exe,
            )
            running.append((proc, out))
        for proc, _out in running:
            if proc.wait() != 0:
                raise _Unreadable
        blobs: list[bytes] = []
        for _proc, out in running:
            out.seek(0)
            for block in _read_batch(out):
                blobs += block
                while len(blobs) >= chunk:
                    yield blobs[:chunk]
                    del blobs[:chunk]
        if blobs:
            yield blobs


def _read_batch(out: IO[bytes]) -> Iterator[list[bytes]]:
    """The blobs of one ``cat-file --batch`` output file, a block of bytes at a time."""
    rest = b""
    while True:
        block = out.read(READ_BLOCK)
        if not block:
            if rest:
                raise _Unreadable  # output cut short
            return
        data = rest + block if rest else block
        del block
        blobs: list[bytes] = []
        pos = _split_batch(data, blobs)
        rest = data[pos:]
        del data
        yield blobs


def _split_batch(out: bytes, blobs: list[bytes]) -> int:
    """Append the complete blobs of ``cat-file --batch`` output; the offset where the rest starts.

    Raises ``_Unreadable`` if an object is missing or no blob.
    """
    pos = 0
    end = len(out)
    while pos < end:
        stop = out.find(b"\n", pos)
        if stop < 0:
            return pos  # the header continues in the next block
        kind, _, size = out[pos:stop].partition(b" ")
        if kind != b"blob":
            raise _Unreadable  # "<name> missing" or not a blob: walk_blobs says what is wrong
        start = stop + 1
        after = start + int(size)
        if after >= end:  # the blob (or its closing newline) continues in the next block
            return pos
        blobs.append(out[start:after])
        pos = after + 1
    return pos
