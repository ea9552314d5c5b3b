"""Artifacts: saving, identity, dedup, versions, retrieval, content, delete/restore."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

import lamingit as ln
from lamingit.errors import DoesNotExist, IntegrityError, InvalidKey
from lamingit.session import SESSION


def commits(repo: Path) -> list[str]:
    out = subprocess.run(
        ["git", "log", "--format=%an|%s"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    return out.splitlines()


def test_save_is_one_commit_with_author(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    before = len(commits(repo))
    artifact = ln.Artifact(write("sample.fasta", ">a\nACGT\n"), key="sample.fasta").save()
    log = commits(repo)
    assert len(log) == before + 1
    assert log[0].startswith("testuser1|create artifact " + artifact.uid)
    assert len(artifact.uid) == 20 and artifact.uid.endswith("0000")
    assert artifact.suffix == ".fasta" and artifact.size == 8 and artifact.hash_type == "blake3"
    assert artifact.version == "1" and artifact.is_latest
    assert artifact.created_by.handle == "testuser1"


def test_needs_key_description_or_run(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="key=, description= or run="):
        ln.Artifact(write("a.txt"))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ln.Artifact("missing.txt", key="missing.txt")


def test_bad_keys_leave_nothing_behind(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    head = SESSION.repository().git.head()
    for key in ("../up.csv", "/abs.csv", "a\\b.csv", "nul\x00.csv", "a.parquet"):
        with pytest.raises(InvalidKey):
            ln.Artifact(write("a.csv", "x\n1\n"), key=key).save()
    assert SESSION.repository().git.head() == head
    assert not list(SESSION.repository().blobs.iter_oids())


def test_same_content_returns_existing(repo: Path, write, caplog) -> None:  # type: ignore[no-untyped-def]
    first = ln.Artifact(write("a.csv", "x\n1\n"), key="a.csv").save()
    caplog.set_level(logging.INFO, logger="lamingit")
    again = ln.Artifact(write("copy.csv", "x\n1\n"), key="other.csv")
    assert again.uid == first.uid and again.key == "a.csv"
    assert "returning artifact with same hash" in caplog.text
    assert "not applied" in caplog.text
    again.save()
    assert ln.Artifact.filter().count() == 1


def test_empty_files_never_deduplicate(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    a = ln.Artifact(write("e1.txt", ""), key="e1.txt").save()
    b = ln.Artifact(write("e2.txt", ""), key="e2.txt").save()
    assert a.uid != b.uid and a.size == b.size == 0


def test_versions_by_key(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    path = write("data.csv", "x\n1\n")
    v1 = ln.Artifact(path, key="experiment/data.csv").save()
    path.write_text("x\n2\n")
    v2 = ln.Artifact(path, key="experiment/data.csv").save()
    assert v2.uid[:16] == v1.uid[:16] and v2.uid.endswith("0001")
    assert v2.version == "2"
    latest = ln.Artifact.get(key="experiment/data.csv")
    assert latest.uid == v2.uid
    assert [a.uid for a in latest.versions] == [v2.uid, v1.uid]
    first = latest.versions.filter(version="1").first()
    assert first is not None and first.uid == v1.uid and not first.is_latest
    assert first.load().x.tolist() == [1] and latest.load().x.tolist() == [2]
    assert ln.Artifact.get(v1.uid).uid == v1.uid
    assert ln.Artifact.get(v1.uid[:16]).uid == v2.uid
    assert ln.Artifact.filter(key="experiment/data.csv").count() == 2
    assert ln.Artifact.filter(is_latest=True).count() == 1


def test_revises_and_version_tags(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    v1 = ln.Artifact(write("a.txt", "1"), description="model", version="1.0").save()
    v2 = ln.Artifact(write("b.txt", "2"), revises=v1, version="2.0").save()
    assert v2.stem_uid == v1.stem_uid
    assert (v1.version, v2.version) == ("1.0", "2.0")
    assert ln.Artifact.get(v1.uid).is_latest is False
    with pytest.raises(ln.errors.InvalidArgument):
        ln.Artifact(write("c.txt", "3"), key="c.txt", version=3)  # type: ignore[arg-type]


def test_get_errors(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DoesNotExist):
        ln.Artifact.get(key="nope.csv")
    with pytest.raises(DoesNotExist):
        ln.Artifact.get("notAuidnotAuid000000")
    ln.Artifact(write("a.txt", "1"), description="same").save()
    ln.Artifact(write("b.txt", "2"), description="same").save()
    with pytest.raises(ln.errors.MultipleResultsFound):
        ln.Artifact.get(description="same")
    with pytest.raises(ln.errors.MultipleResultsFound):
        ln.Artifact.filter(description="same").one()
    assert ln.Artifact.filter(description="none").one_or_none() is None


def test_cache_path_is_a_private_copy(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    artifact = ln.Artifact(write("notes.txt", "original"), key="docs/notes.txt").save()
    path = artifact.cache()
    assert path.name == "notes.txt" and path.suffix == ".txt"
    path.write_text("scribbled")
    assert SESSION.repository().blobs.read_bytes(artifact.hash) == b"original"
    assert artifact.cache().read_text() == "original"
    assert artifact.load() == "original"


def test_corrupted_blob_is_caught_by_load(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    import os

    artifact = ln.Artifact(write("n.txt", "good"), key="n.txt").save()
    blob = SESSION.repository().blobs.path_for(artifact.hash)
    os.chmod(blob, 0o644)
    blob.write_text("evil")
    with pytest.raises(IntegrityError):
        artifact.load()


def test_load_by_suffix(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    assert ln.Artifact(write("a.json", '{"a": [1]}'), key="a.json").save().load() == {"a": [1]}
    assert ln.Artifact(write("a.yaml", "a: 1\n"), key="a.yaml").save().load() == {"a": 1}
    tsv = ln.Artifact(write("t.tsv", "x\ty\n1\t2\n"), key="t.tsv").save().load()
    assert tsv.columns.tolist() == ["x", "y"]
    binary = ln.Artifact(write("b.bin", b"\x00\x01"), key="b.bin").save()
    with pytest.raises(NotImplementedError, match="cache()"):
        binary.load()
    with binary.open() as fh:
        assert fh.read(1) == b"\x00"


def test_dataframe_round_trip_and_streaming(repo: Path) -> None:
    import pandas as pd

    df = pd.DataFrame({"gene": ["TP53", "MYC"], "score": [0.5, 0.9]})
    art = ln.Artifact.from_dataframe(df, key="datasets/scores.parquet", description="scores")
    assert art.load() is df  # before saving: the in-memory object
    art.save()
    assert (art.otype, art.n_observations, art.suffix) == ("DataFrame", 2, ".parquet")
    loaded = ln.Artifact.get(key="datasets/scores.parquet").load()
    pd.testing.assert_frame_equal(loaded, df)
    assert art.open().to_table().num_rows == 2
    assert art.open(engine="polars").collect().height == 2
    csv = ln.Artifact.from_dataframe(df, key="datasets/scores.csv").save()
    assert csv.suffix == ".csv"
    pd.testing.assert_frame_equal(csv.load(), df)


def test_anndata_h5ad_and_zarr(repo: Path) -> None:
    import anndata as ad
    import numpy as np

    adata = ad.AnnData(np.arange(12, dtype="float32").reshape(4, 3))
    h5 = ln.Artifact.from_anndata(adata, key="scrna/e1.h5ad").save()
    assert (h5.otype, h5.n_observations, h5.suffix) == ("AnnData", 4, ".h5ad")
    assert h5.load().shape == (4, 3)
    backed = h5.open()
    assert backed.isbacked and backed.shape == (4, 3)
    backed.file.close()
    zarr_art = ln.Artifact.from_anndata(adata, key="scrna/e1.anndata.zarr").save()
    assert zarr_art.n_files and zarr_art.n_files > 1 and zarr_art.suffix == ".anndata.zarr"
    assert zarr_art.load().shape == (4, 3)
    group = zarr_art.open()
    assert "X" in group


def test_directory_artifact(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    write("mtx/barcodes.tsv.gz", b"b")
    write("mtx/features.tsv.gz", b"f")
    write("mtx/sub/matrix.mtx.gz", b"m")
    art = ln.Artifact(Path("mtx"), key="perturbseq/filtered_feature_bc_matrix").save()
    assert art.n_files == 3 and art.size == 3
    local = art.cache()
    assert sorted(p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()) == [
        "barcodes.tsv.gz",
        "features.tsv.gz",
        "sub/matrix.mtx.gz",
    ]
    again = ln.Artifact(Path("mtx"), key="elsewhere")
    assert again.uid == art.uid


def test_delete_restore_and_promotion(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    path = write("d.csv", "x\n1\n")
    v1 = ln.Artifact(path, key="d.csv").save()
    path.write_text("x\n2\n")
    v2 = ln.Artifact(path, key="d.csv").save()
    v2.delete()
    assert ln.Artifact.get(key="d.csv").uid == v1.uid
    assert ln.Artifact.filter().count() == 1
    assert ln.Artifact.filter(trashed=True).count() == 1
    assert SESSION.repository().blobs.has(v2.hash)
    v2.restore()
    assert ln.Artifact.get(key="d.csv").uid == v2.uid
    assert ln.Artifact.filter(is_latest=True).count() == 1
    v2.delete(permanent=True)
    assert not SESSION.repository().blobs.has(v2.hash)
    assert SESSION.repository().blobs.has(v1.hash)
    assert ln.Artifact.get(key="d.csv").uid == v1.uid
    with pytest.raises(DoesNotExist):
        ln.Artifact.get(v2.uid)


def test_bulk_save_is_one_commit(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    before = len(commits(repo))
    items = [ln.Artifact(write(f"f{i}.txt", str(i)), key=f"bulk/f{i}.txt") for i in range(5)]
    ln.save(items)
    assert len(commits(repo)) == before + 1
    assert ln.Artifact.filter(key__startswith="bulk/").count() == 5


def test_describe(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    art = ln.Artifact(write("s.fasta", ">a\n"), key="s.fasta", description="a sample").save()
    text = art.describe(return_str=True)
    assert text is not None
    assert text.splitlines()[0] == "Artifact: s.fasta (1)"
    for piece in (
        art.uid,
        art.hash,
        "created_by: testuser1",
        "storage path",
        "description: a sample",
    ):
        assert piece in text


def test_updating_a_field_commits(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    art = ln.Artifact(write("u.txt", "u"), key="u.txt").save()
    art.description = "now described"
    art.save()
    assert ln.Artifact.get(key="u.txt").description == "now described"
    assert commits(repo)[0].startswith("testuser1|update artifact")


def test_renaming_a_key_is_validated_and_moves_no_data(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    art = ln.Artifact(write("k.csv", "x\n1\n"), key="old/k.csv").save()
    with pytest.raises(InvalidKey):
        art.key = "../k.csv"
    with pytest.raises(InvalidKey, match="suffix"):
        art.key = "new/k.parquet"
    blob = art.path
    art.key = "new/k.csv"
    art.save()
    assert ln.Artifact.get(key="new/k.csv").uid == art.uid
    with pytest.raises(DoesNotExist):
        ln.Artifact.get(key="old/k.csv")
    assert art.path == blob


def test_other_process_sees_saves(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    import sys

    ln.Artifact(write("x.txt", "x"), key="x.txt").save()
    code = (
        f"import lamingit as ln; ln.connect({str(repo)!r}); "
        "open('y.txt','w').write('y'); ln.Artifact('y.txt', key='y.txt').save()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert sorted(a.key for a in ln.Artifact.filter()) == ["x.txt", "y.txt"]


def test_load_html_svg_and_images_returns_the_local_path(repo, write) -> None:
    for name in ("page.html", "plot.svg", "figure.png"):
        artifact = ln.Artifact(
            write(name, "<svg/>" if name.endswith("svg") else "x"), key=name
        ).save()
        loaded = artifact.load()
        assert (
            loaded.suffix == artifact.suffix
            and loaded.read_bytes() == artifact.cache().read_bytes()
        )
