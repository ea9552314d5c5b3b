"""schemas/ holds the current JSON Schemas of every record struct."""

from __future__ import annotations

from pathlib import Path

from lamingit.models.export import schema_files

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def test_schema_files_are_current() -> None:
    expected = schema_files()
    present = {p.name for p in SCHEMAS.glob("*.schema.json")}
    assert present == set(expected), "run `python -m lamingit.models.export schemas`"
    for name, text in expected.items():
        assert (SCHEMAS / name).read_text() == text, (
            f"schemas/{name} is stale; run `python -m lamingit.models.export schemas`"
        )


def test_descriptions_carry_no_docstring_indentation() -> None:
    # Python 3.13 and msgspec 0.23 dedent docstrings, older ones do not: the export must give
    # the same text on all of them, so no line of a description may keep the indentation.
    for name, text in schema_files().items():
        assert "\\n    " not in text, f"{name}: a description kept its docstring indentation"
