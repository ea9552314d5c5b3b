"""The bulk rebuild: pieces out of uid order, registries without records written as no files."""

from __future__ import annotations

import shutil

import msgspec

import lamingit as ln
from lamingit import index
from lamingit.index import rebuild
from lamingit.layout import RECORDS
from lamingit.query import Q
from lamingit.router import scan
from lamingit.session import SESSION
from lamingit.storage.git.bulk import read_blobs


def test_pieces_out_of_uid_order_are_sorted_at_the_end(repo, write) -> None:
    """Pieces fed in reverse: the same base frame and value rows as in git's order."""
    ln.Feature(name="n", dtype=int).save()
    for i in range(5):
        a = ln.Artifact(write(f"{i}.txt", str(i)), key=f"{i}.txt").save()
        a.features.add_values({"n": i})
    git = SESSION.repository().git
    head = git.head()
    assert head is not None
    blobs = [item for item in read_blobs(git, head, RECORDS) if "/artifact/" in item[0]]
    in_order = rebuild._RegistryBuilder("artifact")
    in_order.add(blobs)
    reverse = rebuild._RegistryBuilder("artifact")
    for i in range(len(blobs) - 1, -1, -2):
        reverse.add(blobs[max(0, i - 1) : i + 1])
    frame, values = in_order.finish()
    got_frame, got_values = reverse.finish()
    assert got_frame.equals(frame)
    assert got_values.sort("row", "path").equals(values.sort("row", "path"))
    assert frame.get_column("uid").is_sorted()


def test_registries_without_records_have_no_files(repo, write) -> None:
    ln.Feature(name="n", dtype=int).save()
    a = ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    a.features.add_values({"n": 1})
    index_dir = repo / ".lamingit" / "index"
    shutil.rmtree(index_dir, ignore_errors=True)
    SESSION.repository().index.forget()
    assert ln.Artifact.filter(n=1).count() == 1  # rebuilds and writes the base
    manifest = msgspec.json.decode((index_dir / "manifest.json").read_bytes())
    assert "ulabel" in manifest["empty"] and "artifact" not in manifest["empty"]
    files = {p.name for p in (index_dir / manifest["base"]).iterdir()}
    assert "ulabel.parquet" not in files and "artifact.parquet" in files
    # a fresh load answers for the empty registry; records saved into it later are found
    SESSION.repository().index.forget()
    assert ln.ULabel.filter().count() == 0
    label = ln.ULabel(name="first").save()
    assert [u.uid for u in ln.ULabel.filter(name="first")] == [label.uid]
    SESSION.repository().index.forget()
    snapshot = SESSION.repository().snapshot()
    assert [r.uid for r in index.select(snapshot, "ulabel", Q())] == [
        r.uid for r in scan(snapshot, "ulabel", Q())
    ]


def test_a_chunk_splits_by_registry_in_any_order() -> None:
    """Runs found by binary search in git's sorted order; any other order one by one."""
    paths = [
        "records/artifact/A/b/Ab1.json",
        "records/artifact/A/c/Ac2.json",
        "records/feature/F/x/Fx.json",
        "records/user/U/s/Us.json",
        "records/user/U/t/Ut.json",
    ]
    chunk = [(p, p.encode()) for p in paths]
    expected = rebuild._by_registry_one_by_one(chunk)
    assert list(expected) == ["artifact", "feature", "user"]
    assert rebuild._by_registry(chunk) == expected
    shuffled = [chunk[3], chunk[0], chunk[4], chunk[2], chunk[1]]
    assert rebuild._by_registry(shuffled) == rebuild._by_registry_one_by_one(shuffled)
    assert rebuild._by_registry(shuffled)["user"] == [chunk[3], chunk[4]]
    odd = [*chunk, ("records/README", b"")]  # not a registry's record: a piece of its own
    assert rebuild._by_registry(odd) == rebuild._by_registry_one_by_one(odd)
