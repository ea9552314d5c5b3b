"""Registry.validate / inspect / standardize / from_values (LaminDB's CanCurate) on real records."""

from __future__ import annotations

import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument


def test_validate_inspect_standardize_from_values(repo) -> None:
    ln.save([ln.ULabel(name=n) for n in ("DMSO", "IFNG", "B cell")])
    assert ln.ULabel.validate(["DMSO", "ifng", "X"]).tolist() == [True, False, False]
    result = ln.ULabel.inspect(["DMSO", "ifng", "b-cell", "X", "DMSO"])
    assert result.validated == ["DMSO"]
    assert result.non_validated == ["X", "b-cell", "ifng"]
    assert result.suggestions == {"b-cell": "B cell", "ifng": "IFNG"}
    assert result.frac_validated == 0.25
    assert ln.ULabel.standardize(["ifng", "b-cell", "X"]) == ["IFNG", "B cell", "X"]
    assert ln.ULabel.standardize(["ifng"], return_mapper=True) == {"ifng": "IFNG"}
    assert [u.name for u in ln.ULabel.from_values(["IFNG", "nope", "DMSO"])] == ["IFNG", "DMSO"]
    assert ln.ULabel.filter(name="nope").count() == 0
    ln.Feature(name="gc_content", dtype=float).save()
    assert ln.Feature.validate(["gc_content", "other"]).tolist() == [True, False]
    assert ln.User.validate(["testuser1"], field="handle").tolist() == [True]
    with pytest.raises(InvalidArgument, match="no field 'nme'"):
        ln.ULabel.validate(["DMSO"], field="nme")
