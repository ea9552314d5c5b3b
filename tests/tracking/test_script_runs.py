"""ln.track()/ln.finish() in real script processes: transforms, versions, runs, reports."""

from __future__ import annotations

import subprocess
from pathlib import Path

import lamingit as ln

SCRIPT = """
import lamingit as ln
ln.track(params={{"learning_rate": 0.01, "tags": ["a", "b"]}})
print("training {marker}")
{body}
"""


def _script(path: Path, marker: str = "v1", body: str = "ln.finish()") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SCRIPT.format(marker=marker, body=body))
    return path


def test_script_run_records_transform_params_environment_and_report(
    repo: Path, tmp_path: Path, script_runner
) -> None:
    script = _script(tmp_path / "scripts" / "train.py")
    proc = script_runner(script, repo)
    assert "training v1" in proc.stdout
    transform = ln.Transform.get(key="train.py")
    assert transform.kind == "script"
    assert transform.source_code == script.read_text()
    assert transform.git_commit is None  # not in a git repository
    run = ln.Run.filter(transform=transform).one()
    assert run.status == "completed"
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert run.params == {"learning_rate": 0.01, "tags": ["a", "b"]}
    assert ln.Run.filter(params__learning_rate=0.01).one().uid == run.uid
    assert ln.Run.filter(params__learning_rate=0.02).count() == 0
    assert run.environment["python"].count(".") == 2
    assert "lamingit" in run.environment
    assert "training v1" in run.report


def test_same_code_reuses_transform_changed_code_versions_it(
    repo: Path, tmp_path: Path, script_runner
) -> None:
    script = _script(tmp_path / "train.py")
    script_runner(script, repo)
    script_runner(script, repo)
    first = ln.Transform.get(key="train.py")
    assert ln.Transform.filter(key="train.py").count() == 1
    assert first.runs.count() == 2
    _script(script, marker="v2")
    script_runner(script, repo)
    versions = ln.Transform.filter(key="train.py").order_by("uid").to_list()
    assert len(versions) == 2
    assert versions[1].uid[:12] == versions[0].uid[:12]
    assert versions[1].uid.endswith("0001")
    assert [v.is_latest for v in versions] == [False, True]
    assert "v2" in versions[1].source_code
    assert ln.Transform.get(key="train.py").uid == versions[1].uid


def test_key_is_relative_to_git_root_and_records_commit(
    repo: Path, tmp_path: Path, script_runner
) -> None:
    project = tmp_path / "project"
    script = _script(project / "pipelines" / "step.py")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(project), *args], check=True, capture_output=True, text=True
        ).stdout.strip()

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@x", "add", "pipelines/step.py")
    git("-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "add step")
    head = git("rev-parse", "HEAD")
    script_runner(script, repo)
    transform = ln.Transform.get(key="pipelines/step.py")
    assert transform.git_commit == head
    # An uncommitted edit: the commit no longer holds the code that ran.
    _script(script, marker="edited")
    script_runner(script, repo)
    assert ln.Transform.get(key="pipelines/step.py").git_commit is None


def test_uncaught_exception_marks_run_errored(repo: Path, tmp_path: Path, script_runner) -> None:
    script = _script(tmp_path / "fails.py", body="raise RuntimeError('boom')")
    proc = script_runner(script, repo, check=False)
    assert proc.returncode == 1
    assert "RuntimeError: boom" in proc.stderr  # the user's traceback is still shown
    run = ln.Run.filter(transform__key="fails.py").one()
    assert run.status == "errored"
    assert run.finished_at is not None
    assert "RuntimeError: boom" in run.report


def test_script_without_finish_completes_at_exit(repo: Path, tmp_path: Path, script_runner) -> None:
    script = _script(tmp_path / "nofinish.py", body="print('done')")
    script_runner(script, repo)
    run = ln.Run.filter(transform__key="nofinish.py").one()
    assert run.status == "completed"
    assert "done" in run.report


def test_outputs_and_inputs_of_script_runs(repo: Path, tmp_path: Path, script_runner) -> None:
    producer = tmp_path / "produce.py"
    producer.write_text(
        "import lamingit as ln\n"
        "ln.track()\n"
        "open('table.csv', 'w').write('a,b\\n1,2\\n')\n"
        "ln.Artifact('table.csv', key='table.csv').save()\n"
        "ln.finish()\n"
    )
    consumer = tmp_path / "consume.py"
    consumer.write_text(
        "import lamingit as ln\n"
        "ln.track()\n"
        "print(ln.Artifact.get(key='table.csv').load().shape)\n"
        "ln.finish()\n"
    )
    script_runner(producer, repo)
    script_runner(consumer, repo)
    table = ln.Artifact.get(key="table.csv")
    assert table.transform.key == "produce.py"
    assert table.run.transform.key == "produce.py"
    assert [r.transform.key for r in table.input_of] == ["consume.py"]
    consume_run = ln.Run.filter(transform__key="consume.py").one()
    assert [a.key for a in consume_run.inputs] == ["table.csv"]
    assert ln.Run.filter(inputs=table).one().uid == consume_run.uid
    assert "(1, 2)" in consume_run.report


def test_ipython_session_without_a_notebook_file(repo: Path, tmp_path: Path, script_runner) -> None:
    """In a kernel whose __session__ names no existing file: key = session name, kind notebook."""
    runner = tmp_path / "kernel.py"
    runner.write_text(
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "shell.user_ns['__session__'] = '/nowhere/analysis.ipynb'\n"
        "for cell in ['import lamingit as ln', 'x = 41 + 1', 'ln.track(); print(x)', "
        "'ln.finish()']:\n"
        "    assert shell.run_cell(cell, store_history=True).success\n"
    )
    script_runner(runner, repo)
    transform = ln.Transform.get(key="analysis.ipynb")
    assert transform.kind == "notebook"
    assert "x = 41 + 1" in transform.source_code
    run = transform.runs.one()
    assert run.status == "completed"
    assert "42" in run.report


def test_subprocess_runs_name_their_initiating_run(
    repo: Path, tmp_path: Path, script_runner
) -> None:
    child = tmp_path / "child.py"
    child.write_text("import lamingit as ln\nln.track()\nln.finish()\n")
    parent = tmp_path / "parent.py"
    parent.write_text(
        "import subprocess, sys\n"
        "import lamingit as ln\n"
        "run = ln.track()\n"
        f"subprocess.run([sys.executable, {str(child)!r}], check=True)\n"
        "ln.finish()\n"
    )
    script_runner(parent, repo)
    parent_run = ln.Run.filter(transform__key="parent.py").one()
    child_run = ln.Run.filter(transform__key="child.py").one()
    assert child_run.initiated_by_run.uid == parent_run.uid
    assert parent_run.initiated_by_run is None


def test_cli_track_runs_a_command_under_a_watched_run(repo: Path, tmp_path: Path) -> None:
    import os
    import sys

    data = tmp_path / "data"
    data.mkdir()
    genes = data / "genes.tsv"
    genes.write_text("TP53\nBRCA1\nEGFR\n")
    artifact = ln.Artifact(genes, key="genes.tsv").save()
    (data / "notes.txt").write_text("scratch\n")
    child = tmp_path / "child.py"
    child.write_text("import lamingit as ln\nln.track()\nln.finish()\n")
    env = dict(os.environ, LAMINGIT_REPO=str(repo), LAMINGIT_USER="testuser1")
    env["PYTHONPATH"] = str(Path(ln.__file__).resolve().parents[1])
    cli = [sys.executable, "-m", "lamingit.cli.main"]
    proc = subprocess.run(
        [
            *cli,
            "track",
            "--key",
            "count-genes",
            "--kind",
            "pipeline",
            "--watch",
            str(data),
            "--param",
            "n=3",
            "--",
            "sh",
            "-c",
            f"wc -l {genes}; cat {data / 'notes.txt'} > /dev/null; {sys.executable} {child}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "3 " in proc.stdout  # the command's output is passed through
    run = ln.Run.filter(transform__key="count-genes").one()
    assert run.status == "completed" and run.params == {"n": 3}
    assert [a.uid for a in run.inputs] == [artifact.uid]
    assert str(data / "notes.txt") in run.unregistered_reads
    assert "3 " in run.report
    assert ln.Run.filter(transform__key="child.py").one().initiated_by_run.uid == run.uid
    failed = subprocess.run(
        [*cli, "track", "--key", "fails", "--", "sh", "-c", "exit 3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert failed.returncode == 3
    assert ln.Run.filter(transform__key="fails").one().status == "errored"
