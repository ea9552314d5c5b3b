"""ln.Storage: the local blob store and the blob remote, artifact.storage."""

from __future__ import annotations

import pytest

import lamingit as ln
from lamingit.errors import DoesNotExist, InvalidArgument


def test_local_storage_and_artifact_storage(repo, write) -> None:
    local = ln.Storage.get(type="local")
    assert local.root == str(repo / ".lamingit" / "objects") and not local.is_remote
    artifact = ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    assert artifact.storage == local
    assert str(artifact.path).startswith(artifact.storage.root)
    assert ln.Storage.filter(is_remote=True) == []
    with pytest.raises(DoesNotExist, match="remote add"):
        ln.Storage.get(is_remote=True)
    with pytest.raises(InvalidArgument, match="root="):
        ln.Storage.filter(name="x")
