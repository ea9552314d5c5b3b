"""The curator engine alone: every column rule, every problem named, nothing changed in place."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from lamingit.api.core.curation.checks import (
    ColumnRule,
    check_frame,
    coerce_column,
    dtype_fits,
    suggest,
)

SAVED = ["B cell", "T cell", "NK cell"]


def _cat(name: str) -> ColumnRule:
    return ColumnRule(
        name,
        "cat[ULabel]",
        resolve=lambda values: {v: f"uid-{v}" for v in values if v in SAVED},
        names=lambda: list(SAVED),
        label="ULabel",
    )


def test_a_valid_frame_has_no_problems_and_resolves_labels() -> None:
    df = pd.DataFrame({"cell_type": ["B cell", "T cell"], "n": [1, 2]})
    report = check_frame(df, [_cat("cell_type"), ColumnRule("n", "int")])
    assert report.ok
    assert report.validated["cell_type"] == {"B cell": "uid-B cell", "T cell": "uid-T cell"}


def test_every_problem_is_named_in_one_line() -> None:
    df = pd.DataFrame({"cell_type": ["B-cell", "t cell", "Monocyte"], "n": ["a", "b", "c"]})
    rules = [_cat("cell_type"), ColumnRule("n", "int"), ColumnRule("donor", "str")]
    report = check_frame(df, rules)
    text = report.message("the DataFrame")
    assert "\n" not in text
    assert "'donor'" in text and "missing" in text
    assert "column 'n' has dtype object, expected int" in text
    assert "3 term(s) not validated in feature 'cell_type'" in text
    assert "'B-cell' (did you mean 'B cell'?)" in text
    assert "'t cell' (did you mean 'T cell'?)" in text
    assert "'Monocyte'" in text and "add_new_from('cell_type')" in text
    assert report.non_validated == {"cell_type": ["B-cell", "Monocyte", "t cell"]}
    assert report.missing == ["donor"]


def test_maximal_set_refuses_extra_columns_and_ordered_set_the_order() -> None:
    df = pd.DataFrame({"b": [1], "a": [1], "extra": [1]})
    rules = [ColumnRule("a", "int"), ColumnRule("b", "int")]
    assert check_frame(df, rules).ok
    assert "'extra' not in the schema" in check_frame(df, rules, maximal_set=True).problems[0]
    assert "order" in check_frame(df, rules, ordered_set=True).problems[0]


def test_optional_columns_and_nullability() -> None:
    df = pd.DataFrame({"a": ["x", None]})
    assert check_frame(df, [ColumnRule("b", "int", required=False)]).ok
    assert (
        "1 null value(s)" in check_frame(df, [ColumnRule("a", "str", nullable=False)]).problems[0]
    )


def test_coerce_casts_a_copy_and_reports_what_cannot_be_cast() -> None:
    df = pd.DataFrame({"a": ["1", "2"], "b": ["x", "y"]})
    report = check_frame(df, [ColumnRule("a", "int"), ColumnRule("b", "float")], coerce=True)
    assert report.coerced == ["a"]
    assert report.frame["a"].tolist() == [1, 2]
    assert df["a"].tolist() == ["1", "2"]  # the user's frame is untouched
    assert report.problems == ["column 'b' has dtype object, expected float"]


def test_dtype_fits() -> None:
    assert dtype_fits(pd.Series([1.0, None]), "int")  # pandas stores ints with nulls as float
    assert not dtype_fits(pd.Series([1.5]), "int")
    assert not dtype_fits(pd.Series([True]), "float")
    assert dtype_fits(pd.Series(["a"], dtype="category"), "cat[ULabel]")
    assert dtype_fits(pd.to_datetime(pd.Series(["2025-01-01"])), "datetime")
    assert dtype_fits(pd.Series([[1], [2]]), "list[int]")
    assert not dtype_fits(pd.Series([1]), "str")
    assert coerce_column(pd.Series(["x"]), "int") is None


def test_list_valued_categoricals_are_checked_per_element() -> None:
    df = pd.DataFrame({"cell_type": [["B cell", "X"], ["T cell"]]})
    rule = ColumnRule(
        "cell_type", "list[cat[ULabel]]", resolve=_cat("c").resolve, names=_cat("c").names
    )
    report = check_frame(df, [rule])
    assert report.non_validated == {"cell_type": ["X"]}


@given(st.text(max_size=12), st.lists(st.text(min_size=1, max_size=12), max_size=8))
def test_suggest_returns_a_saved_name_or_none(value: str, names: list[str]) -> None:
    found = suggest(value, names)
    assert found is None or found in names
    if value in names:
        assert suggest(value, names) is not None
