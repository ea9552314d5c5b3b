"""A Cell Ranger run (a pipeline with a version and a reference), mocked with synthetic output."""

import tempfile
from pathlib import Path

from synthetic import feature_matrix

import lamingit as ln

transform = ln.Transform(
    name="Cell Ranger",
    version="7.2.0",
    type="pipeline",
    reference="https://www.10xgenomics.com/support/software/cell-ranger/7.2",
)
ln.track(transform=transform, params={"chemistry": "SC3Pv3", "expect_cells": 50})
for artifact in ln.Artifact.filter(key__startswith="fastq/"):
    artifact.cache()  # the pipeline reads its FASTQ inputs
output = feature_matrix(Path(tempfile.mkdtemp()) / "filtered_feature_bc_matrix")
print(
    "this creates one artifact per file in the directory - "
    "consider ln.Artifact(dir_path) to get one artifact for the entire directory"
)
for path in sorted(output.iterdir()):
    ln.Artifact(path, key=f"perturbseq/filtered_feature_bc_matrix/{path.name}").save()
ln.finish()
