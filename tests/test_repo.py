"""Creating, finding and opening repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import lamingit as ln
from lamingit.errors import NotARepository, RepositoryExists
from lamingit.session import SESSION


def test_init_creates_layout_and_first_commit(tmp_path: Path) -> None:
    repo = ln.init(tmp_path / "mydata")
    assert (repo.root / ".lamingit" / "objects").is_dir()
    assert repo.snapshot().settings_bytes() is not None
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=repo.root, capture_output=True, text=True, check=True
    ).stdout
    assert log.strip() == "initialize lamingit repository"


def test_init_is_idempotent(tmp_path: Path) -> None:
    first = ln.init(tmp_path / "mydata")
    head = first.git.head()
    again = ln.init(tmp_path / "mydata")
    assert again.git.head() == head


def test_init_refuses_non_empty_directory(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("x")
    with pytest.raises(RepositoryExists, match="--force"):
        ln.init(target)
    assert not (target / ".lamingit").exists()
    ln.init(target, force=True)
    assert (target / ".lamingit").is_dir()


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = ln.init(tmp_path / "a").root
    b = ln.init(tmp_path / "b").root
    SESSION.reset()
    # default: the last init
    monkeypatch.chdir(tmp_path)
    assert SESSION.locate() == b
    # walking up from inside a repository
    inside = a / ".lamingit" / "cache"
    monkeypatch.chdir(inside)
    assert SESSION.locate() == a
    # the environment beats discovery
    monkeypatch.setenv("LAMINGIT_REPO", str(b))
    assert SESSION.locate() == b
    # an explicit connect beats everything
    ln.connect(a)
    assert SESSION.locate() == a


def test_no_repository_error_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(NotARepository, match="lamingit init"):
        SESSION.locate()
    with pytest.raises(NotARepository, match="lamingit init"):
        ln.connect(tmp_path)


def test_the_repository_owns_its_query_index(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    from lamingit import index
    from lamingit.query import Q
    from lamingit.records import Snapshot
    from lamingit.repo import Repository

    ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    opened = SESSION.repository()
    snap = opened.snapshot()
    assert snap.owner is opened and index.index_of(snap) is opened.index
    assert [r.key for r in index.select(snap, "artifact", Q())] == ["a.txt"]  # type: ignore[attr-defined]
    assert opened.index.state(snap.commit or "").commit == snap.commit
    other = Repository(repo)  # another open repository: its own index, read from disk
    assert other.index is not opened.index
    assert index.count(other.snapshot(), "artifact", Q()) == 1
    with pytest.raises(index.Unsupported, match="not taken from a repository"):
        index.select(Snapshot(opened.git, snap.commit), "artifact", Q())
    from lamingit.router import select as routed

    assert len(routed(Snapshot(opened.git, snap.commit), "artifact", Q())) == 1  # git scanned
