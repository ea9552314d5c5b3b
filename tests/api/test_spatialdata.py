"""SpatialData artifacts: from_spatialdata, load(), open(), describe() (spatialdata is an
optional extra; CI installs it, elsewhere these tests skip without it)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import pytest

import lamingit as ln
from lamingit.api.core.formats_spatial import SpatialDataAccessor, is_spatialdata_store
from lamingit.errors import InvalidArgument

ROOT = Path(__file__).resolve().parents[2]

if os.environ.get("CI"):  # CI installs the extra: a broken install must fail, not skip
    import spatialdata
else:
    spatialdata = pytest.importorskip("spatialdata")


def _sdata() -> object:
    """A small real SpatialData: three transcripts, two cell circles, a table annotating them."""
    from spatialdata.models import PointsModel, ShapesModel, TableModel

    points = PointsModel.parse(
        pd.DataFrame(
            {
                "x": [1.0, 2.0, 3.0],
                "y": [4.0, 5.0, 6.0],
                "gene": pd.Categorical(["TP53", "MYC", "TP53"]),
            }
        ),
        feature_key="gene",
    )
    cells = ShapesModel.parse(
        np.array([[0.0, 0.0], [10.0, 10.0]]), geometry=0, radius=np.array([1.0, 2.0])
    )
    obs = pd.DataFrame(
        {"region": pd.Categorical(["cells", "cells"]), "instance_id": [0, 1]},
        index=["c0", "c1"],
    )
    table = TableModel.parse(
        ad.AnnData(np.arange(6, dtype=np.float32).reshape(2, 3), obs=obs),
        region="cells",
        region_key="region",
        instance_key="instance_id",
    )
    return spatialdata.SpatialData(
        points={"transcripts": points}, shapes={"cells": cells}, tables={"table": table}
    )


def test_spatialdata_save_load_open_describe(repo: Path) -> None:
    sdata = _sdata()
    artifact = ln.Artifact.from_spatialdata(
        sdata, key="spatial/sample1.zarr", description="a small SpatialData"
    )
    assert artifact.load() is sdata  # before saving: the object itself
    artifact.save()
    assert artifact.otype == "SpatialData" and artifact.kind == "dataset"
    assert artifact.suffix == ".zarr" and artifact.n_files and artifact.n_files > 1
    assert artifact.n_observations is None  # as in LaminDB: ill-defined for SpatialData

    got = ln.Artifact.get(key="spatial/sample1.zarr")
    assert got.description == "a small SpatialData"
    loaded = got.load()
    assert isinstance(loaded, spatialdata.SpatialData)
    assert set(loaded.points) == {"transcripts"} and set(loaded.shapes) == {"cells"}
    points = loaded.points["transcripts"].compute()
    assert points["gene"].astype(str).tolist() == ["TP53", "MYC", "TP53"]
    assert points["x"].tolist() == [1.0, 2.0, 3.0]
    assert loaded.shapes["cells"]["radius"].tolist() == [1.0, 2.0]
    table = loaded.tables["table"]
    assert table.shape == (2, 3) and table.X.sum() == 15.0
    assert table.obs_names.tolist() == ["c0", "c1"]

    access = got.open()
    assert isinstance(access, SpatialDataAccessor)
    assert list(access.tables) == ["table"] and "SpatialDataAccessor" in repr(access)
    assert "obs" in access.tables["table"]
    with pytest.raises(KeyError, match="no table 'other'"):
        access.tables["other"]

    text = got.describe(return_str=True)
    assert text is not None
    assert "Artifact: spatial/sample1.zarr" in text and "otype: SpatialData" in text

    # the same content again deduplicates; a key without .zarr and a non-SpatialData refuse
    assert ln.Artifact.from_spatialdata(loaded, key="spatial/sample1.zarr").uid == got.uid
    for bad in ("spatial/sample1.h5ad", "spatial/sample1.anndata.zarr"):
        with pytest.raises(InvalidArgument, match="must end in '.zarr'"):
            ln.Artifact.from_spatialdata(sdata, key=bad)
    with pytest.raises(InvalidArgument, match="spatialdata.SpatialData"):
        ln.Artifact.from_spatialdata(table, key="x.zarr")


def test_a_spatialdata_store_saved_by_path_loads_as_spatialdata(repo: Path) -> None:
    path = Path("region.zarr")
    _sdata().write(str(path))
    assert is_spatialdata_store(path, ".zarr")
    artifact = ln.Artifact(path, key="region.zarr").save()
    assert isinstance(artifact.load(), spatialdata.SpatialData)
    # an AnnData zarr store stays AnnData
    ad.AnnData(np.ones((2, 2), dtype=np.float32)).write_zarr("counts.zarr")
    assert not is_spatialdata_store(Path("counts.zarr"), ".zarr")
    assert isinstance(ln.Artifact("counts.zarr", key="counts.zarr").save().load(), ad.AnnData)


def test_without_spatialdata_load_says_how_to_install_and_open_still_works(repo: Path) -> None:
    ln.Artifact.from_spatialdata(_sdata(), key="sample.zarr").save()
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["spatialdata"] = None  # as if not installed
        import lamingit as ln
        ln.connect({str(repo)!r})
        artifact = ln.Artifact.get(key="sample.zarr")
        print(artifact.otype, list(artifact.open().tables))
        try:
            artifact.load()
        except ImportError as exc:
            print("ImportError:", exc)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    lines = out.stdout.splitlines()
    assert lines[0] == "SpatialData ['table']"
    assert lines[1] == (
        "ImportError: SpatialData artifacts need the spatialdata package: "
        "pip install 'lamingit[spatialdata]'"
    )


def test_import_lamingit_does_not_import_spatialdata() -> None:
    code = "import sys, lamingit as ln; ln.Artifact; print('spatialdata' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "False"
