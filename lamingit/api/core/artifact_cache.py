"""Copying an artifact's blob into the cache only when the cached copy is stale."""

from __future__ import annotations

import os
from pathlib import Path

from lamingit.repo import Repository


def copy_if_stale(repo: Repository, oid: str, dest: Path, size: int) -> None:
    """Copy a blob to ``dest`` unless an untouched copy is already there.

    Example:
        >>> copy_if_stale(repo, artifact.hash, Path("cache/a.csv"), artifact.size)  # doctest: +SKIP
    """
    blob = repo.blob_path(oid)
    blob_mtime = blob.stat().st_mtime_ns
    if dest.exists():
        st = dest.stat()
        if st.st_size == size and st.st_mtime_ns == blob_mtime:
            return
    repo.blobs.copy_out(oid, dest)
    os.utime(dest, ns=(blob_mtime, blob_mtime))


__all__ = ["copy_if_stale"]
