"""Arrival checks refuse the key characters a local save refuses."""

from __future__ import annotations

import pytest

from lamingit.api.core import keys
from lamingit.models import ArtifactRecord
from lamingit.remote import verify


def test_the_two_sets_of_refused_characters_agree() -> None:
    assert verify.BIDI_CONTROLS == keys.BIDI_CONTROLS


@pytest.mark.parametrize("bad", ["\u202e", "\u2067", "\x1b", "\x7f", "\x9b"])
def test_a_pulled_key_with_a_control_or_bidi_character_is_unsafe(bad: str) -> None:
    record = ArtifactRecord(uid="a", created_at="", created_by="", key=f"report{bad}txt.csv")
    problem = verify.unsafe_fields(record)
    assert problem is not None and "control character or bidirectional override" in problem
    ok = ArtifactRecord(uid="a", created_at="", created_by="", key="caf\u00e9/report.csv")
    assert verify.unsafe_fields(ok) is None
