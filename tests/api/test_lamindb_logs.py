"""LaminDB's log lines and kind/otype inference where a switching user looks (issue 18, 5 and 7)."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

import lamingit as ln


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="lamingit")
    return caplog


def test_new_version_is_announced_with_lamindb_wording(repo, write, logs) -> None:
    ln.Artifact(write("a.csv", "v1\n"), key="a.csv").save()
    assert "creating new artifact version" not in logs.text
    ln.Artifact(write("a.csv", "v2\n"), key="a.csv").save()
    assert f"creating new artifact version for key 'a.csv' in storage '{repo}'" in logs.text


def test_missing_run_warning_and_how_to_silence_it(repo, write, logs) -> None:
    ln.Artifact(write("a.csv", "a\n"), key="a.csv").save()
    warnings = [r for r in logs.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "no run & transform got linked, call `ln.track()` & re-run"
    ]
    logs.clear()
    ln.settings.creation.artifact_silence_missing_run_warning = True
    try:
        ln.Artifact(write("b.csv", "b\n"), key="b.csv").save()
    finally:
        ln.settings.creation.artifact_silence_missing_run_warning = False
    assert "no run & transform" not in logs.text


def test_no_missing_run_warning_inside_a_run(repo, write, logs) -> None:
    run = ln.Run(transform=ln.Transform(key="x.py", kind="script"))
    ln.Artifact(write("a.csv", "a\n"), key="a.csv", run=run).save()
    assert "no run & transform" not in logs.text


def test_from_dataframe_and_anndata_are_datasets(repo) -> None:
    df = pd.DataFrame({"a": [1, 2]})
    artifact = ln.Artifact.from_dataframe(df, key="d.parquet").save()
    assert (artifact.kind, artifact.otype) == ("dataset", "DataFrame")
    assert ln.Artifact.filter(kind="dataset").one() == artifact
    model = ln.Artifact.from_dataframe(df.assign(b=1), key="m.parquet", kind="model").save()
    assert model.kind == "model"  # an explicit kind wins
    ad = pytest.importorskip("anndata")
    adata = ad.AnnData(X=pd.DataFrame({"g": [1.0, 2.0]}).to_numpy())
    a2 = ln.Artifact.from_anndata(adata, key="x.h5ad").save()
    assert (a2.kind, a2.otype) == ("dataset", "AnnData")


def test_otype_from_file_suffix(repo, write) -> None:
    df = pd.DataFrame({"a": [1, 2]})
    df.to_parquet("t.parquet")
    assert ln.Artifact("t.parquet", key="t.parquet").save().otype == "DataFrame"
    assert ln.Artifact(write("t.csv", "a\n1\n"), key="t.csv").save().otype is None
    assert ln.Artifact(write("x.txt", "hi\n"), key="x.txt").save().otype is None
