"""`lamingit branch list|create|switch|merge|delete` as a user types them, on a real repository."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import lamingit as ln
from lamingit.session import SESSION


def _names(cli, repo: Path) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    listed = cli("branch", "list", "--json", cwd=repo)
    assert listed.returncode == 0, listed.stderr
    return {b["name"]: b["current"] for b in json.loads(listed.stdout)["branches"]}


def test_create_switch_merge_delete(repo: Path, write, cli) -> None:  # type: ignore[no-untyped-def]
    ln.Artifact(write("a.txt", "alpha\n"), key="a.txt").save()
    created = cli("branch", "create", "feature/assay", "-d", "new assay", cwd=repo)
    assert created.returncode == 0, created.stderr
    assert _names(cli, repo) == {"main": True, "feature/assay": False}
    assert "feature/assay" in cli("branch", cwd=repo).stdout  # no subcommand: the list

    assert cli("branch", "switch", "feature/assay", cwd=repo).returncode == 0
    assert ln.Branch.current().name == "feature/assay"
    saved = cli("save", str(write("b.txt", "beta\n")), "--key", "b.txt", cwd=repo)
    assert saved.returncode == 0, saved.stderr
    assert cli("branch", "switch", "main", cwd=repo).returncode == 0
    assert ln.Artifact.filter(key="b.txt").count() == 0  # not on main yet

    refused = cli("branch", "delete", "feature/assay", cwd=repo)
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith("error: branch 'feature/assay' has commits")
    merged = cli("branch", "merge", "feature/assay", "--json", cwd=repo)
    assert merged.returncode == 0, merged.stderr
    assert json.loads(merged.stdout)["kind"] == "fast-forward"
    assert ln.Artifact.get(key="b.txt").key == "b.txt"
    again = cli("branch", "merge", "feature/assay", cwd=repo)
    assert "already has every commit" in again.stdout
    deleted = cli("branch", "delete", "feature/assay", cwd=repo)
    assert deleted.returncode == 0, deleted.stderr
    assert _names(cli, repo) == {"main": True}


def test_merge_of_diverged_branches_reports_conflicts(repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    label = ln.ULabel(name="DMSO", description="solvent").save()
    assert cli("branch", "switch", "--create", "edit", cwd=repo).returncode == 0
    label.description = "dimethyl sulfoxide"
    label.save()
    ln.ULabel(name="IFNG").save()
    assert cli("branch", "switch", "main", cwd=repo).returncode == 0
    label = ln.ULabel.get(name="DMSO")
    label.description = "the solvent"
    label.save()
    merged = cli("branch", "merge", "edit", cwd=repo)
    assert merged.returncode == 0, merged.stderr
    assert "merged 'edit' into 'main'" in merged.stdout
    assert "conflict: ulabel" in merged.stdout and "description changed both ways" in merged.stdout
    assert ln.ULabel.get(name="DMSO").description == "the solvent"  # ours kept, theirs recorded
    assert ln.ULabel.get(name="IFNG").name == "IFNG"
    head = SESSION.repository().git.head()
    assert cli("branch", "delete", "edit", cwd=repo).returncode == 0  # merged: no --force needed
    assert SESSION.repository().git.head() == head


def test_errors_are_one_line(repo: Path, write, cli) -> None:  # type: ignore[no-untyped-def]
    ln.Artifact(write("a.txt", "alpha\n"), key="a.txt").save()
    cases = {
        ("branch", "switch", "nope"): "error: no branch 'nope' (branches: main); create it",
        ("branch", "merge", "nope"): "error: no branch 'nope'",
        ("branch", "delete", "nope"): "error: no branch 'nope'",
        ("branch", "merge", "main"): "error: 'main' is the current branch",
        ("branch", "delete", "main"): "error: 'main' is the current branch",
        ("branch", "create", "main"): "error: branch 'main' already exists",
        ("branch", "switch", "-c", "main"): "error: branch 'main' already exists",
        ("branch", "create", "bad..name"): "error: branch name 'bad..name' is not allowed",
    }
    for args, start in cases.items():
        result = cli(*args, cwd=repo)
        assert result.returncode == 1, args
        assert result.stderr.startswith(start), (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    forced = cli("branch", "create", "scratch", "--switch", cwd=repo)
    assert forced.returncode == 0 and ln.Branch.current().name == "scratch"
    cli("save", str(write("c.txt", "gamma\n")), "--key", "c.txt", cwd=repo)
    cli("branch", "switch", "main", cwd=repo)
    assert cli("branch", "delete", "scratch", "--force", cwd=repo).returncode == 0
    assert _names(cli, repo) == {"main": True}


def test_branch_cli_uses_the_public_api_only() -> None:
    source = Path(__file__).resolve().parents[2] / "lamingit" / "cli" / "branch_cmds.py"
    tree = ast.parse(source.read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Attribute):
            assert not node.attr.startswith("_") or node.attr.startswith("__"), node.attr
    assert {m for m in modules if m.startswith("lamingit")} <= {"lamingit", "lamingit.cli.output"}


def test_merge_unifies_a_label_created_on_both_branches(repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ln.ULabel(name="base").save()
    assert cli("branch", "switch", "-c", "other", cwd=repo).returncode == 0
    theirs = ln.ULabel(name="DMSO", description="solvent").save()
    assert cli("branch", "switch", "main", cwd=repo).returncode == 0
    ours = ln.ULabel(name="DMSO", reference="CHEBI:28262").save()
    merged = cli("branch", "merge", "other", "--json", cwd=repo)
    assert merged.returncode == 0, merged.stderr
    info = json.loads(merged.stdout)
    assert info["unified"] == {theirs.uid: ours.uid} and info["conflicts"] == []
    (label,) = ln.ULabel.filter(name="DMSO")
    assert (label.uid, label.description, label.reference) == (
        ours.uid,
        "solvent",
        "CHEBI:28262",
    )
