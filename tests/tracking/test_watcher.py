"""The watcher: reads by subprocesses are seen; overflows are reported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import lamingit as ln
from lamingit.tracking.watcher import OVERFLOW_MESSAGE, ReadWatcher, watcher_pid


def _watch(root: Path) -> tuple[ReadWatcher, list[str], list[str]]:
    reads: list[str] = []
    problems: list[str] = []
    watcher = ReadWatcher([root], reads.append, problems.append)
    watcher.start()
    return watcher, reads, problems


def test_cat_in_a_subprocess_is_seen(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    target = data / "sub" / "reads.txt"
    target.write_text("hello\n")
    untouched = data / "untouched.txt"
    untouched.write_text("x\n")
    watcher, reads, problems = _watch(data)
    try:
        subprocess.run(["cat", str(target)], check=True, capture_output=True)
        assert watcher.sync()
    finally:
        watcher.stop()
    assert reads == [str(target)]
    assert problems == []
    assert not any(".lamingit-sync-" in p.name for p in data.iterdir())  # sentinels removed


def test_writes_are_not_reads(tmp_path: Path) -> None:
    watcher, reads, _ = _watch(tmp_path)
    try:
        subprocess.run(["sh", "-c", f"echo x > {tmp_path / 'new.txt'}"], check=True)
        assert watcher.sync()
    finally:
        watcher.stop()
    assert reads == []


def test_a_single_watched_file_ignores_its_neighbours(tmp_path: Path) -> None:
    wanted = tmp_path / "wanted.txt"
    other = tmp_path / "other.txt"
    wanted.write_text("1\n")
    other.write_text("2\n")
    watcher, reads, _ = _watch(wanted)
    try:
        subprocess.run(["cat", str(wanted), str(other)], check=True, capture_output=True)
        assert watcher.sync()
    finally:
        watcher.stop()
    assert reads == [str(wanted)]


def test_queue_overflow_is_reported(tmp_path: Path) -> None:
    """Stop the watcher process while a child opens more files than the kernel queue holds."""
    files = tmp_path / "many"
    files.mkdir()
    for i in range(50):
        (files / f"f{i}").write_text("x")
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    watcher, reads, problems = _watch(files)
    pid = watcher_pid()
    assert pid is not None
    child = (
        "import os\n"
        f"names=[os.path.join({str(files)!r}, f'f{{i}}') for i in range(50)]\n"
        f"for i in range({2 * limit}):\n"
        "    os.close(os.open(names[i % 50], os.O_RDONLY))\n"
    )
    os.kill(pid, signal.SIGSTOP)
    try:
        subprocess.run([sys.executable, "-c", child], check=True)
    finally:
        os.kill(pid, signal.SIGCONT)
    # Events are delivered in order: once the sync sentinel arrives, the overflow (queued
    # at the end of the full queue) has been handled.
    assert watcher.sync(timeout=60)
    assert OVERFLOW_MESSAGE in problems
    assert len(reads) == 50  # what the queue held before it overflowed was still read
    # The watcher outlives the overflow (watchdog 7.1.1 killed it): later reads are still seen.
    later = files / "after-the-overflow.txt"
    later.write_text("y")
    subprocess.run(["cat", str(later)], check=True, capture_output=True)
    assert watcher.sync(timeout=60)
    watcher.stop()
    assert str(later) in reads


def test_subprocess_read_of_watched_file_matches_artifact_by_hash(
    repo: Path,
    tmp_path: Path,
    write,  # type: ignore[no-untyped-def]
) -> None:
    data = tmp_path / "external"
    data.mkdir()
    registered = data / "genes.tsv"
    registered.write_text("gene\tscore\nTP53\t1\n")
    plain = data / "notes.txt"
    plain.write_text("not an artifact\n")
    artifact = ln.Artifact(registered, key="genes.tsv").save()
    run = ln.track(watch=[data], capture_output=False)
    subprocess.run(["cat", str(registered), str(plain)], check=True, capture_output=True)
    ln.finish()
    finished = ln.Run.get(run.uid)
    assert [a.uid for a in finished.inputs] == [artifact.uid]
    assert str(plain) in finished.unregistered_reads
    assert finished.tracking_warnings == []


def test_child_read_of_cache_path_links_input(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    artifact = ln.Artifact(write("counts.txt", "1 2 3\n"), key="counts.txt").save()
    other = ln.Artifact(write("other.txt", "other\n"), key="other.txt").save()
    path = other.cache()  # materialized before the run: reading it is the run's only contact
    run = ln.track(capture_output=False)
    subprocess.run(["cat", str(path)], check=True, capture_output=True)
    ln.finish()
    assert [a.uid for a in ln.Run.get(run.uid).inputs] == [other.uid]
    assert artifact.uid not in ln.Run.get(run.uid).inputs


def test_watcher_runs_while_threads_read(tmp_path: Path) -> None:
    files = [tmp_path / f"t{i}.txt" for i in range(20)]
    for f in files:
        f.write_text("x")
    watcher, reads, _ = _watch(tmp_path)
    threads = [
        threading.Thread(target=lambda f=f: subprocess.run(["cat", str(f)], capture_output=True))
        for f in files
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert watcher.sync()
    watcher.stop()
    assert sorted(reads) == sorted(str(f) for f in files)


def test_missing_watch_path_is_recorded_on_the_run(repo: Path, tmp_path: Path) -> None:
    run = ln.track(watch=[tmp_path / "missing"], capture_output=False)
    ln.finish()
    warnings = ln.Run.get(run.uid).tracking_warnings
    assert len(warnings) == 1 and "missing" in warnings[0]


def test_a_watched_file_next_to_a_watched_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    one, other, inside = tmp_path / "a.txt", tmp_path / "c.txt", tmp_path / "sub" / "b.txt"
    for f in (one, other, inside):
        f.write_text("x")
    reads: list[str] = []
    watcher = ReadWatcher([one, tmp_path / "sub"], reads.append, print)
    watcher.start()
    try:
        subprocess.run(["cat", str(one), str(other), str(inside)], check=True, capture_output=True)
        assert watcher.sync()
    finally:
        watcher.stop()
    assert sorted(reads) == sorted([str(one), str(inside)])


def test_a_file_name_that_is_not_utf8_comes_back_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / os.fsdecode(b"caf\xe9 \\ x.txt")  # latin-1 é: not valid UTF-8
    target.write_text("x\n")
    watcher, reads, problems = _watch(tmp_path)
    try:
        subprocess.run(["cat", str(target)], check=True, capture_output=True)
        assert watcher.sync()
    finally:
        watcher.stop()
    assert reads == [str(target)] and problems == []


DEFERRED_SCRIPT = """\
import subprocess, sys
from pathlib import Path
import lamingit as ln
from lamingit.tracking.watcher import watcher_pid
Path("a.txt").write_text("a")
Path("b.txt").write_text("b")
a = ln.Artifact("a.txt", key="a.txt").save()
b = ln.Artifact("b.txt", key="b.txt").save()
run = ln.track(capture_output=False)
print("empty cache, after track:", watcher_pid())
path = a.cache()  # waits for the watches: the watcher process starts now
print("after cache():", watcher_pid() is not None)
ln.finish()
first = run.uid
run = ln.track(capture_output=False)  # the cache holds a file now: started at once
print("cache not empty, after track:", watcher_pid() is not None)
subprocess.run(["cat", str(path)], check=True, capture_output=True)  # read by another process
ln.finish()
print("inputs", first, run.uid)
"""


def test_an_empty_cache_starts_the_watcher_only_when_needed(
    repo: Path, tmp_path: Path, script_runner: Callable[..., CompletedProcess[str]]
) -> None:
    script = tmp_path / "deferred.py"
    script.write_text(DEFERRED_SCRIPT)
    out = script_runner(script, repo).stdout.splitlines()
    assert out[:3] == [
        "empty cache, after track: None",
        "after cache(): True",
        "cache not empty, after track: True",
    ]
    first, second = out[3].split()[1:]
    assert [a.key for a in ln.Run.get(first).input_artifacts.all()] == ["a.txt"]
    # the second run got the cached file only through `cat`: the watcher saw it
    assert [a.key for a in ln.Run.get(second).input_artifacts.all()] == ["a.txt"]
