"""Curate a real dataset: scikit-learn's bundled iris measurements, against a Schema.

Usage: ``python examples/curate_iris.py [PATH]`` — creates a fresh repository at PATH (default
``./iris-data``), defines labels, features and schemas, shows a validation error and fixes it,
saves the three species as validated DataFrame artifacts and as AnnData artifacts, labels them,
builds collections, loads them back and iterates over a ``.mapped()`` dataset. It asserts the
answers as it goes (needs ``pip install scikit-learn``; no network).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
from sklearn.datasets import load_iris

import lamingit as ln

MEASUREMENTS = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"]


def iris() -> pd.DataFrame:
    """The 150 iris flowers: four measurements and the species name."""
    bunch = load_iris(as_frame=True)
    df = bunch.frame.rename(columns=dict(zip(bunch.feature_names, MEASUREMENTS, strict=True)))
    df["species"] = [str(bunch.target_names[t]) for t in df.pop("target")]
    df.index = [f"flower_{i}" for i in range(len(df))]
    return df


def main(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    ln.init(root)
    ln.login("botanist", name="R. A. Fisher")
    df = iris()

    # -- labels, features, a schema --------------------------------------------------------------
    species = ln.ULabel(name="Species", is_type=True, description="iris species").save()
    ln.save([ln.ULabel(name=name, type=species) for name in sorted(df["species"].unique())])
    features = [ln.Feature(name=m, dtype=float).save() for m in MEASUREMENTS]
    species_feature = ln.Feature(name="species", dtype=species).save()
    schema = ln.Schema(
        name="iris measurements", features=[*features, species_feature], maximal_set=True
    ).save()

    # -- a dataset with typos does not validate, and nothing is written --------------------------
    messy = df.copy()
    messy.loc[messy.index[:3], "species"] = "Setosa"
    messy.loc[messy.index[-1], "species"] = "virginca"
    messy["comment"] = "field notes"
    head = ln.Artifact.filter().count()
    curator = ln.curators.DataFrameCurator(messy, schema)
    try:
        curator.validate()
    except ln.errors.ValidationError as error:
        print(f"validation failed as expected: {error}")
        assert "'Setosa' (did you mean 'setosa'?)" in str(error)
        assert "'comment' not in the schema" in str(error)
    else:
        raise AssertionError("the messy dataset validated")
    assert ln.Artifact.filter().count() == head
    curator.cat.standardize("species")  # Setosa → setosa; virginca has no unique variant
    assert curator.cat.non_validated == {"species": ["virginca"]}
    messy.loc[messy.index[-1], "species"] = "virginica"
    del messy["comment"]
    curator.validate()

    # -- validated artifacts, one per species, labeled --------------------------------------------
    study = ln.ULabel(name="Fisher 1936").save()
    tables = []
    for name, part in messy.groupby("species"):
        artifact = ln.Artifact.from_dataframe(
            part, key=f"iris/{name}.parquet", schema=schema
        ).save()
        artifact.ulabels.add(study)
        tables.append(artifact)
    setosa = ln.Artifact.get(key="iris/setosa.parquet")
    assert setosa.schema == schema
    assert ln.Artifact.filter(ulabels__name="setosa").one() == setosa
    assert ln.Artifact.filter(ulabels=study).count() == 3
    print(setosa.describe(return_str=True))

    # -- a collection of the three tables -----------------------------------------------------------
    collection = ln.Collection(tables, key="iris/all-species", description="iris by species").save()
    loaded = collection.load()
    assert loaded.shape == (150, 5), loaded.shape
    assert loaded.groupby("species").size().to_dict() == {
        "setosa": 50,
        "versicolor": 50,
        "virginica": 50,
    }
    print(collection.describe(return_str=True))

    # -- AnnData: measurements as X, species in obs; validated slot by slot ---------------------
    obs_schema = ln.Schema(name="iris obs", features=[species_feature]).save()
    var_schema = ln.Schema(name="iris measurements as variables", features=features).save()
    adata_schema = ln.Schema(
        name="iris AnnData", otype="AnnData", slots={"obs": obs_schema, "var.T": var_schema}
    ).save()
    halves = []
    shuffled = df.sample(frac=1.0, random_state=0)
    for i, part in enumerate((shuffled.iloc[:75], shuffled.iloc[75:])):
        adata = ad.AnnData(
            X=part[MEASUREMENTS].to_numpy(dtype=np.float32),
            obs=part[["species"]],
            var=pd.DataFrame(index=MEASUREMENTS),
        )
        curator = ln.curators.AnnDataCurator(adata, adata_schema)
        halves.append(curator.save_artifact(key=f"iris/half{i + 1}.h5ad"))
    cells = ln.Collection(halves, key="iris/anndata-halves").save()
    assert cells.load().n_obs == 150
    with cells.mapped(obs_keys="species") as dataset:
        assert len(dataset) == 150 and dataset.shape == (150, 4)
        codes = {dataset[i]["species"] for i in range(len(dataset))}
        assert codes == {0, 1, 2}, codes
        print(f"mapped dataset: {len(dataset)} rows, labels {dataset.encoders['species']}")

    # -- the past stays answerable ----------------------------------------------------------------
    assert ln.at("HEAD~1").Collection.filter(key="iris/anndata-halves").count() == 0
    print("iris curation walkthrough finished")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("iris-data"))
