"""@ln.flow() and @ln.step(): workflow runs and their steps."""

from __future__ import annotations

import pandas as pd
import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument, TrackNotCalled


@ln.step()
def preprocess(key: str, n: int) -> ln.Artifact:
    df = ln.Artifact.get(key=key).load().head(n)
    return ln.Artifact.from_dataframe(df, key=f"{key}.head.parquet").save()


@ln.flow()
def pipeline(key: str) -> tuple[ln.Artifact, object]:
    run = ln.context.run
    return preprocess(key, n=1), run


def test_flow_runs_its_steps(repo) -> None:
    ln.Artifact.from_dataframe(pd.DataFrame({"a": [1, 2]}), key="raw.parquet").save()
    with pytest.raises(TrackNotCalled, match="initiating run"):
        preprocess("raw.parquet", n=1)
    out, flow_run = pipeline("raw.parquet")
    assert ln.context.run is None  # cleared after the call
    step_run = out.run
    assert step_run.initiated_by_run == flow_run
    assert step_run.params == {"key": "raw.parquet", "n": 1}
    assert flow_run.params == {"key": "raw.parquet"}
    assert [a.key for a in step_run.input_artifacts.all()] == ["raw.parquet"]
    with pytest.raises(InvalidArgument, match="global_run"):
        ln.flow(global_run="memorize")
