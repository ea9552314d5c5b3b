"""The watcher process: one per tracked process, gone with its parent, never lost silently."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import lamingit as ln
from lamingit.session import SESSION
from lamingit.tracking.watcher import watcher_pid

PACKAGE_ROOT = str(Path(ln.__file__).resolve().parent.parent)


def _state(pid: int) -> str | None:
    """The process state letter (R, S, Z, ...) or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _is_watcher(pid: int) -> bool:
    try:
        return b"watch_child.main()" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False


def _gone(pid: int, within: float = 10.0) -> bool:
    """Whether ``pid`` exits (or is a zombie: it exited, nobody reaped it yet) in time."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if _state(pid) in (None, "Z", "X"):
            return True
        time.sleep(0.02)
    return False


def _my_watchers() -> list[int]:
    """The watcher processes whose parent is this process."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and _is_watcher(int(entry)):
            found.append(int(entry))
    return found


def _inotify_watches(pid: int) -> int:
    """How many inotify watches the process holds (lines of its inotify fds' fdinfo)."""
    count = 0
    for info in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            count += info.read_text().count("inotify wd:")
        except (FileNotFoundError, ProcessLookupError):
            continue
    return count


def _wait_for(predicate, within: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _first_line(proc: subprocess.Popen[str]) -> list[str]:
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline().split()
    if not line:
        raise AssertionError(f"the script failed:\n{proc.stderr.read()}")
    return line


def _spawn(script: Path, repo: Path, **kwargs) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    env = dict(os.environ)
    env["PYTHONPATH"] = PACKAGE_ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["LAMINGIT_REPO"] = str(repo)
    env["LAMINGIT_USER"] = "testuser1"
    return subprocess.Popen(
        [sys.executable, str(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=script.parent,
        **kwargs,
    )


TRACK_AND_WAIT = """\
import sys
import pytest

import lamingit as ln
from lamingit.tracking.watcher import watcher_pid
run = ln.track(watch=[{data!r}], capture_output=False)
print(run.uid, watcher_pid(), flush=True)
sys.stdin.readline()  # until the test says
"""


def test_the_watcher_process_exits_with_its_parent(repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    script = tmp_path / "normal_exit.py"
    script.write_text(TRACK_AND_WAIT.format(data=str(data)) + "ln.finish()\n")
    proc = _spawn(script, repo)
    assert proc.stdout is not None and proc.stdin is not None
    _uid, pid = _first_line(proc)
    assert _is_watcher(int(pid)) and _inotify_watches(int(pid)) > 0
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    assert _gone(int(pid))


def test_a_killed_parent_leaves_no_watcher_behind(repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    script = tmp_path / "crash.py"
    script.write_text(TRACK_AND_WAIT.format(data=str(data)))
    proc = _spawn(script, repo)
    assert proc.stdout is not None
    _uid, pid = _first_line(proc)
    assert _is_watcher(int(pid))
    proc.kill()  # SIGKILL: no atexit, no finish()
    proc.wait(timeout=60)
    assert _gone(int(pid))


def test_a_forked_copy_of_the_parent_does_not_keep_the_watcher_alive(
    repo: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    script = tmp_path / "fork.py"
    script.write_text(
        TRACK_AND_WAIT.format(data=str(data)).replace(
            "sys.stdin.readline()",
            "import os, time\n"
            "from lamingit.tracking import watcher\n"
            "pipes = {f'pipe:[{os.fstat(fd).st_ino}]'\n"
            "         for fd in (watcher._CHILD.to_child, watcher._CHILD.from_child)}\n"
            "child = os.fork()\n"
            "if child == 0:\n"
            "    # the copy closed the parent's pipes to its watcher and forgot it\n"
            "    held = []\n"
            "    for fd in os.listdir('/proc/self/fd'):\n"
            "        try:\n"
            "            held += [fd] if os.readlink(f'/proc/self/fd/{fd}') in pipes else []\n"
            "        except OSError:\n"
            "            pass\n"
            "    with open('copy.tmp', 'w') as fh:\n"
            "        fh.write(f'holds {len(held)} sees {watcher_pid()}')\n"
            "    os.rename('copy.tmp', 'copy.txt')\n"
            "    time.sleep(60)\n"
            "    os._exit(0)\n"
            "print('fork', child, flush=True)\n"
            "sys.stdin.readline()",
        )
    )
    proc = _spawn(script, repo)
    assert proc.stdout is not None
    _uid, pid = _first_line(proc)
    fork_pid = int(proc.stdout.readline().split()[1])
    report = tmp_path / "copy.txt"
    try:
        assert _wait_for(report.exists)
        assert report.read_text() == "holds 0 sees None"
        proc.kill()
        proc.wait(timeout=60)
        assert _state(fork_pid) not in (None, "Z")  # the copy lives on ...
        assert _gone(int(pid))  # ... and the watcher still went with its parent
    finally:
        os.kill(fork_pid, signal.SIGKILL)


def test_ctrl_c_interrupts_the_run_not_its_watcher(repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    target = data / "input.txt"
    target.write_text("read by cat\n")
    script = tmp_path / "interrupted.py"
    script.write_text(
        TRACK_AND_WAIT.format(data=str(data)).replace(
            "sys.stdin.readline()  # until the test says",
            "import subprocess, time\n"
            f"subprocess.run(['cat', {str(target)!r}], check=True, capture_output=True)\n"
            "print('ready', flush=True)\n"
            "time.sleep(60)",
        )
    )
    proc = _spawn(script, repo, start_new_session=True)  # its own group, as in a terminal
    assert proc.stdout is not None
    uid, pid = _first_line(proc)
    assert proc.stdout.readline().strip() == "ready"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    proc.wait(timeout=60)
    run = ln.Run.get(uid)
    assert run.status == "aborted"
    assert str(target) in run.unregistered_reads  # the watcher answered finish()'s sync
    assert run.tracking_warnings == []
    assert _gone(int(pid))


def test_runs_reuse_one_watcher_and_finish_releases_its_watches(repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    target = data / "x.txt"
    target.write_text("x\n")
    pids = set()
    for _ in range(3):
        run = ln.track(watch=[data], capture_output=False)
        pid = watcher_pid()
        assert pid is not None and _inotify_watches(pid) > 0
        pids.add(pid)
        subprocess.run(["cat", str(target)], check=True, capture_output=True)
        ln.finish()
        assert ln.Run.get(run.uid).unregistered_reads == [str(target)]
        assert _wait_for(lambda pid=pid: _inotify_watches(pid) == 0)
    assert len(pids) == 1
    assert _my_watchers() == [pids.pop()]


def test_a_dead_watcher_is_recorded_on_the_run_and_replaced(repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    target = data / "x.txt"
    target.write_text("x\n")
    run = ln.track(watch=[data], capture_output=False)
    pid = watcher_pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert _gone(pid)
    ln.finish()
    assert any("watcher process died" in w for w in ln.Run.get(run.uid).tracking_warnings)
    run = ln.track(watch=[data], capture_output=False)
    assert watcher_pid() not in (None, pid)
    subprocess.run(["cat", str(target)], check=True, capture_output=True)
    ln.finish()
    again = ln.Run.get(run.uid)
    assert again.unregistered_reads == [str(target)] and again.tracking_warnings == []


def test_a_script_run_records_what_cat_reads(repo: Path, tmp_path: Path, script_runner) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir()
    read, unread = data / "read.txt", data / "unread.txt"
    read.write_text("r\n")
    unread.write_text("u\n")
    script = tmp_path / "uses_cat.py"
    script.write_text(
        "import subprocess\n"
        "import lamingit as ln\n"
        f"run = ln.track(watch=[{str(data)!r}])\n"
        f"subprocess.run(['cat', {str(read)!r}], check=True)\n"
        "ln.finish()\n"
        "print(run.uid)\n"
    )
    uid = script_runner(script, repo).stdout.split()[-1]
    run = ln.Run.get(uid)
    assert run.unregistered_reads == [str(read)]  # seen only by the watcher: cat is not Python
    assert run.tracking_warnings == []


def test_a_watcher_that_cannot_watch_is_recorded_on_the_run(repo: Path, tmp_path: Path) -> None:
    """Out of inotify instances/watches (EMFILE, ENOSPC): a warning on the run, not silence."""
    import resource

    data = tmp_path / "data"
    data.mkdir()
    ln.track(watch=[data], capture_output=False)  # the watcher process is up and warm
    ln.finish()
    pid = watcher_pid()
    assert pid is not None
    assert _wait_for(lambda: _inotify_watches(pid) == 0)  # the last run's instance is closed
    used = {int(fd) for fd in os.listdir(f"/proc/{pid}/fd")}
    lowest_free = min(set(range(len(used) + 1)) - used)
    limits = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    # No descriptor left: watchdog's next inotify_init() fails with EMFILE, as it would when
    # the per-user limit of inotify instances is reached.
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (lowest_free, limits[1]))
    try:
        run = ln.track(watch=[data], capture_output=False)
        ln.finish()
    finally:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, limits)
    (warning,) = ln.Run.get(run.uid).tracking_warnings
    assert "the watcher could not start" in warning and f"[Errno {errno.EMFILE}]" in warning
    assert watcher_pid() == pid  # the process itself is fine and serves the next run
    run = ln.track(watch=[data], capture_output=False)
    ln.finish()
    assert ln.Run.get(run.uid).tracking_warnings == []


def test_a_hung_watcher_is_stopped_and_recorded(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lamingit.tracking import watcher as watcher_module

    monkeypatch.setattr(watcher_module, "_REPLY_MARGIN", 0.5)
    problems: list[str] = []
    watcher = watcher_module.ReadWatcher([tmp_path], print, problems.append)
    watcher.start()
    pid = watcher_pid()
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # alive, but answers nothing
    assert not watcher.sync(timeout=0.2)
    watcher.stop()
    assert _gone(pid)
    assert problems == [
        "the watcher process did not answer within 1 s and was stopped: reads by other "
        "processes during this run may be missing from its inputs"
    ]


def _stopped_watcher(monkeypatch: pytest.MonkeyPatch) -> int:
    """A warm watcher process, stopped (SIGSTOP): it answers nothing until SIGCONT."""
    from lamingit.tracking import watcher as watcher_module

    monkeypatch.setattr(watcher_module, "_REPLY_MARGIN", 0.5)
    cache = SESSION.repository().paths.cache
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "placeholder").write_text("x")  # a cache in use: track() starts the watcher
    ln.track(capture_output=False)
    ln.finish()
    pid = watcher_pid()
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    return pid


def test_a_short_run_does_not_wait_for_the_cache_watch(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the watches are in place the watcher has seen nothing: finish() skips it."""
    pid = _stopped_watcher(monkeypatch)
    try:
        run = ln.track(capture_output=False)  # the cache only: track() does not wait
        ln.finish()
    finally:
        os.kill(pid, signal.SIGCONT)
    assert ln.Run.get(run.uid).tracking_warnings == []
    assert watcher_pid() == pid  # nobody waited for it, so nobody gave up on it


def test_cache_waits_for_the_cache_watch(
    repo: Path,
    write,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    """A path handed out by cache() may go to a subprocess next: the watch must be in place."""
    artifact = ln.Artifact(write("counts.txt", "1 2 3\n"), key="counts.txt").save()
    pid = _stopped_watcher(monkeypatch)
    try:
        run = ln.track(capture_output=False)
        artifact.cache()  # waits for the stopped watcher, which never answers
        ln.finish()
    finally:
        with contextlib.suppress(ProcessLookupError):  # killed for not answering
            os.kill(pid, signal.SIGCONT)
    (warning,) = ln.Run.get(run.uid).tracking_warnings
    assert "the watcher process did not answer" in warning
    assert _gone(pid)


def test_a_subprocess_waits_for_the_cache_watch(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first process a run starts could read a cache path at once (audit hook)."""
    pid = _stopped_watcher(monkeypatch)
    try:
        run = ln.track(capture_output=False)
        subprocess.run(["true"], check=True)  # waits for the stopped watcher first
        ln.finish()
    finally:
        with contextlib.suppress(ProcessLookupError):  # killed for not answering
            os.kill(pid, signal.SIGCONT)
    (warning,) = ln.Run.get(run.uid).tracking_warnings
    assert "the watcher process did not answer" in warning


def test_the_session_runs_on_watchdogs_inotify(tmp_path: Path) -> None:
    """The child's engine: watchdog's InotifyFD with our mask, driven by our own loop."""
    from watchdog.observers.inotify_c import InotifyFD

    from lamingit.tracking.watch_child import Session, load_watchdog

    inotify_type, problem = load_watchdog()
    assert inotify_type is InotifyFD and problem == ""
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "a.txt").write_text("a")
    session = Session(InotifyFD, [(os.fsencode(tmp_path), True)])
    try:
        assert isinstance(session.inotify, InotifyFD) and not session.inotify.is_alive()
        (tmp_path / "new").mkdir()  # a new subdirectory is watched once its event is handled
        assert session.sync(5.0)
        (tmp_path / "new" / "b.txt").write_text("b")
        subprocess.run(
            ["cat", str(tmp_path / "old" / "a.txt"), str(tmp_path / "new" / "b.txt")],
            check=True,
            capture_output=True,
        )
        assert session.sync(5.0)
        reads, warnings = session.take()
    finally:
        session.close()
    expected = [os.fsencode(tmp_path / "new" / "b.txt"), os.fsencode(tmp_path / "old" / "a.txt")]
    assert sorted(reads) == expected and warnings == []
    assert _inotify_watches(os.getpid()) == 0  # close() released the instance


def test_the_child_loads_watchdogs_inotify_layer_only() -> None:
    """The watcher interpreter skips watchdog.observers' Observer selection (~15 ms of start)."""
    from lamingit.tracking.watcher import _child_code

    probe = (
        "fd, problem = watch_child.load_watchdog(); "
        "print(fd.__module__, problem == '', 'watchdog.observers.inotify' in sys.modules, "
        "'watchdog.events' in sys.modules)"
    )
    code = _child_code().replace("watch_child.main()", probe)
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["watchdog.observers.inotify_c", "True", "False", "False"]


def test_the_plain_watchdog_import_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from watchdog.observers.inotify_c import InotifyFD

    from lamingit.tracking import watch_child

    monkeypatch.delitem(sys.modules, "watchdog.observers", raising=False)
    monkeypatch.delitem(sys.modules, "watchdog.observers.inotify_c", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    loaded = watch_child._import_inotify_fd()
    assert loaded.__name__ == InotifyFD.__name__
    assert hasattr(sys.modules["watchdog.observers"], "Observer")  # the real package ran
