"""The notebook as a transform: stripped source, consecutiveness, parameters, locating."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamingit.errors import InvalidArgument
from lamingit.tracking.notebook import (
    read_notebook,
    report_html,
    source_text,
    strip_outputs,
    title,
    violations,
    wait_for_save,
)
from lamingit.tracking.notebook_locate import headless_location, loopback_base
from lamingit.tracking.notebook_runner import inject_parameters, parse_param
from lamingit.tracking.source import source_for_path


def code(source: str | list[str], count: int | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "source": source,
        "execution_count": count,
        "metadata": extra.pop("metadata", {}),
        "outputs": extra.pop("outputs", []),
        **extra,
    }


def notebook(*cells: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    return {"cells": list(cells), "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def test_source_ignores_outputs_counts_and_volatile_metadata() -> None:
    first = notebook(
        {"cell_type": "markdown", "source": ["# Hit calling\n", "text"], "metadata": {}},
        code(["import lamingit as ln\n", "ln.track()"], 1, outputs=[{"text": "a"}]),
        code("n = 1", 2, metadata={"tags": ["parameters"], "execution": {"t": 1}}),
        kernelspec={"name": "python3"},
        language_info={"version": "3.11.7"},
        papermill={"duration": 1.5},
    )
    second = json.loads(json.dumps(first))
    second["cells"][1]["outputs"] = [{"text": "other output"}]
    second["cells"][1]["execution_count"] = 7
    second["cells"][2]["metadata"]["execution"] = {"t": 2}
    second["metadata"]["language_info"]["version"] = "3.12.1"
    second["metadata"]["papermill"]["duration"] = 9.0
    assert source_text(first) == source_text(second)
    stripped = strip_outputs(first)
    assert stripped["metadata"] == {"kernelspec": {"name": "python3"}}
    assert stripped["cells"][2]["metadata"] == {"tags": ["parameters"]}
    assert stripped["cells"][1]["source"] == "import lamingit as ln\nln.track()"
    changed = json.loads(json.dumps(first))
    changed["cells"][2]["source"] = "n = 2"
    assert source_text(changed) != source_text(first)
    assert title(first) == "Hit calling"


@given(
    st.lists(st.tuples(st.text(max_size=20), st.one_of(st.none(), st.integers(0, 50))), max_size=6),
    st.text(max_size=20),
)
def test_source_is_stable_json_whatever_ran(cells: list[tuple[str, int | None]], out: str) -> None:
    doc = notebook(*[code(src, n, outputs=[{"text": out}]) for src, n in cells])
    text = source_text(doc)
    assert json.loads(text) == strip_outputs(doc)
    assert source_text(json.loads(text)) == text  # stripping twice changes nothing


def test_violations_follow_lamindb() -> None:
    ordered = notebook(code("a", 1), code(""), code("b", 2), code("ln.finish()", None))
    assert violations(ordered) == []
    # The finish() cell is skipped wherever it stands, and its count does not matter.
    assert violations(notebook(code("a", 1), code("ln.finish()", 9), code("b", 2))) == []
    assert violations(notebook(code("a", 1), code("b", 3), code("c", 2))) == [(1, 3), (3, 2)]
    # A cell that never ran breaks the chain; the last one (running now) does not.
    assert violations(notebook(code("a", 1), code("b", None), code("c", 3))) == [
        (1, None),
        (None, 3),
    ]
    assert violations(notebook(code("a", 1), code("b", 2), code("c", None))) == []
    assert violations(notebook(code("a", 2))) == [(0, 2)]
    markdown = {"cell_type": "markdown", "source": "# T", "metadata": {}}
    assert violations(notebook(markdown, code("a", 1))) == []


def test_read_notebook_refuses_what_is_not_a_notebook(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    with pytest.raises(InvalidArgument, match="not a Jupyter notebook"):
        read_notebook(bad)
    bad.write_text('{"cells": 3}')
    with pytest.raises(InvalidArgument, match="no list of cells"):
        read_notebook(bad)
    with pytest.raises(InvalidArgument, match="cannot read notebook"):
        read_notebook(tmp_path / "missing.ipynb")


def test_report_html_has_outputs_but_not_the_finish_cell_output() -> None:
    doc = notebook(
        code(["print('hello')"], 1, outputs=[_stream("hello from the kernel\n")]),
        code("ln.finish()", 2, outputs=[_stream("please hit CTRL + s to save\n")]),
        code("x = '<script>alert(1)</script>'", 3),
    )
    html = report_html(doc)
    assert html.startswith("<!DOCTYPE html>")
    assert "hello from the kernel" in html
    assert "please hit" not in html
    assert "<script>alert(1)</script>" not in html  # code is escaped, not markup


def _stream(text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": text}


def test_parse_param_reads_json_else_text() -> None:
    assert parse_param("n=3") == ("n", 3)
    assert parse_param("rate=0.5") == ("rate", 0.5)
    assert parse_param("flag=true") == ("flag", True)
    assert parse_param("tissue=lung") == ("tissue", "lung")
    assert parse_param('name="3"') == ("name", "3")
    assert parse_param("genes=[1, 2]") == ("genes", [1, 2])
    assert parse_param("empty=") == ("empty", "")
    for bad in ("novalue", "1x=2", "class=3", "a b=1", "=3"):
        with pytest.raises(InvalidArgument, match="NAME=VALUE"):
            parse_param(bad)


def test_inject_parameters_after_the_parameters_cell_or_first() -> None:
    tagged = notebook(code("import x"), code("n = 1", metadata={"tags": ["parameters"]}))
    out = inject_parameters(tagged, {"n": 3, "tissue": "lung", "ids": ["a"]})
    assert [c["source"] for c in out["cells"]][:2] == ["import x", "n = 1"]
    injected = out["cells"][2]
    assert injected["metadata"]["tags"] == ["injected-parameters"]
    namespace: dict[str, Any] = {}
    exec(injected["source"], namespace)
    assert (namespace["n"], namespace["tissue"], namespace["ids"]) == (3, "lung", ["a"])
    assert tagged["cells"][1]["source"] == "n = 1" and len(tagged["cells"]) == 2
    plain = inject_parameters(notebook(code("import x")), {"n": 3})
    assert plain["cells"][0]["metadata"]["tags"] == ["injected-parameters"]
    assert inject_parameters(plain, {}) == plain


def test_only_loopback_servers_are_asked() -> None:
    assert loopback_base({"url": "http://localhost:8888/", "base_url": "/"}) == (
        "http://127.0.0.1:8888/"
    )
    assert loopback_base({"url": "http://127.0.0.1:9/x/", "base_url": "/x/"}) == (
        "http://127.0.0.1:9/x/"
    )
    assert loopback_base({"url": "http://[::1]:8888/", "base_url": "/"}) == "http://[::1]:8888/"
    for url in ("http://10.1.2.3:8888/", "http://example.org:8888/", "file:///etc/passwd"):
        assert loopback_base({"url": url, "base_url": "/"}) is None
    assert loopback_base({"url": "http://localhost:8888/", "sock": "/tmp/s"}) is None
    assert loopback_base({"url": 3}) is None


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc (Linux)")
def test_headless_runner_command_lines_name_the_notebook(tmp_path: Path) -> None:
    """A real process whose command line is papermill's or nbconvert's."""
    (tmp_path / "in.ipynb").write_text("{}")
    fake = tmp_path / "bin"
    fake.mkdir()
    results = {}
    for tool, args in (
        ("papermill", ["in.ipynb", "out.ipynb", "-p", "n", "3"]),
        ("jupyter-nbconvert", ["--to", "notebook", "--output", "x.ipynb", "--execute", "in.ipynb"]),
        ("jupyter-execute", ["in.ipynb"]),
        ("python-script", ["in.ipynb"]),
    ):
        script = fake / tool
        script.write_text("import time\ntime.sleep(30)\n")
        proc = subprocess.Popen([sys.executable, str(script), *args], cwd=tmp_path)
        try:
            deadline = time.time() + 10
            while time.time() < deadline and tool not in Path(
                f"/proc/{proc.pid}/cmdline"
            ).read_text(errors="replace"):
                time.sleep(0.02)
            results[tool] = headless_location(proc.pid)
        finally:
            proc.kill()
            proc.wait()
    papermill = results["papermill"]
    assert papermill is not None and papermill.path == (tmp_path / "in.ipynb").resolve()
    assert papermill.output == (tmp_path / "out.ipynb").resolve()
    assert papermill.runner == "headless" and not papermill.interactive
    nbconvert = results["jupyter-nbconvert"]
    assert nbconvert is not None and nbconvert.path == (tmp_path / "in.ipynb").resolve()
    assert nbconvert.output is None
    assert results["jupyter-execute"] is not None
    assert results["python-script"] is None  # not a notebook runner
    assert headless_location(os.getpid()) is None


def test_wait_for_save_sees_a_save_within_the_time(tmp_path: Path) -> None:
    import threading

    saved = tmp_path / "nb.ipynb"
    saved.write_text("{}")
    old = time.time() - 60
    os.utime(saved, (old, old))
    assert not wait_for_save(saved, 0.3, poll=0.05)  # nobody saves: give up
    timer = threading.Timer(0.3, lambda: saved.write_text('{"cells": []}'))
    timer.start()
    try:
        assert wait_for_save(saved, 10, poll=0.05)  # the person hits Ctrl+S
    finally:
        timer.cancel()
    assert not wait_for_save(tmp_path / "gone.ipynb", 0)


def test_track_path_names_a_script_or_refuses(tmp_path: Path) -> None:
    script = tmp_path / "step.py"
    script.write_text("print(1)\n")
    info = source_for_path(script)
    assert (info.kind, info.key, info.source_code) == ("script", "step.py", "print(1)\n")
    with pytest.raises(InvalidArgument, match="no such file"):
        source_for_path(tmp_path / "missing.ipynb")
    notebook_file = tmp_path / "nb.ipynb"
    notebook_file.write_text(json.dumps(notebook(code("x = 1", 1))))
    info = source_for_path(notebook_file)  # outside IPython: not interactive
    assert info.kind == "notebook" and info.notebook is not None
    assert not info.notebook.interactive and info.source_code == source_text(
        read_notebook(notebook_file)
    )


def test_import_lamingit_and_track_stay_light() -> None:
    code_ = (
        "import sys, lamingit, lamingit.api.track, lamingit.api.track_notebook\n"
        "heavy = [m for m in ('nbconvert', 'nbclient', 'nbformat', 'jupyter_client') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code_], check=True, timeout=120)
