"""Who the acting user is."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

import lamingit as ln
from lamingit.session import current_identity, user_uid


def test_os_user_is_the_fallback() -> None:
    assert current_identity().handle == getpass.getuser()


def test_git_config_beats_os_user(isolated_home: Path) -> None:
    (isolated_home / ".gitconfig").write_text("[user]\n\tname = Ann Lee\n\temail = ann@lab.org\n")
    ident = current_identity()
    assert (ident.handle, ident.name, ident.email) == ("ann", "Ann Lee", "ann@lab.org")


def test_env_beats_git_and_login_beats_env(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    (isolated_home / ".gitconfig").write_text("[user]\n\tname = Ann\n\temail = ann@lab.org\n")
    monkeypatch.setenv("LAMINGIT_USER", "envuser")
    assert current_identity().handle == "envuser"
    ln.login("testuser1", name="Test User1")
    assert current_identity().handle == "testuser1"
    assert current_identity().name == "Test User1"


def test_user_uid_is_stable() -> None:
    assert user_uid("testuser1") == user_uid("testuser1") != user_uid("testuser2")
    assert len(user_uid("x")) == 8


def test_saves_are_attributed(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    ln.login("testuser2", name="Test User2")
    artifact = ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    assert artifact.created_by.handle == "testuser2"
    assert ln.User.get(handle="testuser2").name == "Test User2"
    assert ln.Artifact.filter(created_by__handle="testuser2").count() == 1
