"""``lamingit search QUERY``: ranked matches as tables or JSON, over one or all registries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lamingit as ln
from tests.cli.cli_process import lamingit


def _save(write: Any, name: str, key: str, description: str | None = None) -> ln.Artifact:
    return ln.Artifact(write(name, f"{name}\n"), key=key, description=description).save()


def _search(repo: Path, *args: str) -> list[dict[str, Any]]:
    result = lamingit("search", *args, "--json", cwd=repo)
    assert result.returncode == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_artifacts_ranked_exact_word_prefix_substring(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    # Saved worst match first, so the order cannot come from creation time.
    _save(write, "d.csv", "tp53.csv")
    _save(write, "c.csv", "p53mutant.csv")
    _save(write, "b.csv", "screen.csv", description="the P53 screen")
    _save(write, "a", "p53")
    _save(write, "e.csv", "other.csv")
    found = _search(repo, "p53", "--registry", "artifact")
    assert [a["key"] for a in found] == ["p53", "screen.csv", "p53mutant.csv", "tp53.csv"]
    assert {a["registry"] for a in found} == {"artifact"}
    table = lamingit("search", "p53", "--registry", "artifact", cwd=repo)
    assert table.returncode == 0
    assert "artifacts matching 'p53'" in table.stdout and "p53mutant.csv" in table.stdout
    assert "other.csv" not in table.stdout
    limited = lamingit("search", "p53", "--registry", "artifact", "--limit", "2", cwd=repo)
    assert "(2 of 4; --limit to see more)" in limited.stdout
    assert "tp53.csv" not in limited.stdout


def test_every_registry_is_searched_by_default(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    ln.Project(name="IFNG screen").save()
    ln.Feature(name="ifng_level", dtype="float").save()
    cell_line = ln.Record(name="Cell line", is_type=True).save()
    ln.Record(name="IFNG reporter line", type=cell_line).save()
    run = ln.Run(transform=ln.Transform(key="ifng_analysis.py", kind="script")).save()
    _save(write, "ifng.parquet", "ifng_hits.parquet")
    found = _search(repo, "ifng")
    by_registry: dict[str, list[str]] = {}
    for item in found:
        label = item.get("key") or item.get("name") or item["uid"]
        by_registry.setdefault(item["registry"], []).append(label)
    assert by_registry == {
        "artifact": ["ifng_hits.parquet"],
        "transform": ["ifng_analysis.py"],
        "run": [run.uid],  # through its transform
        "record": ["IFNG reporter line"],
        "feature": ["ifng_level"],
        "project": ["IFNG screen"],
    }
    table = lamingit("search", "ifng", cwd=repo).stdout
    for title in ("artifacts", "transforms", "runs", "records", "features", "projects"):
        assert f"{title} matching 'ifng'" in table
    assert "users matching" not in table  # empty sections are left out
    assert "Cell line" in table  # a record's type is shown by name
    users = _search(repo, "testuser1", "--registry", "user")
    assert [u["handle"] for u in users] == ["testuser1"]


def test_uid_prefix_finds_the_record(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    artifact = _save(write, "x.csv", "x.csv")
    found = _search(repo, artifact.uid[:8], "--registry", "artifact")
    assert [a["uid"] for a in found] == [artifact.uid]


def test_no_match_exit_0_and_errors(repo: Path, tmp_path: Path) -> None:
    nothing = lamingit("search", "no-such-thing", cwd=repo)
    assert nothing.returncode == 0 and "no matches for 'no-such-thing'" in nothing.stdout
    assert _search(repo, "no-such-thing") == []
    empty = lamingit("search", "  ", cwd=repo)
    assert empty.returncode == 2 and "QUERY is empty" in empty.stderr
    bad = lamingit("search", "x", "--registry", "sample", cwd=repo)
    assert bad.returncode == 2 and "--registry" in bad.stderr
    bad_limit = lamingit("search", "x", "--limit", "0", cwd=repo)
    assert bad_limit.returncode == 2
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    no_repo = lamingit(
        "search", "x", cwd=outside, env_extra={"XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    )
    assert no_repo.returncode == 1 and no_repo.stderr.strip().count("\n") == 0
