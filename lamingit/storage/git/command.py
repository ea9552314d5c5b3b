"""The one place lamingit runs the ``git`` command: finding it, its environment, its failures.

Every git subprocess (packing, bulk reads, transport, the HTTP server's backend, the source
lookup of a tracked script) takes its executable and environment from here, so one policy holds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Literal, overload

from lamingit.errors import LamingitError

REDIRECTING_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_PREFIX",
)
"""Variables that point git at other objects or refs than the directory we name (a git hook
calling lamingit sets ``GIT_DIR``): they are removed from every git subprocess."""
PLUMBING = ("-c", "core.hooksPath=/dev/null", "-c", "gc.auto=0")
"""Options of git commands on lamingit's own objects (pack, prune, cat-file, ls-tree): no hook
runs, and git never starts its own gc (lamingit decides when to pack). Transport commands run
without them: ``-c`` options travel to a local remote's ``receive-pack``, whose hooks are the
remote owner's to keep."""


def git_executable(error: type[LamingitError] = LamingitError, purpose: str = "") -> str:
    """The path of the ``git`` command; ``error`` saying how to get it if it is not installed.

    Example:
        >>> git_executable().endswith("git")
        True
    """
    exe = shutil.which("git")
    if exe is None:
        raise error(
            f"the `git` command is not installed; install git{' to ' + purpose if purpose else ''}"
        )
    return exe


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a git subprocess: ours without ``REDIRECTING_ENV``, never prompting.

    ``GIT_TERMINAL_PROMPT=0``: a lamingit command fails with git's message instead of stopping
    to ask for credentials on a terminal nobody watches (a tracked run, a notebook).

    Example:
        >>> git_env()["GIT_TERMINAL_PROMPT"]
        '0'
    """
    env = {k: v for k, v in os.environ.items() if k not in REDIRECTING_ENV}
    env["GIT_TERMINAL_PROMPT"] = "0"
    if extra:
        env.update(extra)
    return env


def git_argv(gitdir: Path | None, *, plumbing: bool, exe: str | None = None) -> list[str]:
    """``git [--git-dir DIR] [PLUMBING]``: the start of a command line (see ``PLUMBING``).

    Example:
        >>> git_argv(Path("d/.git"), plumbing=True, exe="git")[:3]
        ['git', '--git-dir', 'd/.git']
    """
    cmd = [exe or git_executable()]
    if gitdir is not None:
        cmd += ["--git-dir", str(gitdir)]
    if plumbing:
        cmd += PLUMBING
    return cmd


@overload
def run_git(
    args: list[str],
    *,
    gitdir: Path | None = ...,
    plumbing: bool = ...,
    stdin: str | None = ...,
    text: Literal[True] = ...,
    exe: str | None = ...,
    timeout: float | None = ...,
) -> subprocess.CompletedProcess[str]: ...
@overload
def run_git(
    args: list[str],
    *,
    gitdir: Path | None = ...,
    plumbing: bool = ...,
    stdin: bytes | None = ...,
    text: Literal[False],
    exe: str | None = ...,
    timeout: float | None = ...,
) -> subprocess.CompletedProcess[bytes]: ...
def run_git(
    args: list[str],
    *,
    gitdir: Path | None = None,
    plumbing: bool = False,
    stdin: str | bytes | None = None,
    text: bool = True,
    exe: str | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` to completion with the one environment policy; output captured.

    The caller reads ``returncode``: some commands answer with it (``rev-parse --verify``).
    ``timeout`` raises ``subprocess.TimeoutExpired`` (git is killed).

    Example:
        >>> run_git(["--version"]).stdout.startswith("git version")
        True
    """
    return subprocess.run(
        git_argv(gitdir, plumbing=plumbing, exe=exe) + args,
        input=stdin,
        capture_output=True,
        text=text,
        env=git_env(),
        check=False,
        timeout=timeout,
    )


def start_git(
    args: list[str], *, gitdir: Path, stdin: IO[bytes], stdout: IO[bytes], exe: str
) -> subprocess.Popen[bytes]:
    """Start a plumbing ``git ARGS`` reading and writing files (for processes side by side).

    Example:
        >>> start_git(["cat-file", "--batch"], gitdir=d, stdin=f, stdout=o, exe="git")  # doctest: +SKIP
    """
    return subprocess.Popen(
        git_argv(gitdir, plumbing=True, exe=exe) + args,
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.DEVNULL,
        env=git_env(),
    )


def last_line(said: str, code: int) -> str:
    """git's last non-empty line of explanation (its conclusion), or the exit code.

    Example:
        >>> last_line("hint: x\\nfatal: no such remote\\n", 128)
        'fatal: no such remote'
    """
    lines = [ln for ln in said.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else f"exit code {code}"
