"""lamingit log / show / diff: the history of records in the user's words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lamingit as ln
from lamingit.session import SESSION
from lamingit.tracking import context as run_context


@pytest.fixture
def history_repo(repo: Path, write) -> dict[str, str]:  # type: ignore[no-untyped-def]
    a = ln.Artifact(write("a.csv", "x\n1\n"), key="data/a.csv", description="first").save()
    a.description = "renamed in words"
    a.save()
    transform = ln.Transform(key="clean.py", kind="script").save()
    run = ln.Run(transform=transform).save()
    run_context.push(run_context.RunContext(run_uid=run.uid, transform_uid=transform.uid))
    try:
        b = ln.Artifact(write("a2.csv", "x\n2\n"), key="data/a.csv").save()
    finally:
        run_context.pop()
    return {"v1": a.uid, "v2": b.uid, "run": run.uid}


def test_log_of_a_key_shows_who_when_run_and_field_changes(
    history_repo: dict[str, str], cli
) -> None:  # type: ignore[no-untyped-def]
    out = cli("log", "data/a.csv")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "description: 'first' → 'renamed in words'" in text
    assert f"run {history_repo['run']}" in text
    assert "testuser1" in text
    entries = json.loads(cli("log", "data/a.csv", "--json").stdout)
    assert entries[0]["run"] == history_repo["run"]
    kinds = [(c["uid"], c["kind"]) for e in entries for c in e["changes"]]
    assert (history_repo["v2"], "added") in kinds
    assert (history_repo["v1"], "added") in kinds
    latest_flip = [
        c
        for e in entries
        for c in e["changes"]
        if c["uid"] == history_repo["v1"] and c["kind"] == "changed"
    ]
    assert any(f["field"] == "is_latest" for c in latest_flip for f in c["fields"])


def test_log_by_uid_and_limit(history_repo: dict[str, str], cli) -> None:  # type: ignore[no-untyped-def]
    entries = json.loads(cli("log", history_repo["v2"], "--json").stdout)
    assert len(entries) == 1 and entries[0]["changes"][0]["kind"] == "added"
    assert len(json.loads(cli("log", "-n", "2", "--json").stdout)) == 2
    bad = cli("log", "no/such/key.csv")
    assert bad.returncode == 1 and "not a uid" in bad.stderr


def test_show_at_ref(history_repo: dict[str, str], cli) -> None:  # type: ignore[no-untyped-def]
    uid = history_repo["v1"]
    now = json.loads(cli("show", uid, "--json").stdout)
    assert now["record"]["description"] == "renamed in words"
    assert now["record"]["is_latest"] is False
    log = json.loads(cli("log", uid, "--json").stdout)
    created = log[-1]["commit"]
    then = json.loads(cli("show", uid, "--at", created, "--json").stdout)
    assert then["record"]["description"] == "first" and then["record"]["is_latest"] is True
    assert "first" in cli("show", uid, "--at", created).stdout
    missing = cli("show", history_repo["v2"], "--at", created)
    assert missing.returncode == 1 and "no record" in missing.stderr


def test_diff_between_refs(history_repo: dict[str, str], cli) -> None:  # type: ignore[no-untyped-def]
    repo = SESSION.repository()
    commits = [c.oid for c in repo.git.log()]
    first_artifact = commits[-2]  # the commit after init created artifact v1
    changes = json.loads(cli("diff", first_artifact, "HEAD", "--json").stdout)
    by_uid = {c["uid"]: c for c in changes}
    assert by_uid[history_repo["v2"]]["kind"] == "added"
    assert by_uid[history_repo["v1"]]["kind"] == "changed"
    fields = {f["field"] for f in by_uid[history_repo["v1"]]["fields"]}
    assert {"description", "is_latest"} <= fields
    text = cli("diff", first_artifact).stdout
    assert "changed, 0 removed" in text
    assert cli("diff", "nonsense-ref", "HEAD").returncode == 1
    assert cli("diff").returncode == 2
