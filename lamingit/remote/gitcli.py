"""The git command line for transport (clone, fetch, push): measured ~10x faster than pygit2.

Every call runs ``git`` (through ``storage.git.command``: one environment policy) with the
repository's git directory; failures become ``RemoteError`` with git's own last line of explanation.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from lamingit._util import redact_url
from lamingit.errors import InvalidArgument, RemoteError
from lamingit.storage.git import command
from lamingit.storage.git.command import git_executable

ZERO = "0" * 40


def git_exe() -> str:
    """The ``git`` command, or a ``RemoteError`` saying to install it.

    Example:
        >>> git_exe().endswith("git")
        True
    """
    return git_executable(RemoteError, "use remotes")


def run_git(
    args: list[str],
    *,
    gitdir: Path | None = None,
    check: bool = True,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``git ARGS`` (on ``gitdir`` if given); raise ``RemoteError`` on failure if ``check``.

    Example:
        >>> run_git(["--version"]).stdout.startswith("git version")
        True
    """
    proc = command.run_git(args, gitdir=gitdir, stdin=input_text, exe=git_exe())
    if check and proc.returncode != 0:
        _fail(args, proc.returncode, proc.stderr or proc.stdout)
    return proc


def git_bytes(args: list[str], *, gitdir: Path) -> bytes:
    """The standard output of ``git ARGS`` on ``gitdir`` as bytes (paths may not be UTF-8).

    Example:
        >>> git_bytes(["log", "-z", "--format=%H"], gitdir=Path("mydata/.git"))  # doctest: +SKIP
    """
    proc = command.run_git(args, gitdir=gitdir, text=False, exe=git_exe())
    if proc.returncode != 0:
        _fail(args, proc.returncode, proc.stderr.decode(errors="replace"))
    return proc.stdout


def _fail(args: list[str], code: int, said: str) -> None:
    # git's message may quote the remote URL: never with its token.
    raise RemoteError(f"git {args[0]} failed: {redact_url(command.last_line(said, code))}")


def clone_bare(url: str, gitdir: Path, remote: str = "origin") -> None:
    """Clone ``url`` as a bare repository at ``gitdir`` with remote-tracking refs.

    A plain ``git clone --bare`` maps the remote's branches onto local branches and keeps no
    ``refs/remotes/``; lamingit needs both (local branch to commit on, tracking ref to merge
    from), so the fetch refspec is set and one fetch fills the tracking refs.

    Example:
        >>> clone_bare("/srv/data.git", Path("copy/.git"))  # doctest: +SKIP
    """
    run_git(["clone", "--bare", "--quiet", "--origin", remote, url, str(gitdir)])
    run_git(
        ["config", f"remote.{remote}.fetch", f"+refs/heads/*:refs/remotes/{remote}/*"],
        gitdir=gitdir,
    )
    run_git(["fetch", "--quiet", remote], gitdir=gitdir)
    _point_head_at_a_branch(gitdir)


def _point_head_at_a_branch(gitdir: Path) -> None:
    """After cloning a remote whose HEAD names an unborn branch (``git init --bare`` makes
    ``master``), point HEAD at ``main`` or the only branch, so the clone is not empty."""
    head = run_git(["symbolic-ref", "HEAD"], gitdir=gitdir).stdout.strip()
    if rev_parse(gitdir, head) is not None:
        return
    listed = run_git(["for-each-ref", "--format=%(refname)", "refs/heads/"], gitdir=gitdir)
    branches = listed.stdout.split()
    choice = "refs/heads/main" if "refs/heads/main" in branches else None
    if choice is None and len(branches) == 1:
        choice = branches[0]
    if choice is not None:
        run_git(["symbolic-ref", "HEAD", choice], gitdir=gitdir)


def fetch_into(gitdir: Path, remote: str, prefix: str) -> dict[str, str]:
    """Fetch the remote's branches into ``<prefix>/<branch>`` only; return branch → commit.

    No remote-tracking ref and no ``FETCH_HEAD`` is written (``--refmap=`` turns off git's
    opportunistic update of the configured tracking refs): the commits are checked first.

    Example:
        >>> fetch_into(Path("mydata/.git"), "origin", "refs/lamingit/incoming/origin")  # doctest: +SKIP
        {'main': 'e464f6bd…'}
    """
    run_git(
        ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--refmap="]
        + [remote, f"+refs/heads/*:{prefix}/*"],
        gitdir=gitdir,
    )
    return refs_under(gitdir, prefix)


def refs_under(gitdir: Path, prefix: str) -> dict[str, str]:
    """The refs below ``prefix``: name relative to it → commit id.

    Example:
        >>> refs_under(Path("mydata/.git"), "refs/remotes/origin")  # doctest: +SKIP
        {'main': 'e464f6bd…'}
    """
    listed = run_git(
        ["for-each-ref", "--format=%(objectname) %(refname)", f"{prefix}/"], gitdir=gitdir
    )
    out: dict[str, str] = {}
    for line in listed.stdout.splitlines():
        oid, _, name = line.partition(" ")
        out[name.removeprefix(f"{prefix}/")] = oid
    return out


def update_refs(gitdir: Path, updates: dict[str, str | None]) -> None:
    """Set (commit id) or delete (None) refs, all in one git transaction.

    Example:
        >>> update_refs(Path("mydata/.git"), {"refs/remotes/origin/main": oid})  # doctest: +SKIP
    """
    if not updates:
        return
    lines = [
        f"delete {ref}" if oid is None else f"update {ref} {oid}" for ref, oid in updates.items()
    ]
    run_git(["update-ref", "--stdin"], gitdir=gitdir, input_text="\n".join(lines) + "\n")


def push(gitdir: Path, remote: str, branch: str, *, no_verify: bool = True) -> None:
    """Push ``branch`` to the same branch on ``remote`` (fast-forward only).

    ``no_verify`` skips the repository's own pre-push hook: ``lamingit push`` has already
    uploaded and checked the blobs, which is what that hook enforces for plain ``git push``.

    Example:
        >>> push(Path("mydata/.git"), "origin", "main")  # doctest: +SKIP
    """
    args = ["push", "--quiet"]
    if no_verify:
        args.append("--no-verify")
    proc = run_git(
        [*args, remote, f"refs/heads/{branch}:refs/heads/{branch}"], gitdir=gitdir, check=False
    )
    if proc.returncode != 0:
        text = proc.stderr
        if "rejected" in text or "non-fast-forward" in text or "fetch first" in text:
            raise RemoteError(
                f"the remote {remote!r} has commits you do not have; "
                "run `lamingit pull` first, then push again"
            )
        last = command.last_line(text, proc.returncode)
        _, said, reason = last.partition("remote error: ")
        if said:  # the server explained the refusal (e.g. a read-only `lamingit serve`)
            raise RemoteError(f"the remote {remote!r} refused the push: {reason}")
        raise RemoteError(f"git push failed: {last}")
    # Record what the remote now has, even for remotes added without a fetch refspec.
    head = rev_parse(gitdir, f"refs/heads/{branch}")
    if head is not None:
        run_git(["update-ref", f"refs/remotes/{remote}/{branch}", head], gitdir=gitdir)


def rev_parse(gitdir: Path, ref: str) -> str | None:
    """The commit id of ``ref``, or None if it does not exist.

    Example:
        >>> rev_parse(Path("mydata/.git"), "refs/remotes/origin/main")  # doctest: +SKIP
    """
    proc = run_git(
        ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], gitdir=gitdir, check=False
    )
    out = proc.stdout.strip()
    return out if proc.returncode == 0 and out else None


def merge_base(gitdir: Path, a: str, b: str) -> str | None:
    """The best common ancestor of two commits, or None for unrelated histories.

    Example:
        >>> merge_base(Path("mydata/.git"), "HEAD", "origin/main")  # doctest: +SKIP
    """
    proc = run_git(["merge-base", a, b], gitdir=gitdir, check=False)
    out = proc.stdout.strip()
    return out if proc.returncode == 0 and out else None


def remotes(gitdir: Path) -> dict[str, str]:
    """Configured remotes: name → URL.

    Example:
        >>> remotes(Path("mydata/.git"))  # doctest: +SKIP
        {'origin': '/srv/data.git'}
    """
    proc = run_git(["config", "--get-regexp", r"^remote\..*\.url$"], gitdir=gitdir, check=False)
    out: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        name, _, url = line.partition(" ")
        out[name[len("remote.") : -len(".url")]] = url
    return out


def add_remote(gitdir: Path, name: str, url: str, force: bool = False) -> None:
    """Add a remote with the usual fetch refspec; re-point an existing one only with ``force``.

    Example:
        >>> add_remote(Path("mydata/.git"), "origin", "/srv/data.git")  # doctest: +SKIP
    """
    url = absolute_url(url)
    existing = remotes(gitdir)
    if name in existing:
        if not force:
            raise InvalidArgument(
                f"remote {name!r} already exists ({existing[name]}); pass --force to re-point "
                f"it, or `lamingit remote remove {name}` first"
            )
        run_git(["remote", "set-url", name, url], gitdir=gitdir)
    else:
        run_git(["remote", "add", name, url], gitdir=gitdir)


def absolute_url(url: str) -> str:
    """A local path made absolute (git would resolve it against each later command's cwd).

    URLs with a scheme and scp-style ``host:path`` are returned unchanged.

    Example:
        >>> absolute_url("ssh://host/x.git")
        'ssh://host/x.git'
        >>> absolute_url("/srv/x.git")
        '/srv/x.git'
    """
    if "://" in url or (":" in url.split("/")[0]):
        return url
    return str(Path(url).expanduser().resolve())


def remove_remote(gitdir: Path, name: str) -> None:
    """Remove a remote and its tracking refs.

    Example:
        >>> remove_remote(Path("mydata/.git"), "origin")  # doctest: +SKIP
    """
    run_git(["remote", "remove", name], gitdir=gitdir)


def init_bare_remote(path: Path, branch: str = "main") -> None:
    """Create an empty bare repository to push to (for a shared directory or tests).

    Example:
        >>> init_bare_remote(Path("/srv/data.git"))  # doctest: +SKIP
    """
    run_git(["init", "--quiet", "--bare", f"--initial-branch={branch}", str(path)])
