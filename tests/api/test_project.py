"""ln.Project: unique names, membership queries."""

from __future__ import annotations

import lamingit as ln
from lamingit.records import replace


def test_same_name_returns_existing(repo) -> None:
    p = ln.Project(name="Cancer Drug Screen 2025").save()
    q = ln.Project(name="Cancer Drug Screen 2025").save()
    assert p.uid == q.uid
    assert ln.Project.get(name="Cancer Drug Screen 2025") == p
    assert ln.Project.filter().count() == 1
    assert ln.Project.lookup().cancer_drug_screen_2025 == p


def test_artifacts_and_runs_of_a_project(repo, write) -> None:
    p = ln.Project(name="screen").save()
    other = ln.Project(name="other").save()
    a = ln.Artifact(write("a.csv", "a\n1\n"), key="a.csv").save()
    b = ln.Artifact(write("b.csv", "b\n2\n"), key="b.csv").save()
    a._record = replace(a._record, projects=[p.uid])
    a.save()
    run = ln.Run(transform=ln.Transform(key="x.py", kind="script"))
    run._record = replace(run._record, projects=[p.uid, other.uid])
    run.save()
    assert [x.key for x in p.artifacts] == ["a.csv"]
    assert [r.uid for r in p.runs] == [run.uid]
    assert ln.Artifact.filter(projects=p).count() == 1
    assert ln.Artifact.filter(projects__name="screen").one() == a
    assert ln.Run.filter(project=other).count() == 1
    assert ln.Artifact.filter(projects__isnull=True).one() == b
