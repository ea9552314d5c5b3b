"""The UI app called directly (no socket): live head, run reports, untrusted record fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import lamingit as ln
from lamingit.records import ChangeSet, replace
from lamingit.remote.server import WebRequest, WebResponse
from lamingit.session import SESSION
from lamingit.web import WebUI

AUTHOR = ("t", "t@example.org")


def get(ui: WebUI, path: str, **query: str) -> tuple[WebResponse, str]:
    answer = ui(WebRequest("GET", path, query))
    body = answer.body if isinstance(answer.body, bytes) else b"".join(answer.body)
    return answer, body.decode(errors="replace")


def _change(uid: str, registry: str, **fields: Any) -> None:
    repo = SESSION.repository()

    def build(changes: ChangeSet) -> None:
        record = changes.get(registry, uid)
        assert record is not None
        changes.put(replace(record, **fields), "test edit")

    repo.transact(build, author=AUTHOR)


def test_each_request_reads_the_current_head(repo: Path, write: Any) -> None:
    ui = WebUI(SESSION.repository())
    ln.Artifact(write("a.csv", "x\n1\n"), key="a.csv").save()
    assert "a.csv" in get(ui, "/")[1] and "b.csv" not in get(ui, "/")[1]
    ln.Artifact(write("b.csv", "x\n2\n"), key="b.csv").save()
    answer, page = get(ui, "/")
    assert answer.status == 200 and "b.csv" in page and "2 total" in page


def test_a_new_repository_has_pages(repo: Path) -> None:
    ui = WebUI(SESSION.repository())
    for path in ("/", "/runs", "/history"):
        answer, page = get(ui, path)
        assert answer.status == 200, path
    assert "0 total" in get(ui, "/")[1]


def test_an_html_report_is_served_sandboxed_and_text_inline(repo: Path) -> None:
    transform = ln.Transform(key="nb.ipynb", kind="notebook").save()
    run = ln.Run(transform=transform).save()
    blobs = SESSION.repository().blobs
    html = "<!DOCTYPE html><html><body><script>alert(1)</script>report</body></html>"
    _change(run.uid, "run", report=blobs.put_bytes(html.encode()))
    ui = WebUI(SESSION.repository())
    answer, page = get(ui, f"/runs/{run.uid}")
    assert answer.status == 200 and 'id="report-link"' in page and "alert(1)" not in page
    answer, body = get(ui, f"/runs/{run.uid}/report")
    assert answer.status == 200 and body == html
    policy = dict(answer.headers)["Content-Security-Policy"]
    assert policy.startswith("sandbox") and "script-src" not in policy
    _change(run.uid, "run", report=blobs.put_bytes(b"step 1 <b>done</b>\n"))
    answer, page = get(ui, f"/runs/{run.uid}")
    assert "step 1 &lt;b&gt;done&lt;/b&gt;" in page


def test_a_record_with_a_hostile_hash_names_no_file(repo: Path, write: Any) -> None:
    artifact = ln.Artifact(write("a.csv", "x\n1\n"), key="a.csv").save()
    _change(artifact.uid, "artifact", hash=("../" * 22)[:64])
    ui = WebUI(SESSION.repository())
    for path in (f"/artifacts/{artifact.uid}", f"/artifacts/{artifact.uid}/download"):
        answer, page = get(ui, path)
        assert answer.status in (400, 404) and "lamingit fsck" in page, path
        assert "x\n1" not in page


def test_an_image_is_shown_inline_but_not_an_svg(repo: Path, write: Any) -> None:
    svg = ln.Artifact(write("p.svg", "<svg onload='alert(1)'/>"), key="p.svg").save()
    ui = WebUI(SESSION.repository())
    answer, page = get(ui, f"/artifacts/{svg.uid}")
    assert "<img" not in page and "no preview for .svg" in page
    assert get(ui, f"/artifacts/{svg.uid}/raw")[0].status == 404


def test_a_record_history_says_when_it_stopped_looking(
    repo: Path, write: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lamingit.web import history

    artifact = ln.Artifact(write("a.csv", "x\n1\n"), key="a.csv", description="one").save()
    ui = WebUI(SESSION.repository())
    _, page = get(ui, f"/artifacts/{artifact.uid}")
    assert "history-cut" not in page and "added" in page
    _change(artifact.uid, "artifact", description="two")
    for i in range(3):
        ln.Project(name=f"p{i}").save()
    monkeypatch.setattr(history, "MAX_SCAN", 3)
    entries, complete = history.record_history(
        SESSION.repository().git, SESSION.repository().git.head() or "", "artifact", [artifact.uid]
    )
    assert entries == [] and not complete
    monkeypatch.setattr(history, "MAX_SCAN", 4)
    entries, complete = history.record_history(
        SESSION.repository().git, SESSION.repository().git.head() or "", "artifact", [artifact.uid]
    )
    assert [e.changes[0].kind for e in entries] == ["changed"] and not complete
    assert entries[0].changes[0].fields[0].describe() == "description: 'one' → 'two'"
    monkeypatch.setattr(history, "MAX_SCAN", 3)
    _, page = get(ui, f"/artifacts/{artifact.uid}")
    assert 'id="history-cut"' in page
