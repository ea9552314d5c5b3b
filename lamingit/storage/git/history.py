"""Reading history: revisions, the log, the commit at a moment, every commit gc must keep."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pygit2

from lamingit.errors import InvalidArgument


@dataclass(frozen=True)
class CommitInfo:
    """A commit as the history commands show it."""

    oid: str
    author_name: str
    author_email: str
    time: datetime
    message: str
    parents: tuple[str, ...]


def resolve(repo: pygit2.Repository, rev: str) -> str:
    """Resolve a revision (``HEAD~3``, a tag, a branch, a commit id) to a commit id.

    Example:
        >>> resolve(repo, "HEAD~1")  # doctest: +SKIP
    """
    try:
        obj = repo.revparse_single(rev)
        commit = obj.peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise InvalidArgument(
            f"{rev!r} is not a commit, tag, branch or date of this repository; "
            "see `lamingit log` for what exists"
        ) from None
    return str(commit.id)


def commit_before(repo: pygit2.Repository, head: str, moment: datetime) -> str | None:
    """The newest first-parent commit from ``head`` before the first one (from the root) dated
    after ``moment``.

    The chain's order wins over its clocks: once a commit's committer date is later than
    ``moment``, no commit after it counts, even one whose (skewed) clock says earlier.

    Example:
        >>> commit_before(repo, head, datetime.now(UTC))  # doctest: +SKIP
    """
    commit = repo[head].peel(pygit2.Commit)
    answer: str | None = str(commit.id)
    while True:
        if datetime.fromtimestamp(commit.commit_time, UTC) > moment:
            # Too late: the answer is older than this commit, whatever came after it.
            answer = str(commit.parents[0].id) if commit.parents else None
        if not commit.parents:
            return answer
        commit = commit.parents[0]


def log(
    repo: pygit2.Repository, head: str, limit: int | None = None, first_parent: bool = False
) -> Iterator[CommitInfo]:
    """Commits reachable from ``head``, newest first (at most ``limit``); ``first_parent``:
    only the branch's own line (``git log --first-parent``).

    Example:
        >>> next(log(repo, head)).message  # doctest: +SKIP
    """
    if first_parent:
        # The first-parent chain is already newest first; unsorted, the walk streams (a sort
        # reads the whole history before the first commit: ~60 ms per 3,000 commits).
        walker = repo.walk(head, pygit2.enums.SortMode.NONE)
        walker.simplify_first_parent()
    else:
        # TIME alone misorders commits made within the same second; TOPOLOGICAL keeps
        # children before parents.
        walker = repo.walk(head, pygit2.enums.SortMode.TOPOLOGICAL | pygit2.enums.SortMode.TIME)
    for n, commit in enumerate(walker):
        if limit is not None and n >= limit:
            return
        yield CommitInfo(
            oid=str(commit.id),
            author_name=commit.author.name,
            author_email=commit.author.email,
            time=datetime.fromtimestamp(commit.commit_time, UTC),
            message=commit.message,
            parents=tuple(str(p) for p in commit.parent_ids),
        )


def all_commits(repo: pygit2.Repository) -> list[str]:
    """Every commit reachable from any ref or reflog entry (what gc must keep alive).

    Example:
        >>> len(all_commits(repo))  # doctest: +SKIP
    """
    tips: set[str] = set()
    for name in repo.references:
        try:
            ref = repo.references[name].resolve()
        except (KeyError, pygit2.GitError):
            continue
        target = ref.target
        obj = repo.get(target) if isinstance(target, pygit2.Oid) else None
        # a tag of a blob or tree holds no records: suppress, skip it
        if obj is not None:
            with contextlib.suppress(ValueError, pygit2.GitError):
                tips.add(str(obj.peel(pygit2.Commit).id))
        try:
            for entry in ref.log():
                if entry.oid_new.raw != b"\0" * 20 and repo.get(entry.oid_new):
                    tips.add(str(entry.oid_new))
        except (KeyError, pygit2.GitError, ValueError):
            pass  # a reflog line cut short by a crash: the ref itself still counts
    if not tips:
        return []
    walker = repo.walk(None)
    for tip in sorted(tips):
        walker.push(tip)
    return [str(c.id) for c in walker]


def parents(repo: pygit2.Repository, commit: str) -> list[str]:
    """The parent commit ids of ``commit``.

    Example:
        >>> parents(repo, head)  # doctest: +SKIP
    """
    obj = repo[commit]
    assert isinstance(obj, pygit2.Commit)
    return [str(p) for p in obj.parent_ids]
