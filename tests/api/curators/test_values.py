"""Registry.validate / inspect / standardize / from_values (LaminDB's CanCurate) on real records,
and synonyms (``Feature.add_synonym``, ``Project.set_abbr``)."""

from __future__ import annotations

import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument, ValidationError


def test_validate_inspect_standardize_from_values(repo) -> None:
    ln.save([ln.ULabel(name=n) for n in ("DMSO", "IFNG", "B cell")])
    assert ln.ULabel.validate(["DMSO", "ifng", "X"]).tolist() == [True, False, False]
    assert ln.ULabel.validate("DMSO") is True
    result = ln.ULabel.inspect(["DMSO", "ifng", "b-cell", "X", "DMSO"])
    assert result.validated == ["DMSO"]
    assert result.non_validated == ["ifng", "b-cell", "X"]
    assert result["non_validated"] == result.non_validated
    assert result.synonyms_mapper == {"ifng": "IFNG", "b-cell": "B cell"}
    assert result.suggestions == {"b-cell": "B cell", "ifng": "IFNG"}
    assert result.frac_validated == 25.0  # a percentage, as in LaminDB
    assert result.n_empty == 1
    assert ln.ULabel.standardize(["ifng", "b-cell", "X"]) == ["IFNG", "B cell", "X"]
    assert ln.ULabel.standardize("ifng") == "IFNG"
    assert ln.ULabel.standardize(["ifng"], return_mapper=True) == {"ifng": "IFNG"}
    assert ln.ULabel.standardize(["ifng"], case_sensitive=True) == ["ifng"]
    assert [u.name for u in ln.ULabel.from_values(["IFNG", "nope", "DMSO"])] == ["IFNG", "DMSO"]
    assert ln.ULabel.filter(name="nope").count() == 0
    ln.Feature(name="gc_content", dtype=float).save()
    assert ln.Feature.validate(["gc_content", "other"]).tolist() == [True, False]
    assert ln.User.validate(["testuser1"], field="handle").tolist() == [True]
    with pytest.raises(InvalidArgument, match="no field 'nme'"):
        ln.ULabel.validate(["DMSO"], field="nme")
    with pytest.raises(InvalidArgument, match="keep="):
        ln.ULabel.standardize(["x"], keep="all")  # type: ignore[arg-type]


def test_feature_synonyms_standardize_inspect(repo) -> None:
    cell_type = ln.Feature(name="cell_type", dtype=str, synonyms="cell type|celltype").save()
    ln.Feature(name="concentration", dtype=float, synonyms=["conc"]).save()
    assert ln.Feature.get(name="concentration").synonyms == "conc"
    values = ["Cell Type", "celltype", "CONC", "concentration", "other"]
    assert ln.Feature.standardize(values) == [
        "cell_type",
        "cell_type",
        "concentration",
        "concentration",
        "other",
    ]
    assert ln.Feature.standardize(["celltype", "CellType"], case_sensitive=True) == [
        "cell_type",
        "CellType",
    ]
    assert ln.Feature.standardize(["cell type"], return_field="uid", return_mapper=True) == {
        "cell type": cell_type.uid
    }
    # synonyms map only to the name field, as in LaminDB
    assert ln.Feature.standardize(["cell type"], field="dtype") == ["cell type"]
    result = ln.Feature.inspect(["cell_type", "celltype", "concentraton"])
    assert result.validated == ["cell_type"]
    assert result.non_validated == ["celltype", "concentraton"]
    assert result.synonyms_mapper == {"celltype": "cell_type"}
    assert result.suggestions == {"celltype": "cell_type", "concentraton": "concentration"}
    assert ln.Feature.validate(["celltype"]).tolist() == [False]  # validate: exact only


def test_add_remove_synonym_and_set_abbr(repo) -> None:
    cell_type = ln.Feature(name="cell_type", dtype=str).save()
    cell_type.add_synonym("cell type")
    cell_type.add_synonym(["celltype", "cell type"])
    assert ln.Feature.get(name="cell_type").synonyms == "cell type|celltype"
    other = ln.Feature(name="tissue", dtype=str).save()
    with pytest.raises(ValidationError, match="already belongs to Feature 'cell_type'"):
        other.add_synonym("celltype")
    with pytest.raises(ValidationError, match=r"can't contain '\|'"):
        other.add_synonym("a|b")
    assert ln.Feature.get(name="tissue").synonyms is None  # nothing written
    other.add_synonym("celltype", force=True)
    assert ln.Feature.standardize(["celltype"], keep=False) == [["cell_type", "tissue"]]
    assert ln.Feature.standardize(["celltype"], keep="last") == ["tissue"]
    cell_type.remove_synonym(["celltype", "cell type"])
    assert ln.Feature.get(name="cell_type").synonyms is None
    unsaved = ln.Feature(name="organ", dtype=str)
    unsaved.add_synonym("organ system")  # an unsaved record is not saved by add_synonym
    assert ln.Feature.filter(name="organ").count() == 0
    assert unsaved.save().synonyms == "organ system"
    project = ln.Project(name="Cancer Drug Screen").save()
    project.set_abbr("CDS")
    assert ln.Project.get(name="Cancer Drug Screen").abbr == "CDS"
    assert ln.Project(name="Atlas", abbr="ATL").save().abbr == "ATL"
    with pytest.raises(ValidationError, match="abbreviation"):
        project.set_abbr("")


def test_missing_values_keep_their_place_and_lamindb_spellings(repo) -> None:
    ln.Feature(name="cell_type", dtype=str, synonyms="celltype").save()
    values = ["celltype", None, float("nan"), "other"]
    assert ln.Feature.standardize(values) == ["cell_type", None, None, "other"]
    assert ln.Feature.standardize(values, public_aware=False, from_source=False) == [
        "cell_type",
        None,
        None,
        "other",
    ]
    assert ln.Feature.validate(["cell_type", None]).tolist() == [True, False]
    assert ln.Feature.validate([["cell_type", "celltype"], ["other"]]).tolist() == [
        True,
        False,
        False,
    ]  # lists of lists are flattened, as in LaminDB


def test_from_values_create_returns_unsaved_records(repo) -> None:
    ln.ULabel(name="DMSO").save()
    labels = ln.ULabel.from_values(["DMSO", "IFNG", "DMSO"], create=True)
    assert [u.name for u in labels] == ["DMSO", "IFNG"]
    assert ln.ULabel.filter(name="IFNG").count() == 0  # nothing written until saved
    ln.save(labels)
    assert ln.ULabel.get(name="IFNG").name == "IFNG"
    assert ln.ULabel.from_values(["nope"], mute=True) == []


def test_queryset_validate_inspect_standardize_use_its_results_only(repo) -> None:
    treatment = ln.ULabel(name="Treatment", is_type=True).save()
    ln.save([ln.ULabel(name=n, type=treatment) for n in ("DMSO", "IFNG")])
    ln.ULabel(name="B cell").save()
    treatments = ln.ULabel.filter(type=treatment)
    assert treatments.validate(["DMSO", "B cell"]).tolist() == [True, False]
    assert ln.ULabel.validate(["DMSO", "B cell"]).tolist() == [True, True]
    assert treatments.validate("IFNG") is True
    result = treatments.inspect(["dmso", "B cell"])
    assert result.validated == [] and result.synonyms_mapper == {"dmso": "DMSO"}
    assert treatments.standardize(["dmso", "b cell"]) == ["DMSO", "b cell"]
    assert ln.ULabel.standardize(["b cell"]) == ["B cell"]
    assert treatments.standardize(["ifng"], return_mapper=True) == {"ifng": "IFNG"}
