"""No value is silently changed: non-finite numbers, deep values, Unicode normal forms, odd keys."""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lamingit as ln
from lamingit.errors import InvalidArgument, InvalidKey, ValidationError
from lamingit.feature_values import MAX_VALUE_DEPTH, coerce
from lamingit.session import SESSION

NON_FINITE = [math.inf, -math.inf, math.nan]
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5))


def _nest(leaf: Any, depth: int) -> Any:
    value: Any = leaf
    for i in range(depth):
        value = {"k": value} if i % 2 else [value]
    return value


@settings(max_examples=60)
@given(
    st.recursive(
        json_leaf,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=8,
    ),
    st.sampled_from(NON_FINITE),
    st.integers(min_value=0, max_value=6),
)
def test_non_finite_numbers_anywhere_in_a_value_are_refused(
    value: Any, bad: float, depth: int
) -> None:
    hidden = {"ok": value, "deep": _nest(bad, depth)}
    with pytest.raises(ValidationError, match="NaN, inf and -inf cannot be stored"):
        coerce("meta", "dict", hidden)


@pytest.mark.parametrize("dtype", ["float", "list[float]"])
@pytest.mark.parametrize("bad", NON_FINITE, ids=["inf", "-inf", "nan"])
def test_non_finite_floats_are_refused(dtype: str, bad: float) -> None:
    value = bad if dtype == "float" else [1.0, bad]
    with pytest.raises(ValidationError, match="(inf|nan)"):
        coerce("x", dtype, value)


def test_nothing_is_committed_for_a_refused_value(repo: Path, write) -> None:
    ln.Feature(name="meta", dtype=dict).save()
    artifact = ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    head = SESSION.repository().git.head()
    with pytest.raises(ValidationError):
        artifact.features.add_values({"meta": {"scores": [1.0, math.inf]}})
    assert ln.Artifact.get(key="a.txt").features.get_values() == {}
    assert SESSION.repository().git.head() == head


def test_a_value_ten_thousand_levels_deep_is_one_clear_error(repo: Path, write) -> None:
    ln.Feature(name="meta", dtype=dict).save()
    ln.Feature(name="label", dtype=str).save()
    artifact = ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    deep = _nest(1, 10_000)
    deep_dict = {"k": deep}
    with pytest.raises(ValidationError, match=f"more than {MAX_VALUE_DEPTH} levels deep"):
        artifact.features.add_values({"meta": deep_dict})
    with pytest.raises(ValidationError, match="does not fit") as info:
        artifact.features.add_values({"label": deep_dict})
    assert len(str(info.value)) < 300 and "\n" not in str(info.value)
    # a feature that does not exist yet: the hint guesses a dtype without recursing
    with pytest.raises(ValidationError, match="does not exist"):
        artifact.features.add_values({"other": deep})
    # at the limit is fine, one past it is not
    artifact.features.add_values({"meta": {"k": _nest(1, MAX_VALUE_DEPTH - 2)}})
    assert artifact.features["meta"] == {"k": _nest(1, MAX_VALUE_DEPTH - 2)}
    with pytest.raises(ValidationError, match="levels deep"):
        artifact.features.add_values({"meta": {"k": _nest(1, MAX_VALUE_DEPTH - 1)}})


def test_feature_names_in_any_normal_form_are_one_feature(repo: Path, write) -> None:
    nfc, nfd = "caf\u00e9", unicodedata.normalize("NFD", "caf\u00e9")
    assert nfc != nfd
    ln.Feature(name=nfd, dtype=float).save()
    assert ln.Feature.get(name=nfc).name == nfc
    artifact = ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    artifact.features.add_values({nfd: 0.5})
    assert artifact.features[nfc] == 0.5 and nfd in artifact.features
    assert ln.Artifact.filter(**{nfc: 0.5}).one() == artifact
    assert ln.Artifact.filter(**{nfd: 0.5}).one() == artifact
    assert ln.Feature.filter().count() == 1


def test_keys_in_any_normal_form_are_one_artifact_family(repo: Path, write) -> None:
    nfc, nfd = "caf\u00e9.txt", unicodedata.normalize("NFD", "caf\u00e9.txt")
    first = ln.Artifact(write("1.txt", "one"), key=nfd).save()
    second = ln.Artifact(write("2.txt", "two"), key=nfc).save()
    assert first.key == second.key == nfc
    assert (first.version, second.version) == ("1", "2")  # one family, two versions
    assert ln.Artifact.filter(key=nfc, is_latest=True).one() == second


@pytest.mark.parametrize("bad", ["\u202e", "\u2066", "\x7f", "\x85", "\x1b"])
def test_keys_with_control_or_bidi_characters_are_refused(repo: Path, write, bad: str) -> None:
    with pytest.raises(InvalidKey, match=f"U\\+{ord(bad):04X}"):
        ln.Artifact(write("a.txt", "a"), key=f"raw/evil{bad}txt.exe.txt")


def test_cli_refuses_a_bidi_key_in_one_line(repo: Path, write, cli) -> None:
    path = write("a.txt", "a")
    out = cli("save", str(path), "--key", "report\u202etxt.exe.txt", cwd=repo)
    assert out.returncode == 1
    assert out.stderr.startswith("error: key") and out.stderr.count("\n") == 1
    assert "bidirectional override" in out.stderr


def test_filtering_an_int_feature_with_a_string_is_an_error(repo: Path, write) -> None:
    ln.Feature(name="n_cells", dtype=int).save()
    ln.Feature(name="ratio", dtype=float).save()
    artifact = ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    artifact.features.add_values({"n_cells": 100, "ratio": 0.5})
    with pytest.raises(InvalidArgument, match="n_cells is an int feature; got '100'"):
        ln.Artifact.filter(n_cells="100").count()
    with pytest.raises(InvalidArgument, match="n_cells__in is an int feature"):
        ln.Artifact.filter(n_cells__in=[100, "200"]).count()
    with pytest.raises(InvalidArgument, match="ratio__gt is a float feature"):
        ln.Artifact.filter(ratio__gt="0.1").count()
    assert ln.Artifact.filter(n_cells=100).one() == artifact
    assert ln.Artifact.filter(ratio__gt=0.1).one() == artifact
    assert ln.Artifact.filter(n_cells__isnull=False).one() == artifact


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=6))
def test_no_string_is_silently_compared_with_an_int_feature(repo: Path, text: str) -> None:
    if not ln.Feature.filter(name="n").count():
        ln.Feature(name="n", dtype=int).save()
    with pytest.raises(InvalidArgument, match="is an int feature"):
        ln.Artifact.filter(n=text).count()
