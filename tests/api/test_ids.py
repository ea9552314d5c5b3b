"""Integer ids (LaminDB's ``.id``): stored at creation, queryable through index and scan."""

from __future__ import annotations

import msgspec
import pytest

import lamingit as ln
from lamingit import index
from lamingit.layout import record_path
from lamingit.models import ProjectRecord, decode, derived_id, encode
from lamingit.session import SESSION


def _scan_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every query scan git (the router's fallback when the index cannot answer)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise index.Unsupported("test: scan path")

    monkeypatch.setattr(index, "select", refuse)
    monkeypatch.setattr(index, "count", refuse)


def test_every_registry_record_has_a_positive_int64_id(repo, write) -> None:
    transform = ln.Transform(key="t.py", kind="script").save()
    run = ln.Run(transform=transform).save()
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv", run=run).save()
    others = [
        ln.Project(name="p").save(),
        ln.Feature(name="f", dtype=int).save(),
        ln.ULabel(name="u").save(),
        ln.Record(name="r").save(),
        ln.Collection(artifact, key="c").save(),
        ln.User.get(handle="testuser1"),
    ]
    ids = [o.id for o in [transform, run, artifact, *others]]
    assert all(isinstance(i, int) and 0 < i < 2**63 for i in ids)
    assert len(set(ids)) == len(ids)
    assert artifact.pk == artifact.id
    # stored in the committed record, not recomputed
    raw = SESSION.repository().snapshot().read_path(record_path("artifact", artifact.uid))
    assert raw is not None and msgspec.json.decode(raw)["id"] == artifact.id


def test_get_and_filter_by_id_on_index_and_scan(repo, write, monkeypatch) -> None:
    a = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    b = ln.Artifact(write("b.csv", "b\n2\n"), key="b.csv").save()
    ln.Artifact(write("c.csv", "c\n3\n"), key="c.csv").save()
    for path in ("index", "scan"):
        if path == "scan":
            _scan_only(monkeypatch)
        assert ln.Artifact.get(id=a.id) == a
        assert ln.Artifact.get(a.id) == a  # LaminDB: an int idlike is the id
        assert ln.Artifact.filter(id=b.id).one() == b
        assert {x.key for x in ln.Artifact.filter(id__in=[a.id, b.id, 1])} == {"a.csv", "b.csv"}
        assert ln.Artifact.filter(id__in=[]).count() == 0
        assert ln.Artifact.filter(suffix=".csv").get(a.id) == a
        with pytest.raises(ln.Artifact.DoesNotExist):
            ln.Artifact.get(id=a.id ^ 1)


def test_id_is_not_settable_and_bad_idlike_says_so(repo) -> None:
    project = ln.Project(name="p").save()
    before = project.id
    project.id = 5
    project.save()
    assert ln.Project.get(project.uid).id == before
    with pytest.raises(ln.errors.InvalidArgument, match="uid .str. or an id .int."):
        ln.Project.get(3.5)  # type: ignore[arg-type]


def test_a_new_version_gets_its_own_id_and_the_frame_shows_it(repo, write) -> None:
    v1 = ln.Artifact(write("a.csv", "v1\n"), key="a.csv").save()
    v2 = ln.Artifact(write("a.csv", "v2\n"), key="a.csv").save()
    assert v1.id != v2.id
    frame = ln.Artifact.filter().to_dataframe()
    assert frame.columns[0] == "id" and str(frame["id"].dtype) == "int64"
    assert frame.loc[v2.uid, "id"] == v2.id


def test_records_without_a_stored_id_derive_it_from_the_uid() -> None:
    data = b'{"uid":"AbCdEfGhIjKl","created_at":"t","created_by":"u","name":"p"}'
    record = decode("project", data)
    assert isinstance(record, ProjectRecord) and record.id == derived_id("AbCdEfGhIjKl")
    assert decode("project", encode(record)).id == record.id  # stored from then on
    crafted = decode("project", data[:-1] + b',"id":-4}')
    assert crafted.id == derived_id("AbCdEfGhIjKl")
