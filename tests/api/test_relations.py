"""Many-to-many managers: LaminDB's ``artifact.projects.add(project)`` and friends (issue 18)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lamingit as ln
from lamingit.errors import DoesNotExist, InvalidArgument, ReadOnlyError
from lamingit.session import SESSION


def _head() -> str:
    return str(SESSION.repository().git.head())


def test_artifact_projects_add_then_filter_sees_the_link(repo, write) -> None:
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    project = ln.Project(name="Cancer Drug Screen 2025").save()
    before = _head()
    artifact.projects.add(project)
    assert _head() != before  # one commit, as a save
    assert [p.name for p in artifact.projects.all()] == ["Cancer Drug Screen 2025"]
    assert len(artifact.projects) == 1
    assert ln.Artifact.filter(projects=project).one() == artifact
    assert ln.Artifact.filter(projects__name="Cancer Drug Screen 2025").one() == artifact
    assert [a.key for a in project.artifacts] == ["a.csv"]
    # a fresh object read back sees the same link
    assert ln.Artifact.get(key="a.csv").projects.one() == project


def test_add_is_one_commit_and_idempotent(repo, write) -> None:
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    p1 = ln.Project(name="p1").save()
    p2 = ln.Project(name="p2").save()
    repo_obj = SESSION.repository()
    before = repo_obj.git.head()
    artifact.projects.add(p1, p2)
    after = repo_obj.git.head()
    assert repo_obj.git.parents(after) == [before]
    artifact.projects.add(p1)  # already linked: nothing to commit
    assert repo_obj.git.head() == after
    assert sorted(p.name for p in artifact.projects) == ["p1", "p2"]


def test_remove_set_clear(repo, write) -> None:
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    p1, p2, p3 = (ln.Project(name=f"p{i}").save() for i in (1, 2, 3))
    artifact.projects.add([p1, p2])  # a list is flattened
    artifact.projects.remove(p1)
    assert [p.name for p in artifact.projects] == ["p2"]
    artifact.projects.set([p1, p3])
    assert sorted(p.name for p in artifact.projects) == ["p1", "p3"]
    assert ln.Artifact.filter(projects=p2).count() == 0
    artifact.projects.clear()
    assert artifact.projects.count() == 0
    assert ln.Project.filter().count() == 3  # unlinking never deletes the records


def test_reverse_side_adds_to_the_holder(repo, write) -> None:
    a = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    b = ln.Artifact(write("b.csv", "b\n2\n"), key="b.csv").save()
    project = ln.Project(name="screen").save()
    project.artifacts.add(a, b)
    assert sorted(x.key for x in project.artifacts) == ["a.csv", "b.csv"]
    assert a.projects.one() == project  # the passed object was refreshed
    project.artifacts.set([b])
    assert [x.key for x in ln.Artifact.filter(projects__name="screen")] == ["b.csv"]
    project.artifacts.clear()
    assert ln.Artifact.filter(projects=project).count() == 0


def test_filter_on_a_manager_and_queryset_api(repo, write) -> None:
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    for name in ("alpha", "beta"):
        artifact.projects.add(ln.Project(name=name).save())
    assert artifact.projects.filter(name="beta").one().name == "beta"
    assert artifact.projects.filter(name__startswith="a").count() == 1
    assert artifact.projects.exists()
    assert sorted(artifact.projects.to_dataframe()["name"]) == ["alpha", "beta"]


def test_every_many_to_many_accessor_is_a_manager(repo, write) -> None:
    transform = ln.Transform(key="clean.py", kind="script").save()
    run = ln.Run(transform=transform).save()
    raw = ln.Artifact(write("raw.csv", "r\n1\n"), key="raw.csv").save()
    project = ln.Project(name="p").save()
    sample = ln.Record(name="s1").save()
    parent = ln.Record(name="donor").save()
    run.input_artifacts.add(raw)
    assert run.input_artifacts.all().one() == raw
    assert raw.input_of_runs.one() == run
    assert ln.Run.filter(input_artifacts=raw).one() == run
    run.projects.add(project)
    transform.projects.add(project)
    sample.projects.add(project)
    assert project.runs.one() == run
    assert project.transforms.one() == transform
    assert project.records.one() == sample
    raw.records.add(sample)
    assert sample.artifacts.one() == raw
    assert ln.Artifact.filter(records__name="s1").one() == raw
    sample.parents.add(parent)
    assert parent.children.one() == sample
    upstream = ln.Transform(key="fetch.py", kind="script").save()
    transform.predecessors.add(upstream)
    assert upstream.successors.one() == transform


def test_run_input_links_the_transform_parent_and_refuses_a_cycle(repo, write) -> None:
    fetch = ln.Run(transform=ln.Transform(key="fetch.py", kind="script")).save()
    raw = ln.Artifact(write("raw.csv", "r\n1\n"), key="raw.csv", run=fetch).save()
    clean = ln.Run(transform=ln.Transform(key="clean.py", kind="script")).save()
    clean.input_artifacts.add(raw)
    assert [t.key for t in ln.Transform.get(key="clean.py").parents] == ["fetch.py"]
    derived = ln.Artifact(write("clean.csv", "c\n1\n"), key="clean.csv", run=clean).save()
    head = _head()
    with pytest.raises(InvalidArgument, match="cycle"):
        fetch.input_artifacts.add(derived)
    assert _head() == head


def test_bad_links_are_refused_and_write_nothing(repo, write) -> None:
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    project = ln.Project(name="p").save()
    head = _head()
    with pytest.raises(InvalidArgument, match="Project"):
        artifact.projects.add(ln.Record(name="not a project").save())
    head = _head()
    with pytest.raises(InvalidArgument, match="save the Project"):
        artifact.projects.add(ln.Project(name="unsaved"))
    with pytest.raises(InvalidArgument, match="save the Artifact"):
        ln.Artifact(write("b.csv", "b\n2\n"), key="b.csv").projects.add(project)
    with pytest.raises(DoesNotExist, match="no Project"):
        artifact.projects.add("abcdefghijkl")
    with pytest.raises(InvalidArgument, match="not a uid"):
        artifact.projects.add("../../etc")
    with pytest.raises(InvalidArgument, match="list"):
        artifact.projects.set(project)  # type: ignore[arg-type]
    sample = ln.Record(name="s").save()
    head = _head()
    with pytest.raises(InvalidArgument, match="its own parent"):
        sample.parents.add(sample)
    assert _head() == head
    assert artifact.projects.count() == 0


def test_historical_view_is_read_only(repo, write) -> None:
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    project = ln.Project(name="p").save()
    artifact.projects.add(project)
    old = ln.at("HEAD~1").Artifact.get(key="a.csv")
    assert old.projects.count() == 0
    with pytest.raises(ReadOnlyError):
        old.projects.add(project)


def test_queryset_all(repo, write) -> None:
    ln.Artifact(write("a.csv", "v1\n"), key="a.csv").save()
    v2 = ln.Artifact(write("a.csv", "v2\n"), key="a.csv").save()
    assert [a.version for a in v2.versions.all()] == ["2", "1"]
    assert ln.Artifact.filter(key="a.csv").all().count() == 2


def test_every_to_many_field_has_a_forward_manager() -> None:
    from lamingit.api.core.relations import all_links
    from lamingit.models import STRUCTS

    links = all_links()
    forward = {(link.holder, link.field) for link in links.values() if not link.reverse}
    declared = {(reg, field) for reg, struct in STRUCTS.items() for field in struct.to_many}
    assert declared == forward
    for (holder, _field), link in links.items():
        assert link.target in STRUCTS and holder in STRUCTS


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "remove", "set", "clear", "reverse_add", "reverse_remove"]),
        st.lists(st.integers(0, 2), max_size=3),
    ),
    max_size=6,
)


def test_link_operations_match_a_set_model(repo, write) -> None:
    projects = [ln.Project(name=f"p{i}").save() for i in range(3)]
    counter = iter(range(10_000))

    @settings(max_examples=15, deadline=None)
    @given(_OPS)
    def run(ops: list[tuple[str, list[int]]]) -> None:
        n = next(counter)
        artifact = ln.Artifact(write(f"f{n}.txt", f"{n}\n"), key=f"f{n}.txt").save()
        model: set[int] = set()
        for op, picks in ops:
            chosen = [projects[i] for i in picks]
            if op == "add":
                artifact.projects.add(*chosen)
                model |= set(picks)
            elif op == "remove":
                artifact.projects.remove(*chosen)
                model -= set(picks)
            elif op == "set":
                artifact.projects.set(chosen)
                model = set(picks)
            elif op == "clear":
                artifact.projects.clear()
                model = set()
            elif op == "reverse_add" and picks:
                projects[picks[0]].artifacts.add(artifact)
                model.add(picks[0])
            elif op == "reverse_remove" and picks:
                projects[picks[0]].artifacts.remove(artifact)
                model.discard(picks[0])
        fresh = ln.Artifact.get(artifact.uid)
        assert {p.name for p in fresh.projects} == {f"p{i}" for i in model}
        for i, project in enumerate(projects):
            linked = ln.Artifact.filter(projects=project, uid=artifact.uid).count() == 1
            assert linked == (i in model)

    run()


def test_unsaved_edits_survive_a_link_change_and_save_keeps_the_link(repo, write) -> None:
    artifact = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    project = ln.Project(name="p").save()
    artifact.description = "edited, not saved yet"
    artifact.projects.add(project)
    assert artifact.description == "edited, not saved yet"
    artifact.save()
    fresh = ln.Artifact.get(key="a.csv")
    assert fresh.description == "edited, not saved yet"
    assert fresh.projects.one() == project
    other = ln.Artifact(write("b.csv", "b\n2\n"), key="b.csv").save()
    other.description = "pending"
    project.artifacts.add(other)  # the reverse side refreshes the passed object's list
    other.save()
    assert ln.Artifact.filter(projects=project).count() == 2


def test_saving_a_stale_object_keeps_what_others_saved(repo, write) -> None:
    first = ln.Artifact(write("a.csv", "v1\n"), key="a.csv").save()
    ln.Artifact(write("a.csv", "v2\n"), key="a.csv").save()  # takes is_latest from `first`
    project = ln.Project(name="p").save()
    ln.Artifact.get(first.uid).projects.add(project)  # through another object
    first.description = "edited on a stale object"
    first.save()
    fresh = ln.Artifact.get(first.uid)
    assert fresh.description == "edited on a stale object"
    assert fresh.projects.one() == project  # the link added elsewhere survives
    assert [a.version for a in ln.Artifact.filter(key="a.csv", is_latest=True)] == ["2"]
    sample = ln.Record(name="s").save()
    stale = ln.Record.get(name="s")
    sample.projects.add(project)
    stale.description = "d"
    stale.save()
    assert ln.Record.get(name="s").projects.one() == project
