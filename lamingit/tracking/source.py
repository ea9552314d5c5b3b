"""Which code is running: the calling script or notebook, its source and its git commit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from lamingit.errors import InvalidArgument, LamingitError
from lamingit.storage.git.command import git_executable, run_git

if TYPE_CHECKING:
    # The notebook helpers are imported where a notebook is involved: a script's first
    # ln.track() does not load them (docs/tracking.md, speed).
    from lamingit.tracking.notebook_locate import NotebookLocation

_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)


class SourceInfo:
    """The code a run executes, as ``ln.track()`` records it on the Transform.

    Read-only after creation; ``notebook`` is where the notebook file is and who runs it
    (notebooks with a file only). A plain class, not a dataclass: creating a frozen dataclass
    costs ~1 ms at import, on every script's first ``ln.track()``.

    Example:
        >>> SourceInfo(None, "align.sh", "align.sh", "script", "", None).kind
        'script'
    """

    __slots__ = ("description", "git_commit", "key", "kind", "notebook", "path", "source_code")
    path: Path | None
    key: str
    description: str
    kind: str
    source_code: str
    git_commit: str | None
    notebook: NotebookLocation | None

    def __init__(
        self,
        path: Path | None,
        key: str,
        description: str,
        kind: str,
        source_code: str,
        git_commit: str | None,
        notebook: NotebookLocation | None = None,
    ) -> None:
        for name, value in (
            ("path", path),
            ("key", key),
            ("description", description),
            ("kind", kind),
            ("source_code", source_code),
            ("git_commit", git_commit),
            ("notebook", notebook),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"SourceInfo is read-only: cannot set {name!r}")

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _SOURCE_FIELDS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SourceInfo) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"SourceInfo(key={self.key!r}, kind={self.kind!r}, path={self.path!r})"


_SOURCE_FIELDS = ("path", "key", "description", "kind", "source_code", "git_commit", "notebook")


def caller_frame() -> FrameType | None:
    """The innermost frame outside the lamingit package (the user's code).

    Example:
        >>> caller_frame() is not None
        True
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    return frame


def in_ipython() -> bool:
    """Tell whether this process is an IPython shell or Jupyter kernel.

    Example:
        >>> in_ipython()
        False
    """
    module = sys.modules.get("IPython")
    if module is None:
        return False
    try:
        return module.get_ipython() is not None
    except Exception:  # an IPython that is imported but half torn down
        return False


def detect(frame: FrameType | None) -> SourceInfo | None:
    """Describe the script (or notebook) running ``frame``; None when there is no file.

    Example:
        >>> detect(caller_frame()).kind  # doctest: +SKIP
        'script'
    """
    if in_ipython():
        return _notebook()
    filename = frame.f_code.co_filename if frame is not None else None
    if not filename or filename.startswith("<"):
        main = sys.modules.get("__main__")
        filename = getattr(main, "__file__", None)
    if not filename:
        return None
    path = Path(filename).resolve()
    if not path.is_file():
        return None
    if path.suffix == ".ipynb":
        from lamingit.tracking.notebook_locate import NotebookLocation

        return notebook_source(NotebookLocation(path, "given"))
    text = path.read_text(errors="replace")
    root, commit = git_origin(path)
    key = path.relative_to(root).as_posix() if root is not None else path.name
    return SourceInfo(path, key, path.name, "script", text, commit)


def _notebook() -> SourceInfo:
    import IPython

    from lamingit.tracking.notebook_locate import in_kernel, locate

    shell = IPython.get_ipython()
    found = locate(shell)
    if found is not None:
        return notebook_source(found)
    if in_kernel(shell):
        raise InvalidArgument(
            "ln.track() could not tell which notebook this kernel runs; pass "
            "ln.track(path='analysis.ipynb') or run it with `lamingit run-notebook`"
        )
    # A terminal IPython has no notebook file: key it by its session name, if any.
    ns = shell.user_ns if shell is not None else {}
    session = next(
        (c for c in (ns.get("__session__"), os.environ.get("JPY_SESSION_NAME")) if c), None
    )
    key = Path(session).name if isinstance(session, str) else "ipython-session"
    cells = ns.get("In", [])
    code = "\n\n".join(c for c in cells if isinstance(c, str) and c.strip())
    return SourceInfo(None, key, key, "notebook", code, None)


def notebook_source(location: NotebookLocation) -> SourceInfo:
    """The transform source of a notebook file: the ``.ipynb`` without outputs.

    Example:
        >>> notebook_source(NotebookLocation(Path("nb.ipynb"), "given")).kind  # doctest: +SKIP
        'notebook'
    """
    from lamingit.tracking.notebook import read_notebook, source_text, title

    path = location.path
    doc = read_notebook(path)
    root, commit = git_origin(path)
    key = path.relative_to(root).as_posix() if root is not None else path.name
    description = title(doc) or path.stem
    return SourceInfo(path, key, description, "notebook", source_text(doc), commit, location)


def source_for_path(path: str | Path) -> SourceInfo:
    """The source of ``ln.track(path=…)``: a notebook (``.ipynb``) or a script file.

    In a kernel, a notebook named this way counts as interactive when a person's frontend
    sent the cell (Jupyter, VS Code), as headless under nbclient, nbconvert or papermill.

    Example:
        >>> source_for_path("analysis.ipynb").key  # doctest: +SKIP
        'analysis.ipynb'
    """
    target = Path(path).expanduser().resolve()
    if not target.is_file():
        raise InvalidArgument(
            f"ln.track(path={str(path)!r}): no such file (relative paths start at {Path.cwd()})"
        )
    if target.suffix != ".ipynb":
        text = target.read_text(errors="replace")
        root, commit = git_origin(target)
        key = target.relative_to(root).as_posix() if root is not None else target.name
        return SourceInfo(target, key, target.name, "script", text, commit)
    from lamingit.tracking.notebook_locate import NotebookLocation, driven_by_person, in_kernel

    runner = "given"
    if in_ipython():
        import IPython

        shell = IPython.get_ipython()
        if os.environ.get("LAMINGIT_NOTEBOOK_RUNNER") == "lamingit":
            runner = "lamingit"
        elif in_kernel(shell):
            runner = "jupyter" if driven_by_person(shell) else "headless"
    return notebook_source(NotebookLocation(target, runner))


_GIT_CACHE: dict[tuple[str, int, int], tuple[Path | None, str | None]] = {}


def git_origin(path: Path) -> tuple[Path | None, str | None]:
    """``(work tree root, commit)`` of the git repository holding ``path``.

    The commit is given only when the file is committed unchanged there (otherwise the
    commit would not contain the code that ran); the root is None outside git. One
    ``git status`` subprocess, only when a ``.git`` is found above the file.

    Example:
        >>> git_origin(Path("/etc/hostname"))
        (None, None)
    """
    root = next((d for d in path.parents if (d / ".git").exists()), None)
    if root is None:
        return None, None
    st = path.stat()
    cache_key = (str(path), st.st_mtime_ns, st.st_size)
    if cache_key in _GIT_CACHE:
        return _GIT_CACHE[cache_key]
    # GIT_DIR & co. from a calling git hook would point git at another repository: the
    # one environment policy of storage.git.command removes them.
    try:
        proc = run_git(
            [
                "-C",
                str(root),
                "status",
                "--porcelain=v2",
                "--branch",
                "--ignored=matching",
                "--",
                str(path),
            ],
            exe=git_executable(),
            timeout=10,
        )
    except (OSError, LamingitError, subprocess.TimeoutExpired):
        return root, None
    if proc.returncode != 0:
        return root, None
    commit = None
    dirty = False
    for line in proc.stdout.splitlines():
        if line.startswith("# branch.oid "):
            oid = line.split()[-1]
            commit = oid if len(oid) == 40 else None
        elif line and not line.startswith("#"):
            dirty = True
    result = (root, None if dirty else commit)
    _GIT_CACHE[cache_key] = result
    return result
