"""ln.at(REF): the whole API, read-only, as the repository stood at a commit, tag or date."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime

import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument, ReadOnlyError
from lamingit.session import SESSION


def _tag(name: str) -> None:
    gitdir = SESSION.repository().paths.gitdir
    subprocess.run(["git", f"--git-dir={gitdir}", "tag", name], check=True)


def test_at_commits_and_tags(repo, write) -> None:
    ln.Feature(name="n", dtype=int).save()
    a = ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    a.features.add_values({"n": 1})
    _tag("v1")
    b = ln.Artifact(write("b.txt", "b"), key="b.txt").save()
    a.features.add_values({"n": 2})
    a.description = "renamed"
    a.save()
    assert ln.Artifact.filter().count() == 2
    assert ln.at("v1").Artifact.filter().count() == 1
    assert ln.at("v1").Artifact.filter(n=1).one().uid == a.uid
    assert ln.at("v1").Artifact.filter(n=2).count() == 0
    assert ln.at("v1").Artifact.filter(description="renamed").count() == 0
    assert ln.Artifact.filter(n=2).one() == a
    # HEAD~1 is before the rename, after the second feature value
    assert ln.at("HEAD~1").Artifact.filter(n=2).count() == 1
    assert ln.at("HEAD~1").Artifact.filter(description="renamed").count() == 0
    assert ln.at("HEAD~2").Artifact.filter(key="b.txt").one().uid == b.uid
    assert ln.at("HEAD~3").Artifact.filter(key="b.txt").count() == 0
    # the live view is unchanged by historical queries, and vice versa
    assert ln.Artifact.filter(description="renamed").one() == a
    assert ln.at("v1").Feature.get(name="n").dtype == "int"
    with pytest.raises(ReadOnlyError):
        ln.at("v1").Artifact.filter().first().features.add_values({"n": 3})
    with pytest.raises(InvalidArgument, match="not a commit, tag, branch or date"):
        ln.at("no-such-tag")


def test_at_dates(repo, write) -> None:
    ln.Record(name="early").save()
    time.sleep(1.1)  # commit times have one-second resolution
    between = datetime.now(UTC).isoformat()
    time.sleep(1.1)
    ln.Record(name="late").save()
    assert ln.at(between).Record.filter().count() == 1
    today = datetime.now(UTC).date().isoformat()
    assert ln.at(today).Record.filter().count() == 2
    with pytest.raises(InvalidArgument, match="no commit at or before"):
        ln.at("2000-01-01")
