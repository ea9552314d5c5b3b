"""Transform(key=, kind=, revises=, version_tag=) and Transform.from_path."""

from __future__ import annotations

from pathlib import Path

import pytest

import lamingit as ln
from lamingit.errors import FieldValidationError, InvalidArgument


def test_revises_makes_the_next_version(repo: Path) -> None:
    v1 = ln.Transform(key="clean.py", kind="script", source_code="print(1)").save()
    v2 = ln.Transform(revises=v1, kind="script", source_code="print(2)", version_tag="2.0").save()
    assert v2.key == "clean.py" and v2.stem_uid == v1.stem_uid and v2.uid != v1.uid
    assert v2.version_tag == "2.0" and v2.is_latest
    assert ln.Transform.get(v1.uid).is_latest is False
    assert ln.Transform.filter(version_tag="2.0").one().uid == v2.uid
    renamed = ln.Transform(key="clean2.py", revises=v2, source_code="print(3)").save()
    assert renamed.stem_uid == v1.stem_uid  # revises= names the family, not the key
    with pytest.raises(InvalidArgument, match="revises="):
        ln.Transform(key="x.py", revises="clean.py")  # type: ignore[arg-type]


def test_bad_kind_is_a_field_validation_error(repo: Path) -> None:
    with pytest.raises(FieldValidationError, match="kind='bogus'"):
        ln.Transform(key="x.py", kind="bogus")


def test_from_path(repo: Path, tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("print('train')\n")
    transform = ln.Transform.from_path(script).save()
    assert transform.key == "train.py" and transform.kind == "script"
    assert transform.source_code == "print('train')\n"
    assert ln.Transform.from_path(script).save().uid == transform.uid  # same code: same one
    script.write_text("print('train v2')\n")
    v2 = ln.Transform.from_path(script).save()
    assert v2.stem_uid == transform.stem_uid and v2.uid != transform.uid
    notebook = tmp_path / "analysis.ipynb"
    notebook.write_text('{"cells": []}')
    assert ln.Transform.from_path(notebook, key="nb/analysis.ipynb").kind == "notebook"
    with pytest.raises(FileNotFoundError):
        ln.Transform.from_path(tmp_path / "missing.py")
