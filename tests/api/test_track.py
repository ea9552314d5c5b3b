"""ln.track()/ln.finish()/ln.context and @ln.tracked inside the test process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import lamingit as ln
from lamingit.api.track import abandon
from lamingit.errors import InvalidArgument, TrackNotCalled
from lamingit.session import SESSION


@pytest.fixture(autouse=True)
def _no_leftover_run() -> Iterator[None]:
    yield
    abandon()


def _make_project(name: str) -> str:
    return str(ln.Project(name=name).save().uid)


def test_finish_without_track_raises(repo: Path) -> None:
    with pytest.raises(TrackNotCalled, match="ln.track"):
        ln.finish()


def test_track_unknown_project_raises_and_writes_nothing(repo: Path) -> None:
    head = SESSION.repository().git.head()
    with pytest.raises(InvalidArgument, match="ln.Project"):
        ln.track(project="missing")
    assert SESSION.repository().git.head() == head
    with pytest.raises(TrackNotCalled):
        ln.finish()


def test_project_links_transform_run_and_artifacts(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    project_uid = _make_project("Cancer Drug Screen")
    run = ln.track(project="Cancer Drug Screen", capture_output=False)
    artifact = ln.Artifact(write("x.csv", "a\n1\n"), key="x.csv").save()
    ln.finish()
    assert [p.uid for p in artifact.projects] == [project_uid]
    assert [p.uid for p in ln.Run.get(run.uid).projects] == [project_uid]
    assert project_uid in [p.uid for p in ln.Run.get(run.uid).transform.projects.all()]
    assert ln.Artifact.filter(projects=project_uid).one().uid == artifact.uid


def test_context_uid_fixes_the_transform_identity(repo: Path) -> None:
    ln.context.uid = "1LCd8kco9lZU0000"
    ln.context.name = "Project flow"
    try:
        run = ln.context.track(capture_output=False)
    finally:
        ln.context.uid = None
        ln.context.name = None
    assert run.transform.uid == "1LCd8kco9lZU0000"
    assert run.transform.description == "Project flow"
    assert ln.context.run.uid == run.uid
    assert ln.context.transform.uid == "1LCd8kco9lZU0000"
    ln.finish()
    assert ln.context.run is None
    assert ln.Transform.search("Project flow").first().uid == "1LCd8kco9lZU0000"


def test_context_uid_is_used_by_a_plain_track(repo: Path) -> None:
    ln.context.uid = "7rKx2mPq9ZaB0000"
    ln.context.description = "Set on the context"
    try:
        run = ln.track(capture_output=False)
    finally:
        ln.context.uid = None
        ln.context.description = None
    assert run.transform.uid == "7rKx2mPq9ZaB0000"
    assert run.transform.description == "Set on the context"
    ln.finish()


def test_manual_transform_and_run_as_in_the_seed(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    transform = ln.Transform(name="Upload GWS CRISPRa result", type="upload")
    run = ln.Run(transform=transform)
    artifact = ln.Artifact(write("raw.csv", "g,s\n1,2\n"), description="Raw", run=run).save()
    assert artifact.run.uid == run.uid
    assert artifact.transform.name == "Upload GWS CRISPRa result"
    assert artifact.transform.type == "upload"
    assert ln.Artifact.filter(transform=transform).one().uid == artifact.uid


def test_track_with_transform_object_and_finish_sets_status(repo: Path) -> None:
    transform = ln.Transform(
        key="Cell Ranger",
        kind="pipeline",
        version="7.2.0",
        reference="https://www.10xgenomics.com/support/software/cell-ranger",
    )
    run = ln.track(transform=transform, params={"chemistry": "SC3Pv3"}, capture_output=False)
    assert run.transform.version == "7.2.0"
    ln.finish()
    finished = ln.Run.get(run.uid)
    assert finished.status == "completed"
    assert finished.params == {"chemistry": "SC3Pv3"}
    with pytest.raises(TrackNotCalled):
        ln.finish()


def test_report_captures_printed_output(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = ln.track()
    print("hello report")
    ln.finish()
    assert "hello report" in capsys.readouterr().out  # still printed
    assert "hello report" in ln.Run.get(run.uid).report


def test_load_links_input_but_not_own_output(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    upstream = ln.Artifact(write("up.txt", "upstream\n"), key="up.txt").save()
    run = ln.track(capture_output=False)
    own = ln.Artifact(write("own.txt", "own\n"), key="own.txt").save()
    assert upstream.load() == "upstream\n"
    own.load()
    ln.finish()
    finished = ln.Run.get(run.uid)
    assert [a.key for a in finished.inputs] == ["up.txt"]
    assert [a.key for a in finished.outputs] == ["own.txt"]


def test_track_run_inputs_setting_and_is_run_input(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    a = ln.Artifact(write("a.txt", "a\n"), key="a.txt").save()
    b = ln.Artifact(write("b.txt", "b\n"), key="b.txt").save()
    c = ln.Artifact(write("c.txt", "c\n"), key="c.txt").save()
    run = ln.track(capture_output=False)
    a.load(is_run_input=False)
    ln.settings.track_run_inputs = False
    try:
        b.load()
        c.load(is_run_input=True)
    finally:
        ln.settings.track_run_inputs = True
    ln.finish()
    assert [x.key for x in ln.Run.get(run.uid).inputs] == ["c.txt"]


def test_is_run_input_true_without_run_raises(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    a = ln.Artifact(write("a.txt", "a\n"), key="a.txt").save()
    with pytest.raises(InvalidArgument, match="ln.track"):
        a.cache(is_run_input=True)


def test_tracked_function_without_track(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    source = ln.Artifact(write("s.txt", "abc\n"), key="s.txt").save()

    @ln.tracked()
    def shout(key: str, times: int = 2) -> ln.Artifact:
        text = ln.Artifact.get(key=key).load()
        out = write("shout.txt", text.upper() * times)
        return ln.Artifact(out, key="shout.txt").save()

    result = shout("s.txt")
    run = result.run
    assert run.transform.kind == "function"
    assert run.transform.key.endswith("test_tracked_function_without_track.<locals>.shout")
    assert run.params == {"key": "s.txt", "times": 2}
    assert run.initiated_by_run is None
    assert run.status == "completed"
    assert [a.uid for a in run.inputs] == [source.uid]
    shout("s.txt", times=3)
    transform = ln.Transform.get(key=run.transform.key)
    assert transform.runs.count() == 2
    assert ln.Transform.filter(kind="function").count() == 1


def test_tracked_function_inside_track_and_errors(repo: Path) -> None:
    @ln.tracked()
    def fails(x: int) -> None:
        raise ValueError(f"bad {x}")

    outer = ln.track(capture_output=False)
    with pytest.raises(ValueError, match="bad 3"):
        fails(3)
    ln.finish()
    inner = ln.Run.filter(initiated_by_run=outer.uid).one()
    assert inner.status == "errored"
    assert inner.params == {"x": 3}


def test_jsonable_params() -> None:
    from lamingit.api.track import jsonable

    assert jsonable({"p": Path("a/b.csv"), "t": (1, 2), "n": None}) == {
        "p": "a/b.csv",
        "t": [1, 2],
        "n": None,
    }
    assert jsonable(object()).startswith("<object object")


def test_watch_cache_off_means_no_watcher(repo: Path) -> None:
    from lamingit.api import track as track_api

    ln.settings.watch_cache = False
    try:
        ln.track(capture_output=False)
        assert track_api.active_watcher() is None
        ln.finish()
    finally:
        ln.settings.watch_cache = True
    ln.track(capture_output=False)
    watcher = track_api.active_watcher()
    assert watcher is not None and watcher.roots == [SESSION.repository().paths.cache]
    ln.finish()


def test_tracked_bare_decorator_and_methods(repo: Path) -> None:
    class Model:
        def __init__(self, rate: float) -> None:
            self.rate = rate

        @ln.tracked
        def fit(self, epochs: int) -> float:
            return self.rate * epochs

    assert Model(0.5).fit(4) == 2.0
    run = ln.Run.filter(transform__kind="function").one()
    assert run.params == {"epochs": 4}
    assert run.transform.key.endswith("Model.fit")


def test_retrack_completes_previous_run_but_bad_arguments_do_not(repo: Path) -> None:
    first = ln.track(capture_output=False)
    with pytest.raises(InvalidArgument, match="base62"):
        ln.track(uid="not a uid!")
    assert ln.Run.get(first.uid).status == "started"  # still active
    second = ln.track(capture_output=False)
    assert ln.Run.get(first.uid).status == "completed"
    assert second.transform.uid == first.transform.uid  # same code, same transform
    ln.finish()
    assert ln.Run.get(second.uid).status == "completed"


def test_track_with_features_and_initiated_by_run(repo) -> None:
    ln.Feature(name="cohort", dtype=str).save()
    transform = ln.Transform(key="parent.py", kind="script").save()
    ln.track(transform=transform)
    parent = ln.context.run
    ln.finish()
    child_transform = ln.Transform(key="child.py", kind="script").save()
    with pytest.raises(ln.errors.ValidationError, match="does not exist"):
        ln.track(transform=child_transform, features={"nope": 1})
    ln.track(transform=child_transform, features={"cohort": "A"}, initiated_by_run=parent)
    child = ln.context.run
    ln.finish()
    assert child.features.get_values() == {"cohort": "A"}
    assert child.initiated_by_run == parent
    assert ln.Run.filter(cohort="A").one() == child
