"""Artifact.from_dir and ln.save(batch_size=)."""

from __future__ import annotations

import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument
from lamingit.session import SESSION


def test_from_dir_one_artifact_per_file(repo, write) -> None:
    write("reads/a.fastq", "@a\nACGT\n+\nIIII\n")
    write("reads/lane2/b.fastq", "@b\nTTTT\n+\nIIII\n")
    write("reads/.hidden", "x")
    artifacts = ln.Artifact.from_dir("reads", key="runs/2025-10")
    assert [a.key for a in artifacts] == ["runs/2025-10/a.fastq", "runs/2025-10/lane2/b.fastq"]
    head = SESSION.repository().git.head()
    ln.save(artifacts, batch_size=1)
    assert ln.Artifact.filter(key__startswith="runs/2025-10/").count() == 2
    newest, first = list(SESSION.repository().git.log(limit=2))  # one commit per batch
    assert first.parents == (head,) and newest.parents == (first.oid,)
    again = ln.Artifact.from_dir("reads")  # default prefix: the folder name; same content → same
    assert [a.uid for a in again] == [a.uid for a in artifacts]
    with pytest.raises(InvalidArgument, match="not a directory"):
        ln.Artifact.from_dir("reads/a.fastq")
    with pytest.raises(InvalidArgument, match="batch_size"):
        ln.save(artifacts, batch_size=0)


def test_from_dir_default_prefix_is_the_folder_name(repo, write) -> None:
    write("plates/p1.csv", "well,value\nA1,1\n")
    assert [a.key for a in ln.Artifact.from_dir("plates")] == ["plates/p1.csv"]
