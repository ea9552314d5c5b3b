"""LaminDB/Django exception names: ``except ln.Artifact.DoesNotExist:`` and friends (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

import lamingit as ln
from lamingit.errors import DoesNotExist, LamingitError, MultipleResultsFound


def test_each_registry_carries_its_own_exceptions(repo) -> None:
    for cls in (ln.Artifact, ln.Record, ln.Run, ln.Transform, ln.Feature, ln.Project, ln.User):
        assert issubclass(cls.DoesNotExist, ln.errors.DoesNotExist)
        assert issubclass(cls.MultipleObjectsReturned, ln.errors.MultipleResultsFound)
        assert cls.DoesNotExist.__qualname__ == f"{cls.__name__}.DoesNotExist"
    assert ln.Artifact.DoesNotExist is not ln.Project.DoesNotExist


def test_except_registry_does_not_exist_as_in_lamindb(repo) -> None:
    try:
        ln.Artifact.get(key="missing.csv")
    except ln.Artifact.DoesNotExist as exc:
        assert "missing.csv" in str(exc)
    else:
        pytest.fail("get() of a missing key must raise")
    with pytest.raises(ln.Project.DoesNotExist):
        ln.Project.get(name="nope")
    with pytest.raises(ln.Project.DoesNotExist):
        ln.Project.filter(name="nope").one()
    with pytest.raises(ln.Record.DoesNotExist):
        ln.Record.get("abcdefghijklmnop")
    # a handler for one registry does not swallow another registry's miss
    with pytest.raises(ln.Artifact.DoesNotExist):
        try:
            ln.Artifact.get(key="x.csv")
        except ln.Project.DoesNotExist:
            pytest.fail("Project.DoesNotExist caught an Artifact miss")


def test_multiple_objects_returned(repo) -> None:
    ln.Record(name="a", description="same").save()
    ln.Record(name="b", description="same").save()
    with pytest.raises(ln.Record.MultipleObjectsReturned):
        ln.Record.get(description="same")
    with pytest.raises(ln.errors.MultipleObjectsReturned):
        ln.Record.filter(description="same").one()
    with pytest.raises(MultipleResultsFound):
        ln.Record.filter(description="same").one_or_none()


def test_django_aliases_in_errors_module() -> None:
    assert ln.errors.ObjectDoesNotExist is DoesNotExist
    assert ln.errors.MultipleObjectsReturned is MultipleResultsFound
    assert issubclass(ln.errors.FieldError, ln.errors.InvalidArgument)
    assert issubclass(ln.errors.FieldError, LamingitError)


def test_historical_view_raises_the_same_exception_class(repo) -> None:
    ln.Project(name="p").save()
    with pytest.raises(ln.Project.DoesNotExist):
        ln.at("HEAD").Project.get(name="nope")


def test_integer_ids_exist_and_typos_say_so(repo) -> None:
    project = ln.Project(name="p").save()
    assert isinstance(project.id, int) and project.pk == project.id
    with pytest.raises(AttributeError, match="did you mean 'artifacts'"):
        project.artifact  # noqa: B018
    with pytest.raises(ln.Project.DoesNotExist):
        ln.Project.get(id=project.id + 1 if project.id < 2**62 else 1)


def test_unknown_constructor_fields_raise_field_validation_error(repo: Path) -> None:
    assert issubclass(ln.errors.FieldValidationError, ValueError)
    with pytest.raises(ln.errors.FieldValidationError, match="did you mean 'name'"):
        ln.Project(nmae="x")  # type: ignore[call-arg]
    with pytest.raises(
        ln.errors.FieldValidationError, match="bogus are not valid fields of ULabel"
    ):
        ln.ULabel(name="x", bogus=1)  # type: ignore[call-arg]
    with pytest.raises(ln.errors.FieldValidationError, match="keyy"):
        ln.Transform(keyy="x.py")  # type: ignore[call-arg]
    assert ln.Project.filter().count() == 0
