"""ln.Schema and ln.curators against a real repository: good and bad DataFrames and AnnDatas."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument, ValidationError
from lamingit.session import SESSION


@pytest.fixture
def schema(repo):  # type: ignore[no-untyped-def]
    perturbation = ln.ULabel(name="Perturbation", is_type=True).save()
    ln.save([ln.ULabel(name=n, type=perturbation) for n in ("DMSO", "IFNG")])
    cell_type = ln.Record(name="CellType", is_type=True).save()
    ln.save([ln.Record(name=n, type=cell_type) for n in ("B cell", "T cell")])
    features = [
        ln.Feature(name="perturbation", dtype=perturbation).save(),
        ln.Feature(name="cell_type", dtype=cell_type).save(),
        ln.Feature(name="concentration", dtype=float).save(),
    ]
    return ln.Schema(name="experiment", features=features).save()


def _good() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "perturbation": ["DMSO", "IFNG", "DMSO"],
            "cell_type": ["B cell", "T cell", "T cell"],
            "concentration": [0.1, 0.2, 0.3],
            "extra": [1, 2, 3],
        }
    )


def _head() -> str | None:
    return SESSION.repository().git.head()


def test_schema_same_definition_returns_existing_and_name_is_unique(schema) -> None:
    again = ln.Schema(name="experiment", features=schema.members).save()
    assert again.uid == schema.uid
    assert [f.name for f in schema.members] == ["perturbation", "cell_type", "concentration"]
    with pytest.raises(ValidationError, match="already named 'experiment'"):
        ln.Schema(name="experiment", features=schema.members[:1]).save()
    with pytest.raises(InvalidArgument, match="saved ln.Feature"):
        ln.Schema(features=[ln.Feature(name="x", dtype=int)])
    with pytest.raises(InvalidArgument, match="needs features"):
        ln.Schema()
    assert ln.Schema.get(name="experiment") == schema


def test_valid_dataframe_is_saved_annotated(schema) -> None:
    curator = ln.curators.DataFrameCurator(_good(), schema)
    curator.validate()
    artifact = curator.save_artifact(key="examples/dataset1.parquet")
    assert artifact.schema == schema
    assert {u.name for u in ln.ULabel.filter(uid__in=artifact._record.ulabels)} == {"DMSO", "IFNG"}
    assert {r.name for r in ln.Record.filter(uid__in=artifact._record.records)} == {
        "B cell",
        "T cell",
    }
    assert ln.Artifact.filter(schema=schema).one() == artifact
    assert ln.Artifact.filter(ulabels__name="IFNG").one() == artifact
    assert ln.Artifact.filter(records__name="T cell").one() == artifact
    assert schema.artifacts.one() == artifact


def test_bad_dataframe_names_every_problem_and_writes_nothing(schema) -> None:
    df = _good().drop(columns=["concentration"])
    df.loc[0, "perturbation"] = "dmso"
    df.loc[1, "cell_type"] = "NK cell"
    head = _head()
    with pytest.raises(ValidationError) as info:
        ln.Artifact.from_dataframe(df, key="bad.parquet", schema=schema)
    text = str(info.value)
    assert "\n" not in text
    assert "'concentration'" in text and "missing" in text
    assert "'dmso' (did you mean 'DMSO'?)" in text
    assert "'NK cell'" in text and "add_new_from('cell_type')" in text
    assert _head() == head  # nothing committed
    assert (
        ln.ULabel.filter(name="dmso").count() == 0 and ln.Record.filter(name="NK cell").count() == 0
    )


def test_standardize_and_add_new_from_then_save(schema) -> None:
    df = _good()
    df.loc[0, "perturbation"] = "dmso"
    df.loc[1, "cell_type"] = "NK cell"
    curator = ln.curators.DataFrameCurator(df, schema)
    with pytest.raises(ValidationError):
        curator.validate()
    assert curator.cat.non_validated == {"perturbation": ["dmso"], "cell_type": ["NK cell"]}
    curator.cat.standardize("perturbation")
    assert df.loc[0, "perturbation"] == "DMSO"
    curator.cat.add_new_from("cell_type")
    nk = ln.Record.get(name="NK cell")
    assert nk.type.name == "CellType"
    curator.validate()
    artifact = curator.save_artifact(key="fixed.parquet")
    assert nk.uid in artifact._record.records
    with pytest.raises(InvalidArgument, match="not a categorical"):
        curator.cat.standardize("concentration")
    assert curator.cat.lookup()["perturbation"].dmso.name == "DMSO"


def test_rules_maximal_set_dtype_coercion_and_index(repo) -> None:
    n = ln.Feature(name="n", dtype=int).save()
    sample = ln.Feature(name="sample_id", dtype=str).save()
    strict = ln.Schema(features=[n], maximal_set=True).save()
    df = pd.DataFrame({"n": [1, 2], "other": ["a", "b"]})
    with pytest.raises(ValidationError, match="'other' not in the schema"):
        ln.curators.DataFrameCurator(df, strict).validate()
    coercing = ln.Schema(features=[n], coerce_dtype=True, index=sample).save()
    stringy = pd.DataFrame({"n": ["1", "2"]}, index=["s1", "s2"])
    artifact = ln.Artifact.from_dataframe(stringy, key="c.parquet", schema=coercing).save()
    assert artifact.load()["n"].tolist() == [1, 2]
    assert stringy["n"].tolist() == ["1", "2"]  # the user's DataFrame is untouched
    with pytest.raises(ValidationError, match="index"):
        ln.Artifact.from_dataframe(
            pd.DataFrame({"n": [1]}, index=[7]), key="d.parquet", schema=coercing
        )


def test_flexible_schema_checks_columns_named_like_features(repo) -> None:
    ln.Feature(name="temperature", dtype=float).save()
    flexible = ln.Schema(itype=ln.Feature).save()
    ok = pd.DataFrame({"temperature": [21.5], "free_text": ["x"]})
    assert (
        ln.Artifact.from_dataframe(ok, key="ok.parquet", schema=flexible).save().schema == flexible
    )
    with pytest.raises(ValidationError, match="'temperature' has dtype object"):
        ln.Artifact.from_dataframe(
            pd.DataFrame({"temperature": ["hot"]}), key="x.parquet", schema=flexible
        )


def _adata(cell_types: list[str], genes: list[str]) -> ad.AnnData:
    return ad.AnnData(
        X=np.ones((len(cell_types), len(genes)), dtype=np.float32),
        obs=pd.DataFrame(
            {"cell_type": cell_types}, index=[f"c{i}" for i in range(len(cell_types))]
        ),
        var=pd.DataFrame(index=genes),
    )


def test_anndata_curator_good_and_bad(repo) -> None:
    cell_type = ln.ULabel(name="CellType", is_type=True).save()
    ln.save([ln.ULabel(name=n, type=cell_type) for n in ("B cell", "T cell")])
    obs = ln.Schema(features=[ln.Feature(name="cell_type", dtype=cell_type).save()]).save()
    ln.save([ln.Feature(name=g, dtype=float) for g in ("CD4", "CD8A")])
    ln.Feature.get(name="CD8A").add_synonym("CD8")
    var = ln.Schema(itype=ln.Feature).save()
    schema = ln.Schema(otype="AnnData", slots={"obs": obs, "var.T": var}).save()
    good = _adata(["B cell", "T cell"], ["CD4", "CD8A"])
    artifact = ln.curators.AnnDataCurator(good, schema).save_artifact(key="scrna/good.h5ad")
    assert artifact.schema == schema and artifact.otype == "AnnData"
    assert ln.Artifact.filter(ulabels__name="T cell").one() == artifact
    bad = _adata(["B cell", "Tcell"], ["CD8", "GAPDH"])
    head = _head()
    curator = ln.curators.AnnDataCurator(bad, schema)
    with pytest.raises(ValidationError) as info:
        curator.validate()
    text = str(info.value)
    assert "[obs]" in text and "'Tcell' (did you mean 'T cell'?)" in text
    assert "[var.T]" in text and "'GAPDH'" in text and "'CD8' (synonym of 'CD8A')" in text
    var_t = text[text.index("[var.T]") :]
    assert "standardize" not in var_t and "adata.var_names" in var_t
    assert "ln.Feature(name=..., dtype=...).save()" in var_t
    assert _head() == head
    curator.slots["obs"].cat.standardize("cell_type")
    ln.Feature(name="GAPDH", dtype=float).save()
    ln.Feature(name="CD8", dtype=float).save()
    curator.validate()
    with pytest.raises(InvalidArgument, match="slots"):
        ln.curators.AnnDataCurator(good, obs)


def test_describe_shows_schema_and_labels(schema) -> None:
    artifact = ln.Artifact.from_dataframe(_good(), key="d.parquet", schema=schema).save()
    text = artifact.describe(return_str=True)
    assert "schema: experiment" in text and "perturbation: cat[ULabel[Perturbation]]" in text
    import re

    rows = dict(re.findall(r"\.(ulabels|records) +\w+ +(.*)", text))
    assert set(rows["ulabels"].split(", ")) == {"DMSO", "IFNG"}
    assert set(rows["records"].split(", ")) == {"B cell", "T cell"}


def test_schema_trash_restore_permanent_and_history(schema) -> None:
    import subprocess

    gitdir = SESSION.repository().paths.gitdir
    subprocess.run(["git", f"--git-dir={gitdir}", "tag", "before"], check=True)
    artifact = ln.Artifact.from_dataframe(_good(), key="d.parquet", schema=schema).save()
    with pytest.raises(ValidationError, match="1 artifact"):
        schema.delete(permanent=True)
    schema.delete()
    assert ln.Schema.filter().count() == 0 and ln.Schema.filter(trashed=True).count() == 1
    schema.restore()
    assert ln.Schema.get(name="experiment") == schema
    assert ln.at("before").Artifact.filter(schema=schema).count() == 0
    assert ln.at("before").Schema.get(name="experiment").uid == schema.uid
    artifact.delete(permanent=True)
    spare = ln.Schema(features=schema.members[:1]).save()
    spare.delete(permanent=True)
    assert ln.Schema.filter(uid=spare.uid, trashed=True).count() == 0
    with pytest.raises(InvalidArgument, match="schema= takes a saved ln.Schema"):
        ln.Artifact.from_dataframe(_good(), key="e.parquet", schema="experiment")


def test_column_synonyms_are_named_and_standardized(schema) -> None:
    ln.Feature.get(name="cell_type").add_synonym("cell type")
    df = _good().rename(columns={"cell_type": "cell type", "concentration": "Concentration"})
    curator = ln.curators.DataFrameCurator(df, schema)
    head = _head()
    with pytest.raises(ValidationError) as info:
        curator.validate()
    message = str(info.value)
    assert "'cell type' is a synonym of 'cell_type'" in message
    assert "'Concentration' is a synonym of 'concentration'" in message
    assert "curator.cat.standardize('columns')" in message
    assert _head() == head  # nothing written
    curator.cat.standardize("columns")
    assert list(df.columns) == ["perturbation", "cell_type", "concentration", "extra"]
    curator.validate()
    assert curator.save_artifact(key="examples/renamed.parquet").schema == schema


def test_flexible_schema_renames_synonym_columns(repo) -> None:
    ln.Feature(name="concentration", dtype=float, synonyms="conc").save()
    schema = ln.Schema(name="flexible", itype=ln.Feature).save()
    df = pd.DataFrame({"conc": ["high"], "other": [1]})
    curator = ln.curators.DataFrameCurator(df, schema)
    curator.validate()  # a flexible schema does not check unknown columns (warns about 'conc')
    curator.cat.standardize("all")
    assert list(df.columns) == ["concentration", "other"]
    with pytest.raises(ValidationError, match="'concentration' has dtype"):
        curator.validate()  # now validated as the feature, whose dtype it does not have


def test_categorical_standardize_maps_case_variants_and_synonyms(repo) -> None:
    column = ln.Feature(name="column_name", dtype="str").save()
    kind = ln.ULabel(name="Kind", is_type=True).save()
    ln.save([ln.ULabel(name=n, type=kind) for n in ("B cell", "T cell")])
    label = ln.Feature(name="kind", dtype=kind).save()
    schema = ln.Schema(name="kinds", features=[label, column]).save()
    df = pd.DataFrame({"kind": ["b-cell", "T CELL", "NK"], "column_name": ["a", "b", "c"]})
    curator = ln.curators.DataFrameCurator(df, schema)
    with pytest.raises(ValidationError, match="did you mean 'B cell'"):
        curator.validate()
    curator.cat.standardize("kind")
    assert df["kind"].tolist() == ["B cell", "T cell", "NK"]
    assert curator.cat.non_validated == {"kind": ["NK"]}


def test_add_new_from_creates_records_that_satisfy_cat_filters(repo) -> None:
    cell_type = ln.Record(name="CellType", is_type=True).save()
    ln.Record(name="B cell", type=cell_type, description="curated").save()
    curated = ln.Feature(
        name="curated", dtype=ln.Record, cat_filters={"type": cell_type, "description": "curated"}
    ).save()
    schema = ln.Schema(features=[curated]).save()
    curator = ln.curators.DataFrameCurator(pd.DataFrame({"curated": ["B cell", "NK"]}), schema)
    with pytest.raises(ValidationError, match="'NK'"):
        curator.validate()
    curator.cat.add_new_from("curated")
    made = ln.Record.get(name="NK")
    assert made.type == cell_type and made.description == "curated"
    curator.validate()


def test_add_new_from_refuses_what_it_cannot_satisfy(repo) -> None:
    cell_type = ln.Record(name="CellType", is_type=True).save()
    user = ln.User.get(handle="testuser1")
    by_user = ln.Feature(name="by_user", dtype=cell_type, cat_filters={"created_by": user}).save()
    curated = ln.Feature(name="curated", dtype=cell_type, cat_filters={"description": "x"})
    schema = ln.Schema(features=[by_user, curated.save()]).save()
    frame = pd.DataFrame({"by_user": ["NK"], "curated": ["B cell"]})
    curator = ln.curators.DataFrameCurator(frame, schema)
    head = _head()
    with pytest.raises(
        InvalidArgument, match=r"'by_user' only takes records with created_by__uid="
    ):
        curator.cat.add_new_from("by_user")
    with pytest.raises(InvalidArgument, match=r"description='x'"):
        curator.cat.add_new_from("curated", description="y")  # contradicts the filter
    assert _head() == head  # nothing written
