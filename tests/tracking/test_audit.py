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


def test_the_c_hook_is_built_where_a_compiler_exists() -> None:
    import shutil

    if not (shutil.which("cc") or shutil.which("gcc")):
        import pytest

        pytest.skip("no C compiler: the Python hook is used")
    assert audit.HOOK_KIND == "C"


def test_reads_after_take_paths_are_still_recorded(tmp_path: Path) -> None:
    audit.install()
    first, second = tmp_path / "1.txt", tmp_path / "2.txt"
    first.write_text("1")
    second.write_text("2")
    log = ReadLog(tmp_path / "repo")
    previous = audit.set_current(log)
    try:
        first.read_text()
        assert log.take_paths() == [str(first)]
        open(str(second)).close()  # absolute str: recorded by the C hook into the new set
    finally:
        audit.set_current(previous)
    assert log.take_paths() == [str(second)]


_SCENARIO = """
import os, sys
from pathlib import Path
from lamingit.tracking import audit
from lamingit.tracking.reads import ReadLog
root = Path(sys.argv[1])
audit.install()
log = ReadLog(root / "repo")
audit.set_current(log)
open(str(root / "abs.txt")).close()
open(root / "pathlib.txt").close()
open(os.fsencode(root / "bytes.txt")).close()
os.chdir(root / "sub")
open("rel.txt").close()
open(str(root / "written.txt"), "w").close()
open(str(root / "appended.txt"), "a").close()
os.close(os.open(str(root / "osopen.txt"), os.O_RDONLY))
os.close(os.open(str(root / "oswrite.txt"), os.O_WRONLY | os.O_CREAT))
with open(str(root / "abs.txt"), "r+") as fh:
    fh.read()
audit.set_current(None)
print(audit.HOOK_KIND)
print("\\n".join(log.take_paths()))
"""


def test_c_and_python_hooks_record_the_same_reads(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "sub").mkdir()
    for name in ("abs.txt", "pathlib.txt", "bytes.txt", "sub/rel.txt", "osopen.txt"):
        (tmp_path / name).write_text("x")
    outputs = {}
    for kind in ("C", "python"):
        env = {**os.environ, "LAMINGIT_AUDIT_HOOK": kind}
        done = subprocess.run(
            [sys.executable, "-c", _SCENARIO, str(tmp_path)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        used, *paths = done.stdout.splitlines()
        outputs[kind] = (used, paths)
    assert outputs["python"][0] == "Python"
    assert outputs["C"][0] == audit.HOOK_KIND
    expected = sorted(
        str(tmp_path / n)
        for n in ("abs.txt", "pathlib.txt", "bytes.txt", "sub/rel.txt", "osopen.txt")
    )
    assert outputs["python"][1] == expected
    assert outputs["C"][1] == expected


def _c_hook_or_skip():  # type: ignore[no-untyped-def]
    import pytest

    if audit.HOOK_KIND != "C":
        pytest.skip("the C hook is not built here")
    from lamingit.tracking import _audit_c  # type: ignore[attr-defined]

    return _audit_c


def test_the_c_hooks_list_of_opens_stays_short_however_many_opens(tmp_path: Path) -> None:
    """The C hook appends each open to a list and moves it into the set when it grows long."""
    _c_hook_or_skip()
    audit.install()
    many = [tmp_path / f"{i}.txt" for i in range(3)]
    for f in many:
        f.write_text("x")
    log = ReadLog(tmp_path / "repo")
    previous = audit.set_current(log)
    try:
        for _ in range(14_000):  # 42,000 opens, more than one list's worth
            for f in many:
                open(f, "rb").close()
        longest = len(log.opened)
    finally:
        audit.set_current(previous)
    assert longest < 32_768
    assert {str(f) for f in many} <= log.raw
    assert log.take_paths() == sorted(str(f) for f in many)
    assert log.opened == [] and log.raw == set()


def test_the_c_hook_target_must_be_a_list_and_a_set() -> None:
    import pytest

    c = _c_hook_or_skip()
    with pytest.raises(TypeError, match="a list and a set, or None"):
        c.set_target(set())
    with pytest.raises(TypeError, match="a list and a set, or None"):
        c.set_target([], [])
    c.set_target(None)
