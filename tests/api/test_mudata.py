"""MuData artifacts: from_mudata, load(), open() backed (mudata is an optional extra)."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument

mudata = pytest.importorskip("mudata")


def test_mudata_roundtrip(repo) -> None:
    obs = pd.DataFrame(index=[f"c{i}" for i in range(3)])
    rna = ad.AnnData(np.ones((3, 2), dtype=np.float32), obs=obs)
    atac = ad.AnnData(np.zeros((3, 4), dtype=np.float32), obs=obs)
    mdata = mudata.MuData({"rna": rna, "atac": atac})
    artifact = ln.Artifact.from_mudata(mdata, key="multiome/s1.h5mu")
    assert artifact.load() is mdata  # before saving: the object itself
    artifact.save()
    assert artifact.otype == "MuData" and artifact.n_observations == 3
    loaded = ln.Artifact.get(key="multiome/s1.h5mu").load()
    assert set(loaded.mod) == {"rna", "atac"} and loaded["atac"].shape == (3, 4)
    backed = artifact.open()
    assert backed.isbacked and backed.n_obs == 3
    backed.file.close()
    with pytest.raises(InvalidArgument, match=".h5mu"):
        ln.Artifact.from_mudata(mdata, key="s1.h5ad")
    with pytest.raises(InvalidArgument, match="mudata.MuData"):
        ln.Artifact.from_mudata(rna, key="x.h5mu")
