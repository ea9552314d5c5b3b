"""A LaminDB user's script, unchanged but for the import, run as a real process (issue 18)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import lamingit as ln

SCRIPT = textwrap.dedent(
    """
    import lamingit as ln
    import pandas as pd

    ln.init("mydata")
    df = pd.DataFrame({"gene": ["TP53", "BRCA1"], "count": [10, 3]})
    artifact = ln.Artifact.from_dataframe(df, key="datasets/counts.parquet").save()
    print("kind", artifact.kind, artifact.otype)

    project = ln.Project(name="Cancer Drug Screen 2025").save()
    artifact.projects.add(project)
    print("linked", [a.key for a in ln.Artifact.filter(projects=project)])
    print("by name", ln.Artifact.filter(projects__name="Cancer Drug Screen 2025").count())
    print("all", [p.name for p in artifact.projects.all()])

    try:
        ln.Artifact.get(key="missing.parquet")
    except ln.Artifact.DoesNotExist:
        print("caught DoesNotExist")

    try:
        ln.Artifact.filter(size__gtx=1)
    except ln.errors.InvalidArgument as exc:
        print("bad lookup:", exc)

    v2 = ln.Artifact.from_dataframe(df.head(1), key="datasets/counts.parquet").save()
    print("versions", [a.version for a in v2.versions.all()])
    print(artifact.describe(return_str=True))

    dot = v2.view_lineage(return_graph=True)
    print("digraph", type(dot).__name__, dot.source.splitlines()[0])
    sample = ln.Record(name="P53mutant1").save()
    sample.delete()
    """
)


def test_a_lamindb_script_runs_and_says_what_lamindb_says(tmp_path: Path) -> None:
    script = tmp_path / "analysis.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(Path(ln.__file__).resolve().parents[1])}
    env["LAMINGIT_USER"] = "testuser1"
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    out, err = done.stdout, done.stderr
    assert "kind dataset DataFrame" in out
    assert "linked ['datasets/counts.parquet']" in out
    assert "by name 1" in out
    assert "all ['Cancer Drug Screen 2025']" in out
    assert "caught DoesNotExist" in out
    assert "bad lookup: size__gtx: unsupported lookup 'gtx' for size; did you mean 'gt'?" in out
    assert "versions ['2', '1']" in out
    assert "! not the latest version" in out
    assert ".projects  Project  Cancer Drug Screen 2025" in out
    assert "digraph Digraph digraph" in out
    assert "no run & transform got linked, call `ln.track()` & re-run" in err
    assert "creating new artifact version for key 'datasets/counts.parquet'" in err
    assert "moved record to trash: Record(" in err
