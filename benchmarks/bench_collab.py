"""Collaboration speed: clone + first query, push of new records with blobs, no-op push/pull.

Run: ``python benchmarks/bench_collab.py`` (10k-record clone) or ``--full`` (100k records,
1,000 commits for the push), from the repository root.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build_big_remote(remote: Path, n: int) -> None:
    """A bare repository holding ``n`` artifact records (metadata only) in one packed commit.

    Written with ``git fast-import`` (setup speed only): the records, their lookup entries
    and ``lamingit.toml`` are exactly what lamingit itself would commit.
    """
    import subprocess

    import msgspec

    from lamingit._util import dump_toml, random_base62, utcnow_iso
    from lamingit.layout import lookup_path, record_path
    from lamingit.models import ArtifactRecord, encode
    from lamingit.records import lookup_values
    from lamingit.remote import gitcli
    from lamingit.storage.hashing import hash_bytes

    gitcli.init_bare_remote(remote)
    files: dict[str, bytes] = {
        "lamingit.toml": dump_toml({"repository": {"format_version": "1"}}),
    }
    lookups: dict[str, list[str]] = {}
    now = utcnow_iso()
    for i in range(n):
        record = ArtifactRecord(
            uid=random_base62(16) + "0000",
            created_at=now,
            created_by="bench0001",
            key=f"data/{i // 1000}/file{i}.txt",
            suffix=".txt",
            size=1000,
            hash=hash_bytes(f"content {i}".encode()),
            version="1",
        )
        files[record_path("artifact", record.uid)] = encode(record)
        for name, value in lookup_values(record):
            lookups.setdefault(lookup_path(name, value), []).append(record.uid)
    for path, uids in lookups.items():
        files[path] = msgspec.json.encode(sorted(uids))
    chunks = [
        b"commit refs/heads/main\n",
        b"committer bench <bench@x> 1700000000 +0000\n",
        b"data 5\nbulk\n",
    ]
    for path, data in files.items():
        chunks.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode())
        chunks.append(data + b"\n")
    subprocess.run(
        ["git", "--git-dir", str(remote), "fast-import", "--quiet"],
        input=b"".join(chunks),
        check=True,
    )


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="issue sizes (100k records)")
    args = parser.parse_args()
    n_records = 100_000 if args.full else 10_000
    n_push = 1_000
    push_commits = 1_000 if args.full else 100

    tmp = Path(tempfile.mkdtemp(prefix="bench-collab-"))
    os.environ.update(
        {
            "HOME": str(tmp / "home"),
            "XDG_CONFIG_HOME": str(tmp / "home" / ".config"),
            "GIT_CONFIG_GLOBAL": str(tmp / "home" / ".gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "LAMINGIT_USER": "bench",
        }
    )
    (tmp / "home").mkdir()
    import lamingit as ln
    from lamingit.remote import gitcli
    from lamingit.remote.sync import clone, pull, push, set_blob_remote
    from lamingit.session import SESSION

    rows: list[tuple[str, str, str]] = []
    author = ("bench", "bench@x")

    # 1. clone of an n-record repository + its first query
    remote = tmp / "big-remote.git"
    t_build, _ = timed(lambda: build_big_remote(remote, n_records))
    t_raw, _ = timed(lambda: clone(f"file://{remote}", tmp / "big-clone-raw"))
    # Git servers keep their repositories packed with reachability bitmaps (`git gc` writes
    # them for bare repositories); a clone then skips the object walk on the server side.
    t_gc, _ = timed(lambda: gitcli.run_git(["gc", "--quiet"], gitdir=remote))
    t_clone, copy = timed(lambda: clone(f"file://{remote}", tmp / "big-clone"))
    SESSION.connect(copy.root)
    t_get, found = timed(lambda: ln.Artifact.get(key="data/3/file3333.txt"))
    assert found.key == "data/3/file3333.txt"
    t_count, count = timed(lambda: ln.Artifact.filter(suffix=".txt").count())
    assert count == n_records
    t_path_clone, _ = timed(lambda: clone(str(remote), tmp / "big-clone-path"))
    rows.append((f"build {n_records:,}-record repo (setup)", f"{t_build:.2f} s", "-"))
    rows.append(
        (f"clone {n_records:,} records (local path: hard links)", f"{t_path_clone:.2f} s", "-")
    )
    rows.append(
        (f"clone {n_records:,} records (file://, remote never gc'd)", f"{t_raw:.2f} s", "-")
    )
    rows.append(("git gc on the remote (server maintenance, setup)", f"{t_gc:.2f} s", "-"))
    rows.append((f"clone {n_records:,} records (file://, gc'd remote)", f"{t_clone:.2f} s", "-"))
    rows.append(("  + first query get(key=)", f"{t_clone + t_get:.2f} s", "≤ 5 s"))
    rows.append(
        ("  + first filter().count() (builds the index)", f"{t_clone + t_count:.2f} s", "≤ 5 s")
    )

    # 2. no-op push / pull on that clone
    t_noop_pull, res = timed(lambda: pull(copy, author))
    assert res.kind == "up-to-date"
    t_noop_push, pres = timed(lambda: push(copy))
    assert pres.up_to_date
    rows.append((f"no-op pull ({n_records:,} records)", f"{t_noop_pull * 1000:.0f} ms", "≤ 500 ms"))
    rows.append((f"no-op push ({n_records:,} records)", f"{t_noop_push * 1000:.0f} ms", "≤ 500 ms"))

    # 3. push of 1,000 new records with 1 KB blobs to a directory remote
    work = tmp / "work"
    work.mkdir()
    repo = ln.init(tmp / "small")
    small_remote = tmp / "small-remote.git"
    gitcli.init_bare_remote(small_remote)
    gitcli.add_remote(repo.paths.gitdir, "origin", str(small_remote))
    blobs = tmp / "blobstore"
    blobs.mkdir()
    set_blob_remote(repo, str(blobs), author)
    push(repo)
    per_commit = n_push // push_commits
    t0 = time.perf_counter()
    for c in range(push_commits):
        arts = []
        for i in range(c * per_commit, (c + 1) * per_commit):
            path = work / f"f{i}.bin"
            path.write_bytes(os.urandom(1024))
            arts.append(ln.Artifact(path, key=f"new/f{i}.bin"))
        ln.save(arts)
    t_save = time.perf_counter() - t0
    t_push, pres = timed(lambda: push(repo))
    assert pres.blobs_uploaded == n_push
    rows.append(
        (f"save {n_push:,} records in {push_commits} commits (setup)", f"{t_save:.2f} s", "-")
    )
    rows.append(
        (
            f"push {n_push:,} records + 1 KB blobs ({push_commits} commits)",
            f"{t_push:.2f} s",
            "≤ 5 s",
        )
    )
    t_noop2, _ = timed(lambda: push(repo))
    rows.append(("no-op push right after", f"{t_noop2 * 1000:.0f} ms", "≤ 500 ms"))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'figure':>10}  target")
    for name, figure, target in rows:
        print(f"{name:<{width}}  {figure:>10}  {target}")


if __name__ == "__main__":
    main()
