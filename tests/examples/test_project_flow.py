"""The project-flow walkthrough runs end to end and answers the seed's lineage questions."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import lamingit as ln

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "project_flow.py"


def test_project_flow_end_to_end(tmp_path: Path) -> None:
    target = tmp_path / "mydata"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(EXAMPLE.parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    for _ in range(2):  # a second run re-creates the repository cleanly
        proc = subprocess.run(
            [sys.executable, str(EXAMPLE), str(target)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=300,  # two notebooks start a kernel each
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "project flow finished" in proc.stdout
    ln.connect(target)

    # Which transform ingested the raw data, and which user?
    raw = ln.Artifact.filter(description="Raw data of schmidt22 crispra GWS").one()
    assert raw.transform.name == "Upload GWS CRISPRa result"
    assert raw.transform.type == "upload"
    assert raw.created_by.handle == "testuser1"

    # The hit-calling notebook by testuser2 read the raw data and wrote the hits.
    hits = ln.Artifact.filter(description="hits from schmidt22 crispra GWS").one()
    notebook = ln.Transform.search("GWS CRIPSRa analysis").first()
    assert notebook.kind == "notebook" and notebook.key.endswith("hit-identification.ipynb")
    assert ln.Artifact.filter(transform=notebook).one().uid == hits.uid
    assert [a.uid for a in hits.run.inputs] == [raw.uid]
    assert hits.created_by.handle == "testuser2"
    assert hits.suffix == ".parquet" and hits.otype == "DataFrame"

    # The pipeline: Cell Ranger 7.2.0 read the FASTQs and wrote 3 files.
    cellranger = ln.Transform.get(description="Cell Ranger")
    assert cellranger.version == "7.2.0" and cellranger.kind == "pipeline"
    assert cellranger.reference.startswith("https://www.10xgenomics.com/")
    run = cellranger.runs.one()
    assert sorted(a.key for a in run.inputs) == [
        "fastq/perturbseq_R1_001.fastq.gz",
        "fastq/perturbseq_R2_001.fastq.gz",
    ]
    assert sorted(a.key for a in run.outputs) == [
        f"perturbseq/filtered_feature_bc_matrix/{n}"
        for n in ("barcodes.tsv.gz", "features.tsv.gz", "matrix.mtx.gz")
    ]
    fastq = ln.Artifact.get(key="fastq/perturbseq_R1_001.fastq.gz")
    assert fastq.transform.key.endswith("chromium_10x_upload.py")
    assert fastq.created_by.handle == "testuser1"

    counts = ln.Artifact.filter(description="perturbseq counts").one()
    assert counts.otype == "AnnData" and counts.n_observations == 50
    assert len(counts.run.inputs) == 3

    # The figures come from the integration notebook, which read hits and counts.
    figure = ln.Artifact.filter(key__contains="figures/matrixplot").one()
    assert figure.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert figure.transform.key.endswith("integrated-analysis.ipynb")
    assert sorted(a.uid for a in figure.run.inputs) == sorted([hits.uid, counts.uid])

    # The review run read the figure; the transform has the seed's uid.
    review = ln.Transform.search("Project flow").first()
    assert review.uid == "1LCd8kco9lZU0000"
    assert [a.uid for a in review.runs.one().inputs] == [figure.uid]
    assert [r.uid for r in figure.input_of] == [review.runs.one().uid]

    users = {u.handle: u for u in ln.User.filter()}
    notebooks = ln.Transform.filter(created_by=users["testuser2"], type="notebook")
    assert sorted(t.key.rsplit("/", 1)[-1] for t in notebooks) == [
        "hit-identification.ipynb",
        "integrated-analysis.ipynb",
    ]
    assert ln.Transform.filter(created_by=users["testuser1"], type="notebook").count() == 0

    # The lineage reaches from the raw upload and the FASTQs to the figure.
    graph = figure.view_lineage(return_graph=True).lineage
    labels = {n.label for n in graph.nodes}
    assert {
        "fastq/perturbseq_R1_001.fastq.gz",
        "schmidt22_perturbseq.h5ad",
        "Cell Ranger",
        "Upload GWS CRISPRa result",
    } <= labels
    assert raw.uid in {n.uid for n in graph.nodes}
    svg = tmp_path / "project_flow_lineage.svg"
    assert ET.parse(svg).getroot().tag.endswith("svg")
    notebook_runs = ln.Run.filter(transform__kind="notebook").to_list()
    assert len(notebook_runs) == 2 and all(r.status == "completed" for r in notebook_runs)
    # lamingit run-notebook attached the executed notebooks as HTML reports.
    assert all(r.report.startswith("<!DOCTYPE html>") for r in notebook_runs)
    assert "hits:" in hits.run.report  # the output of the hit-calling cell
    assert notebook.source_code.startswith("{") and '"outputs": []' in notebook.source_code
