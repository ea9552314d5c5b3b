"""ln.Storage lists the blob remote a repository pushes to."""

from __future__ import annotations

from pathlib import Path

import lamingit as ln


def test_blob_remote_is_a_storage(origin: Path, blob_dir: Path) -> None:
    remote = ln.Storage.get(is_remote=True)
    assert remote.root == str(blob_dir) and remote.type == "directory"
    assert [s.type for s in ln.Storage.filter()] == ["local", "directory"]
