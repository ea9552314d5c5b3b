"""``is_run_input=`` on ``Collection.get`` and ``QuerySet.get`` (LaminDB's ``get`` semantics)."""

from __future__ import annotations

import pytest

import lamingit as ln
from lamingit.errors import InvalidArgument


def _inputs(run: ln.Run) -> set[str]:
    return {a.key for a in ln.Run.get(run.uid).input_artifacts}


@pytest.fixture
def data(repo, write):  # type: ignore[no-untyped-def]
    a = ln.Artifact(write("a.txt", "a\n"), key="a.txt").save()
    b = ln.Artifact(write("b.txt", "b\n"), key="b.txt").save()
    c = ln.Artifact(write("c.txt", "c\n"), key="c.txt").save()
    ln.Collection([a, b], key="ab").save()
    return {"a": a, "b": b, "c": c}


def test_collection_get_links_the_members_only_when_asked(data) -> None:
    with pytest.raises(InvalidArgument, match="ln.track"):
        ln.Collection.get(key="ab", is_run_input=True)
    run = ln.track(transform=ln.Transform(key="step", kind="pipeline"), capture_output=False)
    ln.Collection.get(key="ab")  # the default False links nothing, as in LaminDB
    assert _inputs(run) == set()
    collection = ln.Collection.get(key="ab", is_run_input=True)
    assert collection.key == "ab" and _inputs(run) == {"a.txt", "b.txt"}
    ln.finish()


def test_collection_get_with_a_run_links_to_that_run_in_one_commit(data) -> None:
    run = ln.Run(transform=ln.Transform(key="other", kind="pipeline")).save()
    ln.Collection.get(key="ab", is_run_input=run)
    assert _inputs(run) == {"a.txt", "b.txt"}


def test_queryset_get_takes_is_run_input_and_none_follows_the_setting(data) -> None:
    run = ln.track(transform=ln.Transform(key="step", kind="pipeline"), capture_output=False)
    qs = ln.Artifact.filter(suffix=".txt")
    assert qs.get(key="a.txt").key == "a.txt" and _inputs(run) == set()
    assert qs.get(key="a.txt", is_run_input=True).key == "a.txt"
    assert _inputs(run) == {"a.txt"}
    ln.settings.track_run_inputs = False
    try:
        qs.get(key="b.txt", is_run_input=None)  # None: the setting says no
    finally:
        ln.settings.track_run_inputs = True
    assert _inputs(run) == {"a.txt"}
    qs.get(key="c.txt", is_run_input=None)  # None: the setting says yes
    assert _inputs(run) == {"a.txt", "c.txt"}
    ln.finish()


def test_queryset_get_by_uid_stem_id_and_errors(data) -> None:
    a = data["a"]
    qs = ln.Artifact.filter(suffix=".txt")
    assert qs.get(a.uid) == a and qs.get(a.stem_uid) == a and qs.get(a.id) == a
    with pytest.raises(ln.Artifact.DoesNotExist):
        ln.Artifact.filter(key="b.txt").get(a.uid)
    with pytest.raises(ln.Artifact.MultipleObjectsReturned):
        qs.get(suffix=".txt")
    with pytest.raises(InvalidArgument, match="needs a uid"):
        qs.get()
    # other registries accept the argument and ignore it, as LaminDB does
    assert ln.Project(name="p").save() == ln.Project.filter().get(name="p", is_run_input=True)


def test_related_manager_get(data) -> None:
    collection = ln.Collection.get(key="ab")
    assert collection.artifacts.get(key="b.txt") == data["b"]
    with pytest.raises(ln.Artifact.DoesNotExist):
        collection.artifacts.get(key="c.txt")
