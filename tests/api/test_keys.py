"""Key rules and compound suffixes."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamingit.api.core.keys import BIDI_CONTROLS, suffix_of, validate_key
from lamingit.errors import InvalidKey

segment = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"),
        blacklist_characters="/\\\x00" + "".join(BIDI_CONTROLS),
    ),
    min_size=1,
    max_size=20,
).filter(lambda s: s not in (".", "..", ".lamingit", ".git"))


@given(st.lists(segment, min_size=1, max_size=5))
def test_plain_posix_paths_are_valid(parts: list[str]) -> None:
    key = "/".join(parts)
    assert validate_key(key) == unicodedata.normalize("NFC", key)


@given(st.lists(segment, min_size=1, max_size=5))
def test_every_normal_form_of_a_key_is_the_same_key(parts: list[str]) -> None:
    key = "/".join(parts)
    forms = {validate_key(unicodedata.normalize(form, key)) for form in ("NFC", "NFD")}
    assert forms == {unicodedata.normalize("NFC", key)}


controls = st.characters(whitelist_categories=("Cc",)).filter(lambda c: c != "\x00")


@given(segment, st.one_of(controls, st.sampled_from(sorted(BIDI_CONTROLS))), segment)
def test_control_and_bidi_characters_are_refused(before: str, bad: str, after: str) -> None:
    with pytest.raises(InvalidKey, match="control character|bidirectional override"):
        validate_key(f"{before}{bad}{after}.csv")


@given(
    st.lists(segment, max_size=3),
    st.sampled_from(["..", ".", "", ".lamingit"]),
    st.lists(segment, max_size=3),
)
def test_bad_segments_are_refused(before: list[str], bad: str, after: list[str]) -> None:
    key = "/".join([*before, bad, *after])
    with pytest.raises(InvalidKey):
        validate_key(key)


@pytest.mark.parametrize(
    "key",
    ["/abs/a.csv", "a\\b.csv", "a\x00.csv", "x" * 2000, "a/\x07b.csv", ".git/config"],
)
def test_hostile_keys(key: str) -> None:
    with pytest.raises(InvalidKey):
        validate_key(key)


def test_suffix_must_match() -> None:
    assert validate_key("raw/R1.fastq.gz", ".fastq.gz")
    with pytest.raises(InvalidKey, match="suffix"):
        validate_key("raw/R1.fastq", ".fastq.gz")
    with pytest.raises(InvalidKey, match="suffix"):
        validate_key("table.csv", ".parquet")


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("a.csv.gz", ".csv.gz"),
        ("x.anndata.zarr", ".anndata.zarr"),
        ("b.tar.gz", ".tar.gz"),
        ("c.h5ad", ".h5ad"),
        ("dir/plain", ""),
        ("v1.2.parquet", ".parquet"),
    ],
)
def test_compound_suffixes(name: str, suffix: str) -> None:
    assert suffix_of(name) == suffix
