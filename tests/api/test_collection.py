"""ln.Collection: create, versions by key, append, load/cache/open/mapped, filters, trash, ln.at."""

from __future__ import annotations

import subprocess

import anndata as ad
import numpy as np
import pandas as pd
import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument
from lamingit.session import SESSION


def _df(key: str, values: list[int]) -> ln.Artifact:
    return ln.Artifact.from_dataframe(pd.DataFrame({"n": values}), key=key).save()


def _adata(key: str, labels: list[str]) -> ln.Artifact:
    adata = ad.AnnData(
        X=np.arange(len(labels) * 2, dtype=np.float32).reshape(len(labels), 2),
        obs=pd.DataFrame({"cell_type": labels}, index=[f"{key}-{i}" for i in range(len(labels))]),
        var=pd.DataFrame(index=["g1", "g2"]),
    )
    return ln.Artifact.from_anndata(adata, key=key).save()


def test_create_same_members_versions_and_append(repo) -> None:
    a, b, c = _df("a.parquet", [1]), _df("b.parquet", [2, 3]), _df("c.parquet", [4])
    v1 = ln.Collection([a, b], key="batches", description="two batches").save()
    assert len(v1.uid) == 20 and v1.version == "1" and v1.is_latest
    assert [x.key for x in v1.ordered_artifacts] == ["a.parquet", "b.parquet"]
    assert v1.artifacts.count() == 2
    assert ln.Collection([a, b], key="batches").save().uid == v1.uid  # same members → same
    reordered = ln.Collection([b, a], key="batches").save()  # order matters: a new version
    assert reordered.uid[:16] == v1.uid[:16] and reordered.version == "2"
    v3 = reordered.append(c).save()
    assert v3.version == "3" and [x.key for x in v3.ordered_artifacts] == [
        "b.parquet",
        "a.parquet",
        "c.parquet",
    ]
    assert [v.version for v in v3.versions] == ["3", "2", "1"]
    assert ln.Collection.get(key="batches") == v3
    assert ln.Collection.filter(is_latest=True).count() == 1
    assert ln.Collection.get(v1.uid[:16]) == v3
    assert {x.key for x in ln.Artifact.filter(collections=v1)} == {"a.parquet", "b.parquet"}
    assert ln.Collection.filter(artifacts=c).one() == v3
    assert {col.version for col in a.collections} == {"1", "2", "3"}


def test_bad_arguments_are_refused(repo) -> None:
    a = _df("a.parquet", [1])
    with pytest.raises(InvalidArgument, match="saved ln.Artifact"):
        ln.Collection([a, "x"], key="k")
    with pytest.raises(InvalidArgument, match="at least one"):
        ln.Collection([], key="k")
    with pytest.raises(InvalidArgument, match="once"):
        ln.Collection([a, a], key="k")
    with pytest.raises(ValueError, match="key="):
        ln.Collection([a])
    collection = ln.Collection([a], key="k").save()
    with pytest.raises(InvalidArgument, match="append"):
        collection.artifacts.add(_df("b.parquet", [2]))


def test_load_cache_open_concatenate_members(repo) -> None:
    a, b = _df("a.parquet", [1]), _df("b.parquet", [2, 3])
    collection = ln.Collection([a, b], key="tables").save()
    assert collection.load()["n"].tolist() == [1, 2, 3]
    assert [p.suffix for p in collection.cache()] == [".parquet", ".parquet"]
    assert collection.open().to_table().column("n").to_pylist() == [1, 2, 3]
    x, y = _adata("x.h5ad", ["B", "T"]), _adata("y.h5ad", ["T"])
    cells = ln.Collection([x, y], key="cells").save()
    joined = cells.load()
    assert joined.n_obs == 3 and joined.obs["artifact_uid"].tolist() == [x.uid, x.uid, y.uid]
    with pytest.raises(InvalidArgument, match="one tabular format"):
        cells.open()
    with pytest.raises(InvalidArgument, match=".h5ad members"):
        collection.mapped()


def test_mapped_over_members(repo) -> None:
    cells = ln.Collection([_adata("x.h5ad", ["B", "T"]), _adata("y.h5ad", ["T"])], key="c").save()
    with cells.mapped(obs_keys="cell_type") as dataset:
        assert len(dataset) == 3
        assert [item["cell_type"] for item in dataset] == [0, 1, 1]
        assert dataset[2]["X"].tolist() == [0.0, 1.0]


def test_loading_in_a_run_links_members_as_inputs(repo) -> None:
    a, b = _df("a.parquet", [1]), _df("b.parquet", [2])
    collection = ln.Collection([a, b], key="tables").save()
    transform = ln.Transform(key="analysis.py", kind="script").save()
    ln.track(transform=transform)
    collection.load()
    run = ln.context.run
    made = ln.Collection([a], key="subset").save()
    ln.finish()
    assert {x.key for x in run.input_artifacts.all()} == {"a.parquet", "b.parquet"}
    assert made.run == run and made.transform == transform


def test_trash_restore_and_labels(repo) -> None:
    a = _df("a.parquet", [1])
    v1 = ln.Collection([a], key="k").save()
    v2 = ln.Collection([a, _df("b.parquet", [2])], key="k").save()
    v2.delete()
    assert ln.Collection.get(key="k") == v1 and ln.Collection.get(v1.uid).is_latest
    v2.restore()
    assert ln.Collection.get(key="k").uid == v2.uid
    label = ln.ULabel(name="benchmark").save()
    v2.ulabels.add(label)
    assert ln.Collection.filter(ulabels__name="benchmark").one() == v2
    assert label.collections.one() == v2


def test_collections_as_of_a_commit(repo) -> None:
    a = _df("a.parquet", [1])
    ln.Collection([a], key="k").save()
    gitdir = SESSION.repository().paths.gitdir
    subprocess.run(["git", f"--git-dir={gitdir}", "tag", "v1"], check=True)
    ln.Collection([a, _df("b.parquet", [2])], key="k").save()
    assert ln.at("v1").Collection.get(key="k").version == "1"
    assert ln.Collection.get(key="k").version == "2"


def test_describe_shows_members_labels_and_lineage(repo) -> None:
    a, b = _df("a.parquet", [1]), _df("b.parquet", [2])
    collection = ln.Collection([b, a], key="tables", description="both").save()
    collection.ulabels.add(ln.ULabel(name="benchmark").save())
    text = collection.describe(return_str=True)
    assert text.startswith("Collection: tables (1)")
    assert text.index("b.parquet") < text.index("a.parquet")
    assert "Artifacts (2)" in text and ".ulabels   ULabel   benchmark" in text


def test_lineage_nodes(repo, tmp_path) -> None:
    a, b = _df("a.parquet", [1]), _df("b.parquet", [2])
    transform = ln.Transform(key="make.py", kind="script").save()
    ln.track(transform=transform)
    a.load()
    c = _df("c.parquet", [3])
    ln.finish()
    collection = ln.Collection([b, c], key="tables").save()
    graph = collection.view_lineage(return_graph=True).lineage
    kinds = {n.uid: n.kind for n in graph.nodes}
    assert kinds[collection.uid] == "collection"
    assert (c.uid, collection.uid) in graph.edges and (b.uid, collection.uid) in graph.edges
    assert kinds[a.uid] == "artifact"  # upstream of a member, through the run
    artifact_graph = c.view_lineage(return_graph=True).lineage
    assert (c.uid, collection.uid) in artifact_graph.edges
    svg = collection.view_lineage(path=str(tmp_path / "l.svg"))
    assert 'class="node collection"' in svg.read_text()
