"""ln.at(DATE) with skewed commit clocks: the first-parent chain's order wins over its dates."""

from __future__ import annotations

import os
import subprocess

import lamingit as ln
from lamingit.session import SESSION


def _git(*args: str, date: str | None = None) -> str:
    gitdir = SESSION.repository().paths.gitdir
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@x")
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@x")
    if date is not None:
        env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = date
    out = subprocess.run(
        ["git", f"--git-dir={gitdir}", *args], check=True, capture_output=True, text=True, env=env
    )
    return out.stdout.strip()


def _redate(dates: list[str]) -> None:
    """Rewrite the first-parent chain: the newest ``len(dates)`` commits get these committer
    dates, every older one (the repository's set-up) 2019-01-01."""
    chain = _git("rev-list", "--first-parent", "HEAD").split()[::-1]
    dates = ["2019-01-01T00:00:00+00:00"] * (len(chain) - len(dates)) + dates
    parent: list[str] = []
    for commit, date in zip(chain, dates, strict=True):
        tree = _git("rev-parse", f"{commit}^{{tree}}")
        parent = ["-p", _git("commit-tree", tree, *parent, "-m", "redated", date=date)]
    _git("update-ref", "refs/heads/main", parent[1])


def test_a_later_commit_with_an_earlier_clock_does_not_appear_in_the_past(repo) -> None:
    ln.Record(name="first").save()
    ln.Record(name="second").save()
    ln.Record(name="third").save()
    # "third" was made after "second" (2030) on a machine whose clock said 2019.
    _redate(["2020-01-01T12:00:00+00:00", "2030-01-01T12:00:00+00:00", "2019-06-01T12:00:00+00:00"])
    names = {r.name for r in ln.at("2020-06-01T00:00:00+00:00").Record.filter()}
    assert names == {"first"}
    # once past every date, the newest state
    assert {r.name for r in ln.at("2031-01-01").Record.filter()} == {"first", "second", "third"}
    assert {r.name for r in ln.at("2030-01-01T12:00:00+00:00").Record.filter()} == {
        "first",
        "second",
        "third",
    }
