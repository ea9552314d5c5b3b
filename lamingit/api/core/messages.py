"""The log lines LaminDB users rely on, worded as LaminDB words them, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lamingit._log import logger
from lamingit.api.core.settings import settings

if TYPE_CHECKING:
    from lamingit.api.core.view import View
    from lamingit.models import ArtifactRecord

WARNING_RUN_TRANSFORM = "no run & transform got linked, call `ln.track()` & re-run"
"""LaminDB's warning, word for word, for an artifact created outside a run."""


def returning_existing(existing: ArtifactRecord, key: str | None) -> None:
    """Say that saving content already saved returns that artifact (and drops a new key).

    Example:
        >>> returning_existing(record, "other.csv")  # doctest: +SKIP
        → returning artifact with same hash: … (a.csv)
    """
    logger.info(f"returning artifact with same hash: {existing.uid} ({existing.key})")
    if key is not None and existing.key != key:
        logger.warning(
            f"key {key!r} not applied: the same content is saved as {existing.key!r}; "
            "use a different file or rename the existing artifact's key"
        )


def new_artifact(view: View, key: str | None, run_uid: str | None, revises: object) -> None:
    """LaminDB's lines for a new artifact: no run linked; a new version of an existing key.

    Example:
        >>> new_artifact(LIVE, "a.csv", None, None)  # doctest: +SKIP
        → no run & transform got linked, call `ln.track()` & re-run
    """
    if run_uid is None and not settings.creation.artifact_silence_missing_run_warning:
        logger.warning(WARNING_RUN_TRANSFORM)
    if key is not None and revises is None and view.snapshot().lookup("artifact.key", key):
        root = view.repository().root
        logger.info(f"creating new artifact version for key '{key}' in storage '{root}'")


def moved_to_trash(what: str) -> None:
    """``moved artifact to trash`` / ``moved record to trash: Record(…)``, as LaminDB says it.

    Example:
        >>> moved_to_trash("record to trash: Record(name='s1')")  # doctest: +SKIP
    """
    logger.info(f"moved {what}")


__all__ = ["WARNING_RUN_TRANSFORM", "moved_to_trash", "new_artifact", "returning_existing"]
