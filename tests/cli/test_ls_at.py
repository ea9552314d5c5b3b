"""`lamingit ls --at REF`: the artifact list as the repository stood at a commit or tag."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli.cli_process import lamingit


def test_ls_at_commit_and_tag(tmp_path: Path) -> None:
    assert lamingit("init", "repo", cwd=tmp_path).returncode == 0
    repo = tmp_path / "repo"
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    assert lamingit("save", str(tmp_path / "a.txt"), "--key", "a.txt", cwd=repo).returncode == 0
    subprocess.run(["git", f"--git-dir={repo / '.git'}", "tag", "v1"], check=True)
    assert lamingit("save", str(tmp_path / "b.txt"), "--key", "b.txt", cwd=repo).returncode == 0
    now = json.loads(lamingit("ls", "--json", cwd=repo).stdout)
    assert sorted(a["key"] for a in now) == ["a.txt", "b.txt"]
    then = json.loads(lamingit("ls", "--at", "v1", "--json", cwd=repo).stdout)
    assert [a["key"] for a in then] == ["a.txt"]
    assert "b.txt" not in lamingit("ls", "--at", "HEAD~1", cwd=repo).stdout
    bad = lamingit("ls", "--at", "nope", cwd=repo)
    assert bad.returncode == 1 and "not a commit, tag, branch or date" in bad.stderr
