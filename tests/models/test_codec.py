"""The canonical codec: round trips, one byte form, schema errors."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamingit.errors import IntegrityError
from lamingit.models import ArtifactRecord, RunRecord, decode, encode

text = st.text(max_size=30)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), text)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=12,
)


@st.composite
def artifacts(draw: st.DrawFn) -> ArtifactRecord:
    return ArtifactRecord(
        uid=draw(st.text(alphabet="abcXYZ019", min_size=20, max_size=20)),
        created_at=draw(text),
        created_by=draw(text),
        key=draw(st.one_of(st.none(), text)),
        description=draw(st.one_of(st.none(), text)),
        size=draw(st.integers(0, 2**62)),
        hash=draw(text),
        is_latest=draw(st.booleans()),
        projects=sorted(draw(st.lists(text, max_size=3))),
        features=draw(st.dictionaries(text, json_value, max_size=4)),
    )


@given(artifacts())
def test_round_trip(record: ArtifactRecord) -> None:
    assert decode("artifact", encode(record)) == record


@given(artifacts())
def test_encoding_is_canonical(record: ArtifactRecord) -> None:
    data = encode(record)
    again = encode(decode("artifact", data))
    assert data == again
    keys = list(msgspec.json.decode(data))
    assert keys == sorted(keys)


@given(st.dictionaries(text, json_value, max_size=5))
def test_run_params_round_trip(params: dict[str, object]) -> None:
    run = RunRecord(
        uid="r" * 20,
        created_at="t",
        created_by="u",
        transform="t" * 16,
        started_at="t",
        params=params,
    )
    assert decode("run", encode(run)).params == params  # type: ignore[attr-defined]


def test_unknown_field_is_an_integrity_error() -> None:
    data = encode(ArtifactRecord(uid="a" * 20, created_at="t", created_by="u"))
    bad = data.replace(b'"hash"', b'"surprise": 1,\n "hash"')
    with pytest.raises(IntegrityError, match="does not match its schema"):
        decode("artifact", bad)


def test_malformed_json_is_an_integrity_error() -> None:
    with pytest.raises(IntegrityError):
        decode("artifact", b"{not json")


def test_unknown_registry() -> None:
    with pytest.raises(IntegrityError, match="unknown registry"):
        decode("nope", b"{}")
