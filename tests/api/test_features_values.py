"""obj.features: add/get/set/remove values, validation, atomicity, one commit per call."""

from __future__ import annotations

from datetime import date

import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument, ValidationError
from lamingit.session import SESSION


@pytest.fixture
def artifact(repo, write):  # type: ignore[no-untyped-def]
    ln.Feature(name="gc_content", dtype=float).save()
    ln.Feature(name="read_count", dtype=int).save()
    ln.Feature(name="experiment_date", dtype="date").save()
    ln.Feature(name="study_metadata", dtype=dict).save()
    ln.Feature(name="tags", dtype=list[str]).save()
    return ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()


def _commits() -> int:
    return len(list(SESSION.repository().git.log()))


def test_add_get_set_remove(artifact) -> None:
    before = _commits()
    artifact.features.add_values({"gc_content": 0.55, "experiment_date": "2025-10-31"})
    assert _commits() == before + 1
    assert artifact.features.get_values() == {
        "experiment_date": date(2025, 10, 31),
        "gc_content": 0.55,
    }
    assert artifact.features["experiment_date"] == date(2025, 10, 31)
    fresh = ln.Artifact.get(key="a.csv")
    assert fresh._record.features == {"experiment_date": "2025-10-31", "gc_content": 0.55}
    artifact.features.add_values({"read_count": 12})
    assert set(artifact.features.get_values()) == {"experiment_date", "gc_content", "read_count"}
    artifact.features.set_values({"read_count": 3})
    assert artifact.features.get_values() == {"read_count": 3}
    artifact.features.remove_values("read_count")
    assert artifact.features.get_values() == {}
    with pytest.raises(KeyError, match="no value for feature 'read_count'"):
        artifact.features["read_count"]
    with pytest.raises(InvalidArgument, match="no value"):
        artifact.features.remove_values(["read_count"])


def test_wrong_type_names_feature_dtype_value_and_writes_nothing(artifact) -> None:
    before = _commits()
    with pytest.raises(ValidationError, match="'read_count'.*'int'.*'many'"):
        artifact.features.add_values({"gc_content": 0.5, "read_count": "many"})
    with pytest.raises(ValidationError, match="'experiment_date'.*'date'.*'31/10/2025'"):
        artifact.features.add_values({"experiment_date": "31/10/2025"})
    assert _commits() == before
    assert ln.Artifact.get(key="a.csv")._record.features == {}


def test_unknown_feature_shows_how_to_create_it(artifact) -> None:
    with pytest.raises(
        ValidationError, match=r"ln\.Feature\(name='sampled_on', dtype='date'\)\.save\(\)"
    ):
        artifact.features.add_values({"sampled_on": "2025-01-02"})
    with pytest.raises(ValidationError, match=r"dtype='float'"):
        artifact.features.add_values({"ph": 7.2})


def test_coercion_and_add_feature_object(artifact) -> None:
    artifact.features.add_values(
        {
            "gc_content": 1,
            "experiment_date": date(2025, 1, 2),
            "tags": ("a", "b"),
            "study_metadata": {"assay": {"type": "RNA-seq"}},
        }
    )
    stored = ln.Artifact.get(key="a.csv")._record.features
    assert stored["gc_content"] == 1.0 and isinstance(stored["gc_content"], float)
    assert stored["experiment_date"] == "2025-01-02"
    assert stored["tags"] == ["a", "b"]
    with pytest.raises(ValidationError, match="list\\[str\\]"):
        artifact.features.add_values({"tags": ["a", 1]})
    artifact.features.add(ln.Feature.get(name="read_count"))
    assert "read_count" in artifact.features
    assert artifact.features["read_count"] is None


def test_categorical_values_link_records(artifact) -> None:
    cell_type = ln.Record(name="CellType", is_type=True).save()
    t_cell = ln.Record(name="T cell", type=cell_type).save()
    ln.Feature(name="cell_type", dtype=cell_type).save()
    with pytest.raises(ValidationError, match="no record 'B cell'"):
        artifact.features.add_values({"cell_type": "B cell"})
    artifact.features.add_values({"cell_type": t_cell})
    assert artifact.features["cell_type"] == "T cell"
    assert ln.Artifact.get(key="a.csv")._record.records == [t_cell.uid]
    assert ln.Artifact.filter(cell_type="T cell").count() == 1


def test_features_on_runs_and_records_and_unsaved(repo, write) -> None:
    ln.Feature(name="score", dtype=float).save()
    run = ln.Run(transform=ln.Transform(key="x.py", kind="script")).save()
    run.features.add_values({"score": 0.9})
    assert ln.Run.filter(score__gt=0.5).one() == run
    rec = ln.Record(name="s1").save()
    rec.features.add_values({"score": 0.1})
    assert ln.Record.filter(score__lt=0.5).one() == rec
    with pytest.raises(InvalidArgument, match="save the record"):
        ln.Record(name="unsaved").features.add_values({"score": 1.0})
    with pytest.raises(AttributeError):
        _ = ln.Feature.get(name="score").features
