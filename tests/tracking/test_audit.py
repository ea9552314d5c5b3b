"""The audit hook: records in-process read-only opens while a ReadLog is current."""

from __future__ import annotations

import os
from pathlib import Path

from lamingit.tracking import audit
from lamingit.tracking.reads import ReadLog


def test_hook_records_reads_not_writes_and_is_inert_without_a_log(tmp_path: Path) -> None:
    audit.install()
    audit.install()  # idempotent
    data = tmp_path / "d.csv"
    data.write_text("a\n")
    before = tmp_path / "before.txt"
    before.write_text("b\n")
    assert audit.current() is None
    before.read_text()  # no log current: nothing to record, nothing raised
    log = ReadLog(tmp_path / "repo")
    previous = audit.set_current(log)
    try:
        data.read_text()
        with open(tmp_path / "w.txt", "w") as fh:
            fh.write("x")
        os.close(os.open(data, os.O_RDONLY))
        os.close(os.open(tmp_path / "w2.txt", os.O_WRONLY | os.O_CREAT))
        with audit.paused():
            before.read_text()
    finally:
        audit.set_current(previous)
    (tmp_path / "after.txt").write_text("x")
    (tmp_path / "after.txt").read_text()
    assert log.take_paths() == [str(data)]


def test_relative_paths_are_resolved_against_the_cwd_of_the_open(
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    audit.install()
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "r.txt").write_text("r")
    monkeypatch.chdir(sub)
    log = ReadLog(tmp_path / "repo")
    previous = audit.set_current(log)
    try:
        open("r.txt").close()
    finally:
        audit.set_current(previous)
    monkeypatch.chdir(tmp_path)
    assert log.take_paths() == [str(sub / "r.txt")]


def test_code_system_and_repository_internals_are_not_reads(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".lamingit" / "objects").mkdir(parents=True)
    (repo / ".lamingit" / "cache" / "U1").mkdir(parents=True)
    blob = repo / ".lamingit" / "objects" / "blob"
    cached = repo / ".lamingit" / "cache" / "U1" / "x.csv"
    mod = tmp_path / "helper.py"
    for f in (blob, cached, mod):
        f.write_text("x")
    ignored = tmp_path / "saved.csv"
    ignored.write_text("s")
    log = ReadLog(repo)
    log.ignore(ignored)
    for f in (blob, cached, mod, ignored, Path(os.__file__)):
        log.raw.add((str(f), None))
    assert log.take_paths() == [str(cached)]
    assert log.take_paths() == []  # taken once


def test_a_chdir_between_relative_opens_is_followed(
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """The hook caches the cwd for relative paths; os.chdir (an audit event) resets it."""
    audit.install()
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "r.txt").write_text(name)
    monkeypatch.chdir(tmp_path / "a")
    log = ReadLog(tmp_path / "repo")
    previous = audit.set_current(log)
    try:
        open("r.txt").close()
        os.chdir(tmp_path / "b")
        os.close(os.open(Path("r.txt"), os.O_RDONLY))  # a relative Path through os.open
    finally:
        audit.set_current(previous)
    assert log.take_paths() == [str(tmp_path / "a" / "r.txt"), str(tmp_path / "b" / "r.txt")]


def test_a_malformed_open_event_from_a_library_does_not_fail_it(tmp_path: Path) -> None:
    import sys

    audit.install()
    log = ReadLog(tmp_path / "repo")
    previous = audit.set_current(log)
    try:
        sys.audit("open", "only-a-path")  # anyone may raise "open" with other arguments
        sys.audit("open", str(tmp_path / "x"), "r", None)
    finally:
        audit.set_current(previous)
