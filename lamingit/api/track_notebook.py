"""What ``ln.finish()`` adds for a notebook: the consecutiveness check, the saved source
(a new version if it changed) and the HTML report; and the hand-over to ``run-notebook``.
"""

from __future__ import annotations

import sys
from typing import Any

from lamingit._log import logger
from lamingit._util import utcnow_iso
from lamingit.api.core.commit import commit
from lamingit.api.core.view import LIVE
from lamingit.api.registries.transform import script_transform
from lamingit.errors import InvalidArgument, NotebookNotConsecutive
from lamingit.models import ArtifactRecord, RunRecord, TransformRecord
from lamingit.records import ChangeSet, replace
from lamingit.repo import Repository
from lamingit.storage.hashing import hash_bytes
from lamingit.tracking.source import SourceInfo, notebook_source

# The notebook helpers (tracking.notebook, notebook_capture, notebook_runner) are imported
# where a notebook is involved: a script's first ln.track() does not load them.
_CAPTURE_MODULE = "lamingit.tracking.notebook_capture"

__all__ = [
    "NotebookFinish",
    "apply_finish",
    "attach_report",
    "begin",
    "hand_off",
    "injected_params",
    "prepare_finish",
]

SAVE_WAIT = 20.0
"""Seconds ``finish()`` waits for an interactive notebook to be saved (LaminDB: ~30)."""


class NotebookFinish:
    """The notebook's state at ``finish()``: source on disk and report blob (a plain class:
    a dataclass costs ~0.6 ms to create at import, on every script's first ``track()``)."""

    __slots__ = ("report_oid", "source")

    def __init__(self, source: SourceInfo, report_oid: str | None) -> None:
        self.source = source
        self.report_oid = report_oid


def _under_runner(info: SourceInfo | None) -> bool:
    # Only the notebook run-notebook executes: a subprocess of it inherits the variables.
    return info is not None and info.notebook is not None and info.notebook.runner == "lamingit"


def injected_params(info: SourceInfo | None) -> dict[str, Any]:
    """The ``--param`` values of ``lamingit run-notebook``, for the notebook it runs.

    Example:
        >>> injected_params(None)
        {}
    """
    if not _under_runner(info):
        return {}
    from lamingit.tracking import notebook_runner

    return notebook_runner.injected_params()


def hand_off(run_uid: str, info: SourceInfo | None) -> None:
    """Name this run to ``lamingit run-notebook`` when it runs this notebook.

    Example:
        >>> hand_off("AbCdEfGhIjKlMnOpQrSt", None)
    """
    if _under_runner(info):
        from lamingit.tracking import notebook_runner

        notebook_runner.hand_off(run_uid)


def begin(info: SourceInfo | None) -> None:
    """At ``track()``: in a headless kernel (nbconvert, ``jupyter execute``, nbclient,
    papermill) start recording the cells' outputs for the report (see notebook_capture).

    Example:
        >>> begin(None)
    """
    loaded = sys.modules.get(_CAPTURE_MODULE)  # not loaded: no capture to end
    if loaded is not None:
        loaded.end()
    if info is None or info.notebook is None or info.notebook.runner != "headless":
        return
    import IPython

    from lamingit.tracking import notebook_capture

    notebook_capture.begin(IPython.get_ipython())


def prepare_finish(
    repo: Repository, info: SourceInfo, ignore_non_consecutive: bool | None
) -> NotebookFinish | None:
    """Check and read the notebook before the run is finished (nothing is written yet).

    Interactive notebooks (Jupyter, VS Code) must have run their cells in order unless
    ``ignore_non_consecutive=True`` (then :class:`NotebookNotConsecutive` leaves the run
    active); ``finish()`` waits up to 20 s for the notebook to be saved. Under
    ``lamingit run-notebook`` the runner renders the report after the last cell.

    Example:
        >>> prepare_finish(repo, info, None)  # doctest: +SKIP
    """
    location = info.notebook
    if location is None or info.path is None:
        return None
    from lamingit.tracking import notebook as nb
    from lamingit.tracking import notebook_capture

    path = info.path
    if location.interactive and not nb.wait_for_save(path, 0):
        print(f"→ please hit {nb.save_shortcut()} to save the notebook in your editor", end="")
        saved = nb.wait_for_save(path, SAVE_WAIT)
        print(" ✓" if saved else "")
        if not saved:
            logger.warning(
                f"the notebook on disk was not saved within {SAVE_WAIT:.0f} s; "
                "recording the last saved version"
            )
    doc = nb.read_notebook(path)
    if location.interactive and not ignore_non_consecutive:
        found = nb.violations(doc)
        if found:
            raise NotebookNotConsecutive(
                f"cells {found} were not run consecutively; re-run the notebook from the top "
                "(Restart Kernel and Run All), or ln.finish(ignore_non_consecutive=True)"
            )
    source = notebook_source(location)
    report_oid = None
    if location.runner != "lamingit":
        shown = doc
        capture = notebook_capture.current()
        if location.output is not None and location.output.is_file():
            shown = nb.read_notebook(location.output)  # papermill's executed copy
        elif capture is not None:
            shown = capture.fill(doc)  # this execution's outputs, not the file's old ones
        report_oid = repo.blobs.put_bytes(nb.report_html(shown).encode())
        notebook_capture.end()
    return NotebookFinish(source, report_oid)


def apply_finish(
    changes: ChangeSet,
    run: RunRecord,
    done: NotebookFinish,
    created: bool,
    outputs: set[str],
) -> RunRecord:
    """Record the saved notebook's source on the run's transform; returns the run to write.

    Unchanged code leaves the transform alone. Changed code updates the version this
    ``track()`` created, or (for a version other runs share) saves a new version and moves
    this run and its outputs to it.

    Example:
        >>> run = apply_finish(changes, run, done, created=True, outputs=set())  # doctest: +SKIP
    """
    if done.report_oid is not None:
        run = replace(run, report=done.report_oid)
    transform = changes.get("transform", run.transform)
    info = done.source
    digest = hash_bytes(info.source_code.encode())
    if not isinstance(transform, TransformRecord) or transform.hash == digest:
        return run
    if created:
        changes.put(
            replace(
                transform,
                source_code=info.source_code,
                hash=digest,
                description=info.description,
                git_commit=info.git_commit,
                updated_at=utcnow_iso(),
            ),
            f"save source of transform {transform.uid} ({info.key}) at finish",
        )
        return run
    record, _ = script_transform(changes, info, transform.uid, None, list(transform.projects))
    for uid in sorted(outputs):
        artifact = changes.get("artifact", uid)
        if isinstance(artifact, ArtifactRecord) and artifact.transform == transform.uid:
            changes.put(replace(artifact, transform=record.uid))
    return replace(run, transform=record.uid)


def attach_report(repo: Repository, run_uid: str, html: str, failed: str | None) -> None:
    """Set the HTML report of a run (``run-notebook`` after the last cell); a failure note
    marks the run errored.

    Example:
        >>> attach_report(repo, "AbCdEfGhIjKlMnOpQrSt", "<html>…</html>", None)  # doctest: +SKIP
    """
    oid = repo.blobs.put_bytes(html.encode())

    def build(changes: ChangeSet) -> None:
        run = changes.get("run", run_uid)
        if not isinstance(run, RunRecord):
            raise InvalidArgument(f"run {run_uid} is not in the repository at {repo.root}")
        fields: dict[str, Any] = {"report": oid, "updated_at": utcnow_iso()}
        if failed is not None:
            fields["status"] = "errored"
            fields["tracking_warnings"] = sorted({*run.tracking_warnings, failed})
        elif run.status == "started":  # the kernel ended before its exit hook ran
            fields["status"] = "completed"
        if run.finished_at is None:
            fields["finished_at"] = utcnow_iso()
        changes.put(replace(run, **fields), f"attach the notebook report of run {run_uid}")

    commit(build, LIVE, "attach a notebook report")
