"""Hypothesis fuzzes feature values: each either round-trips or is a ValidationError, and a
refused value writes nothing. Runs once the features API (``ln.Feature``) is present.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lamingit as ln
from lamingit.errors import LamingitError, ValidationError
from lamingit.session import SESSION

DTYPES = ["int", "float", "str", "bool", "date", "dict", "list[int]", "list[str]"]
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
)
values = st.one_of(
    json_leaf,
    st.floats(),
    st.dates(),
    st.datetimes(),
    st.binary(max_size=4),
    st.lists(json_leaf, max_size=3),
    st.dictionaries(st.text(max_size=4), json_leaf, max_size=3),
    st.sampled_from(["2025-10-31", "2025-13-45", "1e999", "NaN", "", "\x00"]),
)


def _features() -> None:
    for dtype in DTYPES:
        name = "f_" + dtype.replace("[", "_").replace("]", "")
        ln.Feature(name=name, dtype=dtype).save()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(dtype=st.sampled_from(DTYPES), value=values)
def test_feature_values_fit_or_are_refused(repo: Path, dtype: str, value: Any) -> None:
    if not ln.Feature.filter().exists():
        _features()
    artifact = ln.Artifact.filter(key="a.txt").first()
    if artifact is None:
        Path("a.txt").write_text("annotated")
        artifact = ln.Artifact(Path("a.txt"), key="a.txt").save()
    name = "f_" + dtype.replace("[", "_").replace("]", "")
    head = SESSION.repository().git.head()
    try:
        artifact.features.add_values({name: value})
    except ValidationError:
        assert SESSION.repository().git.head() == head  # nothing written
        return
    except LamingitError as exc:  # any other refusal must still be a LamingitError
        pytest.fail(f"{type(exc).__name__} instead of ValidationError: {exc}")
    stored = ln.Artifact.get(artifact.uid).features.get_values()[name]
    if isinstance(value, float) and isinstance(stored, float):
        assert math.isclose(stored, value) or stored == value
    assert stored is not None or value is None
