"""Runs of steps that are not Python (shell, Make): start one, finish it, or run a command as one.

``lamingit track`` / ``lamingit finish`` are thin shells over these; unlike ``ln.track()``
a started step is not the active run of this process: it stays open until finished by uid.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lamingit._util import random_base62, utcnow_iso
from lamingit.api.core.commit import commit, new_record_fields
from lamingit.api.core.links import creates_cycle, link_parents
from lamingit.api.core.view import LIVE
from lamingit.api.registries.run import Run
from lamingit.api.registries.transform import script_transform
from lamingit.api.track import finish_run, track
from lamingit.errors import DoesNotExist, InvalidArgument
from lamingit.models import RunRecord
from lamingit.records import ChangeSet, replace
from lamingit.session import SESSION
from lamingit.tracking.environment import packages
from lamingit.tracking.source import SourceInfo

STATUSES = ("completed", "errored", "aborted")
"""How a step can end."""


def start_step(
    source: SourceInfo,
    *,
    description: str | None = None,
    params: dict[str, object] | None = None,
    inputs: list[str] | None = None,
) -> Run:
    """Record the step's transform (a new version if its code changed) and a started run.

    ``inputs`` are artifact uids the step reads; they become the run's inputs and their
    transforms the transform's parents. One commit.

    Example:
        >>> start_step(SourceInfo(None, "align.sh", "align.sh", "script", "", None)).uid  # doctest: +SKIP
        'bK3x…'
    """
    run_uid = random_base62(20)
    input_uids = sorted(set(inputs or []))

    def build(changes: ChangeSet) -> None:
        record, _ = script_transform(changes, source, None, description, [])
        changes.put(
            RunRecord(
                **new_record_fields(run_uid),
                transform=record.uid,
                started_at=utcnow_iso(),
                params=dict(params or {}),
                environment=packages(),
                inputs=input_uids,
            ),
            f"start run {run_uid} of transform {record.uid} ({source.key})",
        )
        link_parents(changes, record.uid, input_uids)

    commit(build, LIVE, "track")
    return Run.get(run_uid)


def finish_step(
    run_uid: str,
    *,
    status: str = "completed",
    inputs: list[str] | None = None,
    report: Path | None = None,
) -> Run:
    """Finish the step run ``run_uid``: end time, status, more inputs, a report file. One commit.

    An input that descends from this run is not linked (it would close a cycle).

    Example:
        >>> finish_step(run.uid, inputs=[reference.uid], report=Path("align.log"))  # doctest: +SKIP
    """
    if status not in STATUSES:
        raise InvalidArgument(f"status {status!r} is not one of {', '.join(STATUSES)}")
    repo = SESSION.repository()
    if not isinstance(repo.snapshot().find("run", run_uid), RunRecord):
        raise DoesNotExist(f"no run {run_uid!r}; start one with `lamingit track`")
    input_uids = list(inputs or [])
    report_oid = repo.blobs.put_bytes(report.read_bytes()) if report is not None else None

    def build(changes: ChangeSet) -> None:
        run = changes.get("run", run_uid)
        assert isinstance(run, RunRecord)
        linked = [u for u in input_uids if not creates_cycle(changes, run_uid, u)]
        changes.put(
            replace(
                run,
                finished_at=utcnow_iso(),
                status=status,
                inputs=sorted({*run.inputs, *linked}),
                report=report_oid or run.report,
                updated_at=utcnow_iso(),
            ),
            f"finish run {run_uid} ({status})",
        )
        link_parents(changes, run.transform, linked)

    commit(build, LIVE, "finish")
    return Run.get(run_uid)


def run_step(
    source: SourceInfo,
    command: list[str],
    *,
    description: str | None = None,
    params: dict[str, object] | None = None,
    inputs: list[str] | None = None,
    watch: list[str] | None = None,
) -> int:
    """Run ``command`` as a tracked run of ``source``; return its exit code.

    The command's output is echoed and becomes the run's report; files it reads under
    ``watch`` (and in the repository cache) become inputs; exit code 0 completes the run,
    anything else errors it. A command that cannot start errors the run, then raises OSError.

    Example:
        >>> run_step(info, ["wc", "-l", "data/genes.tsv"], watch=["data"])  # doctest: +SKIP
        0
    """
    run = track(
        params=params or {},
        watch=list(watch or []),
        capture_output=False,
        description=description,
        source=source,
    )
    input_uids = list(inputs or [])
    if input_uids:

        def link(changes: ChangeSet) -> None:
            record = changes.get("run", run.uid)
            assert isinstance(record, RunRecord)
            changes.put(replace(record, inputs=sorted({*record.inputs, *input_uids})))
            link_parents(changes, record.transform, input_uids)

        commit(link, LIVE, "link inputs")
    lines: list[str] = []
    try:
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
    except OSError as exc:
        finish_run("errored", note=f"could not start {command[0]}: {exc}\n")
        raise
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    code = proc.wait()
    note = "".join(lines) + (f"[exit code {code}]\n" if code else "")
    finish_run("completed" if code == 0 else "errored", note=note)
    return code


__all__ = ["STATUSES", "finish_step", "run_step", "start_step"]
