"""The registry catalog (api/core/catalog.py): one entry per registry class, filled by
Registry.__init_subclass__, read by everything that lists registries."""

from __future__ import annotations

from pathlib import Path

import pytest

import lamingit as ln
from lamingit.api.core import catalog
from lamingit.api.core.base import Registry
from lamingit.errors import InvalidArgument
from lamingit.models import STRUCTS, ArtifactRecord
from lamingit.query import SCHEMAS


def test_every_struct_has_one_registry_class_and_back() -> None:
    classes = catalog.classes()
    assert sorted(cls._registry for cls in classes.values()) == sorted(STRUCTS)
    for cls in classes.values():
        assert STRUCTS[cls._registry] is cls._struct
        assert catalog.registry_class(cls._registry) is cls
        assert getattr(ln, cls.__name__) is cls
    assert {"Artifact", "Run", "User"} <= set(ln.__all__)
    assert {"Artifact", "Run", "User"} <= set(dir(ln))


def test_an_unknown_registry_is_refused_in_one_line() -> None:
    with pytest.raises(InvalidArgument, match="no registry 'keyword'; .*registries: artifact"):
        catalog.registry_class("keyword")
    with pytest.raises(AttributeError):
        ln.NoSuchRegistry  # noqa: B018


def test_a_second_class_for_the_same_registry_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="registry 'artifact' is defined twice"):

        class Artifact2(Registry):
            _registry = "artifact"
            _struct = ArtifactRecord

    assert catalog.registry_class("artifact") is ln.Artifact


def test_view_bound_subclasses_stay_out_of_the_catalog(repo: Path) -> None:
    view = ln.at("HEAD")
    assert view.Artifact is not ln.Artifact and issubclass(view.Artifact, ln.Artifact)
    assert catalog.registry_class("artifact") is ln.Artifact


def test_relations_come_from_the_struct_declarations() -> None:
    run = SCHEMAS["artifact"].relations["run"]
    assert run[0] == "run" and ArtifactRecord.to_one["run"] == "run"
    assert SCHEMAS["run"].aliases["input_artifacts"] == "inputs"
    assert SCHEMAS["transform"].relations["parents"][0] == "transform"
    assert all(SCHEMAS[name].relations["created_by"][0] == "user" for name in STRUCTS)
