"""ln.view(), QuerySet.distinct() and QuerySet.describe()."""

from __future__ import annotations

import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument


def test_view_distinct_and_queryset_describe(repo) -> None:
    assert "no records" in ln.view(registries=["ULabel"], return_str=True)
    ln.save([ln.ULabel(name=n) for n in ("a", "b", "c")])
    text = ln.view(limit=2, registries=["ULabel", "User"], return_str=True)
    assert text.startswith("ULabel") and "User" in text
    assert "c" in text and " a " not in text  # the 2 newest labels only
    with pytest.raises(InvalidArgument, match="unknown registry 'Nope'"):
        ln.view(registries=["Nope"])
    qs = ln.ULabel.filter(name__in=["a", "b"])
    assert qs.distinct().count() == 2
    with pytest.raises(InvalidArgument, match="no fields"):
        qs.distinct("name")
    described = qs.describe(return_str=True)
    assert described.count("ULabel: ") == 2
