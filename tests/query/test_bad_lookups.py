"""Bad lookups say which exist and suggest the nearest name (issue 18, item 8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lamingit as ln
from lamingit.errors import FieldError, InvalidArgument
from lamingit.query.expr import OPERATORS
from lamingit.query.validate import did_you_mean


def test_unknown_operator_suggests_the_nearest(repo) -> None:
    with pytest.raises(FieldError, match=r"unsupported lookup 'gtx' for size; did you mean 'gt'\?"):
        ln.Artifact.filter(size__gtx=1)
    with pytest.raises(FieldError, match="lookups: contains, endswith, exact"):
        ln.Artifact.filter(key__startwith="raw/")
    with pytest.raises(FieldError, match="did you mean 'startswith'"):
        ln.Artifact.filter(key__startwith="raw/")
    # a LaminDB-style handler for bad arguments catches it as well
    with pytest.raises(InvalidArgument):
        ln.Run.filter(started_at__gtee="2025")


def test_unknown_field_and_relation_step_suggest(repo) -> None:
    ln.Feature(name="gc_content", dtype=float).save()
    with pytest.raises(
        FieldError,
        match="'sufix' is neither a field of Artifact nor a feature; did you mean 'suffix'",
    ):
        ln.Artifact.filter(sufix=".csv")
    with pytest.raises(FieldError, match="did you mean 'gc_content'"):
        ln.Artifact.filter(gc_contnt=0.5)
    with pytest.raises(
        FieldError, match="'transfrm' is not a field of Run; did you mean 'transform'"
    ):
        ln.Artifact.filter(run__transfrm__key="a.py")
    with pytest.raises(FieldError, match="did you mean 'key'"):
        ln.Artifact.filter().order_by("kye").to_list()
    with pytest.raises(FieldError, match="did you mean 'handle'"):
        ln.User.lookup(field="handel")


def test_lookup_on_a_scalar_feature_is_an_unsupported_lookup(repo) -> None:
    ln.Feature(name="gc_content", dtype=float).save()
    ln.Feature(name="study", dtype=dict).save()
    with pytest.raises(
        FieldError, match="unsupported lookup 'gtx' for gc_content; did you mean 'gt'"
    ):
        ln.Artifact.filter(gc_content__gtx=0.5)
    assert ln.Artifact.filter(study__assay="RNA-seq").count() == 0  # dict features have keys


def test_unknown_registry_name_is_suggested(repo) -> None:
    with pytest.raises(AttributeError, match="did you mean 'Artifact'"):
        ln.Artifcat  # noqa: B018
    ln.Project(name="p").save()
    with pytest.raises(AttributeError, match="did you mean 'Project'"):
        ln.at("HEAD").Projcet  # noqa: B018
    from lamingit.api.core.catalog import registry_class

    with pytest.raises(InvalidArgument, match="did you mean 'record'"):
        registry_class("recrd")


@given(st.sampled_from(sorted(o for o in OPERATORS if len(o) >= 4)), st.integers(0, 10))
def test_one_typo_in_an_operator_still_suggests_an_operator(op: str, pos: int) -> None:
    typo = op[: pos % len(op)] + "x" + op[pos % len(op) + 1 :]
    if typo in OPERATORS:
        return
    hint = did_you_mean(typo, OPERATORS)
    assert hint.startswith(" did you mean '")
    assert hint[len(" did you mean '") : -2] in OPERATORS
