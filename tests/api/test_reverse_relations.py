"""Reverse sides: filters through them (index and scan agree) and reverse one-to-many managers."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lamingit as ln
from lamingit import index
from lamingit.errors import InvalidArgument
from lamingit.session import SESSION


def _head() -> str:
    return str(SESSION.repository().git.head())


@pytest.fixture
def world(repo, write):  # type: ignore[no-untyped-def]
    t = ln.Transform(key="make.py", kind="script").save()
    runs = [ln.Run(transform=t).save() for _ in range(2)]
    arts = [
        ln.Artifact(write(f"f{i}.csv", f"x\n{i}\n"), key=f"f{i}.csv", run=runs[i % 2]).save()
        for i in range(4)
    ]
    projects = [ln.Project(name=f"p{i}").save() for i in range(3)]
    labels = [ln.ULabel(name=f"l{i}").save() for i in range(3)]
    return {"t": t, "runs": runs, "arts": arts, "projects": projects, "labels": labels}


def test_reverse_filters_name_the_linked_records(world) -> None:
    a0, a1, a2, _ = world["arts"]
    p0, p1, _ = world["projects"]
    l0, _, _ = world["labels"]
    p0.artifacts.add(a0, a1)
    p1.artifacts.add(a1)
    a0.ulabels.add(l0)
    assert {p.name for p in ln.Project.filter(artifacts=a1)} == {"p0", "p1"}
    assert {p.name for p in ln.Project.filter(artifacts__key="f0.csv")} == {"p0"}
    assert ln.Project.filter(artifacts__in=[a2]).count() == 0
    assert ln.ULabel.filter(artifacts=a0).one() == l0
    assert ln.Run.filter(output_artifacts=a2).one() == world["runs"][0]
    assert ln.Run.filter(output_artifacts__key__in=["f1.csv", "f3.csv"]).one() == world["runs"][1]
    assert ln.Transform.filter(runs=world["runs"][1]).one() == world["t"]
    assert ln.User.filter(created_artifacts=a0).one().handle == "testuser1"
    with pytest.raises(InvalidArgument, match="takes Artifact records"):
        ln.Project.filter(artifacts=world["runs"][0])


def _scan_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise index.Unsupported("test: scan path")

    monkeypatch.setattr(index, "select", refuse)
    monkeypatch.setattr(index, "count", refuse)


REVERSE = [
    ("project", "artifacts", "artifact"),
    ("ulabel", "artifacts", "artifact"),
    ("run", "output_artifacts", "artifact"),
    ("artifact", "input_of_runs", "run"),
    ("transform", "runs", "run"),
]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    links=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), max_size=8),
    labels=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), max_size=6),
    which=st.sampled_from(REVERSE),
    pick=st.lists(st.integers(0, 3), min_size=1, max_size=3),
    by_key=st.booleans(),
)
def test_reverse_filters_agree_on_index_and_scan(
    world, monkeypatch, links, labels, which, pick, by_key
) -> None:
    arts, projects, ulabels = world["arts"], world["projects"], world["labels"]
    for p in projects:
        p.artifacts.clear()
    for a in arts:
        a.ulabels.clear()
    for i, j in links:
        projects[j].artifacts.add(arts[i])
    for i, j in labels:
        arts[i].ulabels.add(ulabels[j])
    owner, accessor, holder = which
    cls = {"project": ln.Project, "ulabel": ln.ULabel, "run": ln.Run}.get(owner)
    cls = cls or {"artifact": ln.Artifact, "transform": ln.Transform}[owner]
    if holder == "artifact":
        chosen = [arts[i] for i in pick]
        lookups = (
            {f"{accessor}__key__in": [a.key for a in chosen]}
            if by_key
            else {f"{accessor}__in": chosen}
        )
    else:
        runs = world["runs"]
        lookups = {f"{accessor}__in": [runs[i % 2] for i in pick]}
    via_index = sorted(o.uid for o in cls.filter(**lookups))
    with monkeypatch.context() as m:
        _scan_only(m)
        via_scan = sorted(o.uid for o in cls.filter(**lookups))
    assert via_index == via_scan
    # and both say what the links say
    if owner in ("project", "ulabel"):
        pairs = links if owner == "project" else labels
        owners = projects if owner == "project" else ulabels
        keys = {arts[i].key for i in pick}
        expected = sorted({owners[j].uid for i, j in pairs if arts[i].key in keys})
        assert via_index == expected


def test_run_output_artifacts_add_remove_set(world) -> None:
    r0, r1 = world["runs"]
    a0, a1, a2, a3 = world["arts"]
    assert {a.key for a in r0.output_artifacts} == {"f0.csv", "f2.csv"}
    before = _head()
    r0.output_artifacts.add(a1, a3)  # moves them from r1, one commit
    assert _head() != before
    fresh = ln.Artifact.get(key="f1.csv")
    assert fresh.run == r0 and fresh.transform == world["t"]
    assert a1.run == r0  # the object passed in sees its new run
    assert r1.output_artifacts.count() == 0
    r0.output_artifacts.remove(a0)
    assert ln.Artifact.get(key="f0.csv").run is None
    assert ln.Artifact.get(key="f0.csv").transform is None
    r1.output_artifacts.set(ln.Artifact.filter(key__in=["f0.csv", "f2.csv"]))
    assert {a.key for a in r1.outputs} == {"f0.csv", "f2.csv"}
    assert {a.key for a in r0.output_artifacts} == {"f1.csv", "f3.csv"}
    r1.output_artifacts.clear()
    assert ln.Artifact.filter(run=r1).count() == 0


def test_an_output_cannot_be_an_input_of_the_same_run(world) -> None:
    r0, _ = world["runs"]
    a1 = world["arts"][1]
    r0.input_artifacts.add(a1)
    before = _head()
    with pytest.raises(InvalidArgument, match="cycle"):
        r0.output_artifacts.add(a1)
    assert _head() == before and ln.Artifact.get(key="f1.csv").run != r0


def test_read_only_reverse_sides_say_what_to_do(world) -> None:
    with pytest.raises(InvalidArgument, match="ln.Run\\(transform="):
        world["t"].runs.add(world["runs"][0])
    user = ln.User.get(handle="testuser1")
    with pytest.raises(InvalidArgument, match="creator"):
        ln.User.get(handle="testuser1").created_artifacts.remove(world["arts"][0])
    assert user.created_artifacts.count() == 4


def test_bulk_linking_takes_querysets_in_one_commit(world) -> None:
    p0 = world["projects"][0]
    before = _head()
    p0.artifacts.add(ln.Artifact.filter(suffix=".csv"))
    after = _head()
    assert p0.artifacts.count() == 4
    count = ["git", "-C", str(SESSION.repository().root), "rev-list", "--count"]
    assert (
        subprocess.run([*count, f"{before}..{after}"], capture_output=True, text=True).stdout
        == "1\n"
    )
    l0 = world["labels"][0]
    l0.artifacts.set(ln.Artifact.filter(key__in=["f0.csv", "f1.csv"]))
    assert {a.key for a in ln.Artifact.filter(ulabels=l0)} == {"f0.csv", "f1.csv"}
    a0 = world["arts"][0]
    a0.projects.set(ln.Project.filter(name__in=["p1", "p2"]))
    assert {p.name for p in a0.projects} == {"p1", "p2"}
    a0.projects.add(*ln.Project.filter())
    assert a0.projects.count() == 3
    with pytest.raises(InvalidArgument, match="links Project records"):
        a0.projects.add(ln.Artifact.filter())
