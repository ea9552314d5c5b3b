"""delete()/restore() on every registry with a trash, and LaminDB's log line (issue 18)."""

from __future__ import annotations

import logging

import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument
from lamingit.session import SESSION


def test_record_delete_moves_to_trash_and_logs(repo, caplog) -> None:
    sample = ln.Record(name="P53mutant1").save()
    with caplog.at_level(logging.INFO, logger="lamingit"):
        sample.delete()
    assert "moved record to trash: Record(" in caplog.text
    assert ln.Record.filter(name="P53mutant1").count() == 0
    assert ln.Record.filter(trashed=True).one() == sample
    sample.restore()
    assert ln.Record.get(name="P53mutant1") == sample


def test_project_permanent_delete_removes_the_record(repo) -> None:
    project = ln.Project(name="old").save()
    project.delete(permanent=True)
    assert ln.Project.filter(trashed=True).count() == 0
    with pytest.raises(ln.Project.DoesNotExist):
        ln.Project.get(project.uid)


def test_artifact_delete_logs_like_lamindb(repo, write, caplog) -> None:
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    with caplog.at_level(logging.INFO, logger="lamingit"):
        artifact.delete()
    assert "moved artifact to trash" in caplog.text


def test_users_and_unsaved_records_are_refused(repo) -> None:
    ln.Project(name="p").save()
    user = ln.User.get(handle="testuser1")
    head = SESSION.repository().git.head()
    with pytest.raises(InvalidArgument, match="cannot be deleted"):
        user.delete()
    with pytest.raises(InvalidArgument, match="never saved"):
        ln.Record(name="draft").delete()
    assert SESSION.repository().git.head() == head
