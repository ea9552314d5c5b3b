"""The ``ln.track()`` options of the curation layer: a branch to switch to, the initiating
run, and the run's feature values (kept here so ``track.py`` stays one job)."""

from __future__ import annotations

from typing import Any

from lamingit.api.core import branches
from lamingit.api.core.features import validate_values
from lamingit.errors import InvalidArgument
from lamingit.models import RunRecord
from lamingit.records import ChangeSet, Snapshot, replace


def switch_branch(branch: Any) -> None:
    """Switch to ``branch`` (a name or an ``ln.Branch``) before a run starts; None: stay.

    Example:
        >>> switch_branch("analysis")  # doctest: +SKIP
    """
    if branch is not None:
        branches.switch(str(getattr(branch, "name", branch)))


def initiating_run(snapshot: Snapshot, given: Any, from_env: str | None) -> str | None:
    """The uid of the run that started this one: ``given`` (a Run or uid, which must exist),
    else the environment's run if it exists, else None.

    Example:
        >>> initiating_run(snapshot, parent_run, None)  # doctest: +SKIP
        'zXP7LyrSzk34KQzpkl8l'
    """
    if given is not None:
        uid = str(getattr(given, "uid", given))
        if not isinstance(snapshot.find("run", uid), RunRecord):
            raise InvalidArgument(f"initiated_by_run={given!r} is not a saved run")
        return uid
    if from_env and isinstance(snapshot.find("run", from_env), RunRecord):
        return from_env
    return None


def with_features(changes: ChangeSet, run: RunRecord, features: dict[str, Any] | None) -> RunRecord:
    """``run`` with validated feature values (raises before anything is written if one fails).

    Example:
        >>> with_features(changes, run, {"cohort": "A"}).features  # doctest: +SKIP
        {'cohort': 'A'}
    """
    if not features:
        return run
    stored, _ = validate_values(changes, features)
    return replace(run, features=dict(sorted(stored.items())))


__all__ = ["initiating_run", "switch_branch", "with_features"]
