"""``Artifact.load(**kwargs)`` hands the options to the reader, as in LaminDB."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument


def test_load_passes_kwargs_to_the_reader(repo: Path, write) -> None:
    df = pd.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    parquet = ln.Artifact.from_dataframe(df, key="t.parquet").save()
    assert list(parquet.load(columns=["x"]).columns) == ["x"]
    assert list(parquet.load().columns) == ["x", "y"]
    csv = ln.Artifact(write("t.csv", "x,y\n1,a\n2,b\n3,c\n"), key="t.csv").save()
    assert len(csv.load(nrows=2)) == 2
    assert list(csv.load(usecols=["y"]).columns) == ["y"]
    tsv = ln.Artifact(write("t.tsv", "x\ty\n1\ta\n"), key="t.tsv").save()
    assert list(tsv.load(usecols=["x"]).columns) == ["x"]


def test_load_refuses_options_a_reader_does_not_take(repo: Path, write) -> None:
    text = ln.Artifact(write("notes.txt", "hi\n"), key="notes.txt").save()
    with pytest.raises(InvalidArgument, match="takes no options"):
        text.load(columns=["x"])
    parquet = ln.Artifact.from_dataframe(pd.DataFrame({"x": [1]}), key="t.parquet").save()
    with pytest.raises(InvalidArgument, match="pandas.read_parquet does not take it"):
        parquet.load(no_such_option=1)
