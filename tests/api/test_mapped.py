"""Collection contents without a repository: concatenation and the mapped dataset over h5ad files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from lamingit.api.core.mapped import MappedCollection, concat_objects
from lamingit.errors import InvalidArgument


def _adata(path: Path, genes: list[str], labels: list[str], offset: float) -> Path:
    x = np.arange(len(labels) * len(genes), dtype=np.float32).reshape(len(labels), -1) + offset
    adata = ad.AnnData(
        X=x,
        obs=pd.DataFrame(
            {"cell_type": labels}, index=[f"{path.stem}-{i}" for i in range(len(labels))]
        ),
        var=pd.DataFrame(index=genes),
    )
    adata.write_h5ad(path)
    return path


def test_concat_dataframes_and_anndatas() -> None:
    frames = [pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [2], "b": [3]})]
    assert concat_objects(frames, ["u1", "u2"]).shape == (2, 2)
    assert list(concat_objects(frames, ["u1", "u2"], join="inner").columns) == ["a"]
    a1 = ad.AnnData(np.ones((2, 2), dtype=np.float32))
    a2 = ad.AnnData(np.zeros((1, 2), dtype=np.float32))
    a1.obs_names = ["c1", "c2"]
    a2.obs_names = ["c3"]
    joined = concat_objects([a1, a2], ["u1", "u2"])
    assert joined.n_obs == 3 and joined.obs["artifact_uid"].tolist() == ["u1", "u1", "u2"]
    with pytest.raises(InvalidArgument, match="DataFrame or AnnData"):
        concat_objects([a1, frames[0]], ["u1", "u2"])


def test_mapped_reads_rows_across_members_over_the_joint_variables(tmp_path: Path) -> None:
    p1 = _adata(tmp_path / "m1.h5ad", ["g1", "g2", "g3"], ["B", "T"], 0)
    p2 = _adata(tmp_path / "m2.h5ad", ["g3", "g1"], ["T", "NK", "T"], 100)
    with MappedCollection([p1, p2], obs_keys="cell_type") as ds:
        assert len(ds) == 5 and ds.shape == (5, 2)
        assert ds.var_joint == ["g1", "g3"]
        assert ds.encoders["cell_type"] == {"B": 0, "NK": 1, "T": 2}
        first = ds[0]
        assert first["X"].tolist() == [0.0, 2.0] and first["cell_type"] == 0
        assert first["_store_idx"] == 0
        last = ds[-1]  # m2 row 2: g3=104, g1=105 → reordered to g1, g3
        assert last["X"].tolist() == [105.0, 104.0] and last["_store_idx"] == 1
        assert [item["cell_type"] for item in ds] == [0, 2, 2, 1, 2]
        weights = ds.get_label_weights("cell_type")
        assert weights.tolist() == pytest.approx([1.0, 1 / 3, 1 / 3, 1.0, 1 / 3])
        with pytest.raises(IndexError):
            ds[5]


def test_mapped_refuses_missing_obs_keys_and_unequal_vars_without_join(tmp_path: Path) -> None:
    p1 = _adata(tmp_path / "m1.h5ad", ["g1", "g2"], ["B"], 0)
    p2 = _adata(tmp_path / "m2.h5ad", ["g2"], ["T"], 0)
    with pytest.raises(InvalidArgument, match="obs column 'donor'"):
        MappedCollection([p1, p2], obs_keys=["donor"])
    with pytest.raises(InvalidArgument, match="join='inner'"):
        MappedCollection([p1, p2], join=None)


def _torch() -> Any:
    """torch, which CI installs (README's test command): missing there fails, elsewhere skips.

    scripts/test_lowest.sh sets LAMINGIT_LOWEST_RUN: torch is not part of the lowest run.
    """
    if os.environ.get("CI") and not os.environ.get("LAMINGIT_LOWEST_RUN"):
        import torch

        return torch
    return pytest.importorskip("torch")


def test_mapped_plugs_into_a_torch_dataloader(tmp_path: Path) -> None:
    torch = _torch()
    p1 = _adata(tmp_path / "m1.h5ad", ["g1", "g2"], ["B", "T", "T"], 0)
    with MappedCollection([p1], obs_keys="cell_type") as ds:
        loader = torch.utils.data.DataLoader(ds, batch_size=2, shuffle=False)
        batches = list(loader)
    assert [tuple(b["X"].shape) for b in batches] == [(2, 2), (1, 2)]
    assert batches[0]["cell_type"].tolist() == [0, 1]
