"""Every call of LaminDB's core-concepts guide (seed 000), run with ``import lamingit as ln``.

Usage: ``python examples/core_concepts.py [PATH]`` — creates a fresh repository at PATH
(default ``./concepts-data``) with small synthetic files and walks through artifacts, records,
runs and transforms, features, lineage queries and versions, asserting the answers.
"""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd

import lamingit as ln


def main(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    work = root.parent / f"{root.name}-files"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ln.init(root)
    ln.login("researcher123", name="Researcher 123")

    # -- Artifacts ---------------------------------------------------------------------------
    (work / "sample.fasta").write_text(">seq1\nACGTACGT\n")
    ln.Artifact(work / "sample.fasta", key="sample.fasta").save()
    ad.AnnData(np.ones((3, 2), dtype="float32")).write_h5ad(work / "analysis.h5ad")
    ln.Artifact(
        work / "analysis.h5ad",
        key="experiments/scrna_batch1.h5ad",
        description="Single-cell RNA-seq batch 1",
    ).save()
    pd.DataFrame({"gene": ["TP53", "MYC"], "value": [1, 2]}).to_csv(work / "data.csv", index=False)
    df = pd.read_csv(work / "data.csv")
    ln.Artifact.from_dataframe(
        df, key="datasets/processed_data.parquet", description="Processed experimental data"
    ).save()
    adata = ad.read_h5ad(work / "analysis.h5ad")
    ln.Artifact.from_anndata(
        adata, key="scrna/experiment1.h5ad", description="scRNA-seq data with QC"
    ).save()

    artifact = ln.Artifact.get(key="sample.fasta")
    assert ln.Artifact.get(artifact.uid) == artifact
    artifact = ln.Artifact.filter(suffix=".h5ad").first()
    assert artifact is not None
    local_path = artifact.cache()
    data = artifact.load()
    assert local_path.suffix == ".h5ad" and data.shape == (3, 2)
    with ln.Artifact.get(key="sample.fasta").open() as f:
        chunk = f.read(1000)
    assert chunk.startswith(b">seq1")
    artifact.describe()
    print(
        artifact.size,
        artifact.suffix,
        artifact.created_at,
        artifact.created_by,
        artifact.run,
        artifact.transform,
        artifact.version,
    )

    # -- Records -----------------------------------------------------------------------------
    sample_type = ln.Record(name="Sample", is_type=True).save()
    ln.Record(name="P53mutant1", type=sample_type).save()
    ln.Record(name="P53mutant2", type=sample_type).save()
    ln.Record(name="WT-control", type=sample_type).save()
    print(ln.Record.search("p53").to_dataframe())
    assert len(ln.Record.filter(type=sample_type).to_dataframe()) == 3
    parent_record = ln.Record.get(name="P53mutant1")
    child_record = ln.Record(name="P53mutant1-replicate1", type=sample_type).save()
    child_record.parents.add(parent_record)
    assert parent_record.children.to_dataframe().name.tolist() == ["P53mutant1-replicate1"]
    assert child_record.parents.to_dataframe().name.tolist() == ["P53mutant1"]

    # -- Runs & transforms -------------------------------------------------------------------
    (work / "input.csv").write_text("x\n1\n2\n")
    ln.Artifact(work / "input.csv", key="input.csv").save()
    ln.track(params={"learning_rate": 0.01, "batch_size": 32, "epochs": 100, "downsample": True})
    data = ln.Artifact.get(key="input.csv").load()
    print(f"analysing {len(data)} rows")
    data.to_csv(work / "output.csv")
    ln.Artifact(work / "output.csv", key="output.csv").save()
    ln.finish()
    assert len(ln.Run.filter(params__learning_rate=0.01).to_dataframe()) == 1
    assert len(ln.Run.filter(params__downsample=True).to_dataframe()) == 1

    ln.Project(name="Cancer Drug Screen 2025").save()
    ln.track(project="Cancer Drug Screen 2025")
    project = ln.Project.get(name="Cancer Drug Screen 2025")

    @ln.tracked()
    def preprocess_data(input_key: str, output_key: str, normalize: bool = True) -> None:
        """Preprocess raw data and save result."""
        artifact = ln.Artifact.get(key=input_key)
        data = artifact.load()
        if normalize:
            data = (data - data.mean()) / data.std()
        ln.Artifact.from_dataframe(data, key=output_key).save()

    pd.DataFrame({"v": [1.0, 2.0, 3.0]}).to_csv(work / "b1.csv", index=False)
    pd.DataFrame({"v": [4.0, 5.0, 7.0]}).to_csv(work / "b2.csv", index=False)
    ln.Artifact(work / "b1.csv", key="raw/batch1.csv").save()
    ln.Artifact(work / "b2.csv", key="raw/batch2.csv").save()
    preprocess_data("raw/batch1.csv", "processed/batch1.csv", normalize=True)
    preprocess_data("raw/batch2.csv", "processed/batch2.csv", normalize=False)
    ln.finish()
    assert len(ln.Artifact.filter(projects=project).to_dataframe()) >= 4
    assert len(ln.Run.filter(project=project).to_dataframe()) == 3

    artifact = ln.Artifact.get(key="output.csv")
    run = artifact.run
    transform = run.transform
    run.describe()
    transform.describe()
    assert run.inputs.to_dataframe().key.tolist() == ["input.csv"]
    print("lineage drawn to", artifact.view_lineage())

    # -- Features ----------------------------------------------------------------------------
    ln.Feature(name="gc_content", dtype=float).save()
    ln.Feature(name="read_count", dtype=int).save()
    ln.Feature(name="experiment_date", dtype=date).save()
    ln.Feature(name="cell_type", dtype=str).save()
    ln.Feature(name="treatment", dtype=str).save()
    ln.Feature(name="study_metadata", dtype=dict).save()
    artifact.features.add_values({"gc_content": 0.55, "experiment_date": "2025-10-31"})
    artifact.features.add_values(
        {
            "read_count": 2_000_000,
            "cell_type": "T cell",
            "treatment": "DMSO",
            "study_metadata": {"detail1": "123", "assay": {"type": "RNA-seq"}},
        }
    )
    gc_content_feature = ln.Feature.get(name="gc_content")
    artifact.features.add(gc_content_feature)
    for lookups in (
        {"gc_content": 0.55},
        {"experiment_date": "2025-10-31"},
        {"read_count__gt": 1000000},
        {"gc_content__gte": 0.5, "gc_content__lte": 0.6},
        {"cell_type__isnull": False},
        {"study_metadata__detail1": "123"},
        {"study_metadata__assay__type": "RNA-seq"},
    ):
        assert ln.Artifact.filter(**lookups).to_dataframe().index.tolist() == [artifact.uid]
    print(ln.Artifact.filter(treatment="DMSO").to_dataframe(include="features"))

    # -- Lineage queries ---------------------------------------------------------------------
    print(artifact.run, artifact.run.transform, artifact.run.inputs)
    assert "analysing 2 rows" in artifact.run.report
    transform = ln.Transform.get(key=transform.key)
    made_by_script = ln.Artifact.filter(transform=transform).to_dataframe().key.tolist()
    assert sorted(made_by_script) == ["output.csv", "raw/batch1.csv", "raw/batch2.csv"]
    user = ln.User.get(handle="researcher123")
    assert len(ln.Artifact.filter(created_by=user).to_dataframe()) == ln.Artifact.filter().count()
    input_artifact = ln.Artifact.get(key="raw/batch1.csv")
    runs = ln.Run.filter(inputs=input_artifact)
    assert ln.Artifact.filter(run__in=runs).to_dataframe().key.tolist() == ["processed/batch1.csv"]

    # -- Versions ----------------------------------------------------------------------------
    (work / "exp.csv").write_text("a\n1\n")
    ln.Artifact(work / "exp.csv", key="experiment/data.csv").save()
    (work / "exp.csv").write_text("a\n2\n")
    ln.Artifact(work / "exp.csv", key="experiment/data.csv").save()
    artifact = ln.Artifact.get(key="experiment/data.csv")
    print(artifact.versions.to_dataframe())
    artifact_v1 = artifact.versions.filter(version="1").first()
    assert artifact_v1 is not None
    assert artifact_v1.load().a.tolist() == [1] and artifact.load().a.tolist() == [2]
    print("core concepts walkthrough finished")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "concepts-data").resolve())
