"""The background pack merge: started by saves, one at a time, and never in a save's way."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import lamingit as ln
import lamingit.auto_pack as auto_pack
from lamingit._util import FileLock
from lamingit.fsck import fsck
from lamingit.pack_worker import merge_packs
from lamingit.repo import Repository
from lamingit.session import SESSION


def test_saves_merge_packs_in_a_background_worker(repo: Path, write, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(auto_pack, "AUTO_PACK_PACKS", 12)
    repo_obj = SESSION.repository()
    started = False
    for i in range(80):
        ln.Artifact(write("a.txt", f"v{i}"), key=f"k{i % 7}.txt").save()
        started |= repo_obj.packing.worker is not None  # the save returned; its merge runs on
    # Saves outpace a merge (a fresh interpreter, then git): whether one ends during these 80
    # saves depends on the machine. The bound holds once one more save can start a merge of
    # what piled up meanwhile.
    repo_obj.wait_for_pack_merge()
    ln.Artifact(write("a.txt", "last"), key="last.txt").save()
    repo_obj.wait_for_pack_merge()
    assert started  # merged by a worker process, not inside a save
    # one pack per save: 81 saves would leave 81 packs without the worker
    assert repo_obj.git.pack_count() < 12, repo_obj.git.pack_count()
    assert (repo / ".lamingit" / "pack.log").read_bytes() == b""  # the worker printed no error
    assert ln.Artifact.filter().count() == 81
    assert fsck(Repository(repo)).ok


def test_a_save_does_not_wait_for_a_running_merge(repo: Path, write, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(auto_pack, "AUTO_PACK_PACKS", 2)
    repo_obj = SESSION.repository()
    with FileLock(repo_obj.paths.pack_lock):  # a merge of another process is running
        for i in range(5):
            t0 = time.perf_counter()
            ln.Artifact(write("a.txt", f"v{i}"), key="a.txt").save()
            assert time.perf_counter() - t0 < 5.0
        assert repo_obj.packing.worker is None  # none started beside the running merge
    assert repo_obj.git.pack_count() >= 5


def test_a_second_worker_exits_while_a_merge_runs(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    for i in range(10):  # one pack per save: more than a merge leaves alone
        ln.Artifact(write("a.txt", f"v{i}"), key="a.txt").save()
    root = SESSION.repository().root
    git = SESSION.repository().git
    with FileLock(root / ".lamingit" / "pack.lock"):
        assert merge_packs(root) is False
    assert git.pack_count() > 10
    assert merge_packs(root) is True
    assert git.pack_count() < 4
    assert ln.Artifact.get(key="a.txt").version == "10"


def test_without_a_python_to_start_the_merge_runs_in_the_save(
    repo: Path, write, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(auto_pack, "AUTO_PACK_PACKS", 12)
    monkeypatch.setattr(auto_pack.sys, "executable", str(repo / "no-such-python"))
    for i in range(14):
        ln.Artifact(write("a.txt", f"v{i}"), key="a.txt").save()
    assert SESSION.repository().git.pack_count() < 12
    assert SESSION.repository().packing.worker is None


def test_a_merge_killed_midway_loses_nothing(repo: Path, write, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(auto_pack, "AUTO_PACK_PACKS", 10**6)  # no merge while saving
    for i in range(60):
        ln.Artifact(write("a.txt", f"v{i}"), key=f"k{i % 9}.txt").save()
    repo_obj = SESSION.repository()
    for n, delay in enumerate((0.02, 0.08, 0.15, 0.3), start=1):
        monkeypatch.setattr(auto_pack, "AUTO_PACK_PACKS", 2)
        ln.Artifact(write("a.txt", f"d{delay}"), key="killed.txt").save()  # starts the worker
        worker = repo_obj.packing.worker
        assert worker is not None
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)  # the worker and its git processes
        worker.wait()
        repo_obj.packing.worker = None
        fresh = Repository(repo)
        assert fsck(fresh).ok
        assert ln.Artifact.filter().count() == 60 + n
    assert merge_packs(repo_obj.root) is True  # the lock died with the worker
    assert ln.Artifact.get(key="k3.txt").version == "7"
    assert fsck(Repository(repo)).ok


def test_a_repository_collected_while_its_merge_runs_does_not_warn(repo: Path) -> None:
    import gc
    import warnings

    repo_obj = Repository(repo)
    repo_obj.packing.start_worker()
    worker = repo_obj.packing.worker
    assert worker is not None and worker.poll() is None  # a fresh interpreter: still starting
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del repo_obj, worker
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    for running in list(auto_pack._RUNNING_WORKERS):
        running.wait(60)
