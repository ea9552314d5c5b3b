"""``ln.track()``'s arguments, checked before anything starts or is written, and the
transform of a run resolved on the branch the run is recorded on."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lamingit.api.core import branches
from lamingit.api.core.features import validate_values
from lamingit.api.core.versioning import elect_latest
from lamingit.api.registries.transform import Transform
from lamingit.errors import InvalidArgument
from lamingit.models import TransformRecord
from lamingit.records import ChangeSet, Snapshot
from lamingit.repo import Repository


def target_branch(branch: Any) -> str | None:
    """The name of the branch ``track(branch=…)`` switches to (checked, not switched to yet);
    None when no branch is given or it is the current one.

    Example:
        >>> target_branch(None) is None
        True
    """
    if branch is None:
        return None
    name = getattr(branch, "name", branch)
    if not isinstance(name, str):
        raise InvalidArgument(f"branch= takes a branch name or an ln.Branch, got {branch!r}")
    branches.head_of(branches.check_name(name))  # DoesNotExist names the branches there are
    return None if name == branches.current() else name


def target_snapshot(repo: Repository, target: str | None) -> Snapshot:
    """What the run's branch holds now: the current head, or ``target``'s head.

    Example:
        >>> target_snapshot(repo, "analysis").commit  # doctest: +SKIP
        'e464f6bd…'
    """
    return repo.snapshot() if target is None else repo.snapshot(branches.head_of(target))


def watch_paths(watch: Any) -> list[Path]:
    """``watch=`` as paths: a list of paths, or one path; anything else is refused.

    Example:
        >>> watch_paths(["data"])
        [PosixPath('data')]
    """
    if watch is None:
        return []
    if isinstance(watch, str | os.PathLike):
        return [Path(watch)]
    if not isinstance(watch, Iterable) or isinstance(watch, bytes | dict):
        raise InvalidArgument(f"watch= takes a list of file or directory paths, got {watch!r}")
    paths = list(watch)
    for path in paths:
        if not isinstance(path, str | os.PathLike):
            raise InvalidArgument(f"watch= takes file or directory paths, got {path!r}")
    return [Path(p) for p in paths]


def check_options(params: Any, features: Any, capture_output: Any) -> None:
    """Refuse a ``params``/``features`` that is not a dict, a non-bool ``capture_output``.

    Example:
        >>> check_options({"lr": 0.1}, None, True)
    """
    if params is not None and not isinstance(params, dict):
        raise InvalidArgument(f"params= takes a dict of parameters, got {params!r}")
    if features is not None and not isinstance(features, dict):
        raise InvalidArgument(f"features= takes a dict of feature name → value, got {features!r}")
    if not isinstance(capture_output, bool):
        raise InvalidArgument(f"capture_output= takes True or False, got {capture_output!r}")


def check_features(snapshot: Snapshot, features: dict[str, Any] | None) -> None:
    """Validate the run's feature values against ``snapshot`` (raises, writes nothing).

    Example:
        >>> check_features(snapshot, {"cohort": "A"})  # doctest: +SKIP
    """
    if features:
        validate_values(ChangeSet(snapshot), features)


def project_uids(snapshot: Snapshot, project: Any) -> list[str]:
    """The uids of ``project`` (a name, an ``ln.Project`` or a list of them) on ``snapshot``.

    Example:
        >>> project_uids(snapshot, "My project")  # doctest: +SKIP
        ['h1aB…']
    """
    if project is None:
        return []
    items = project if isinstance(project, list | tuple | set) else [project]
    uids: list[str] = []
    for item in items:
        if isinstance(item, str):
            found = snapshot.lookup("project.name", item)
            if not found:
                raise InvalidArgument(
                    f"no project named {item!r}; create it with "
                    f"ln.Project(name={item!r}).save() or check the spelling"
                )
            uids.append(found[0])
        elif getattr(item, "uid", None):
            if not getattr(item, "_saved", True):
                raise InvalidArgument("save the project first: ln.Project(name=…).save()")
            uids.append(str(item.uid))
        else:
            raise InvalidArgument(f"project= takes a project name or ln.Project, got {item!r}")
    return sorted(set(uids))


def transform_here(changes: ChangeSet, transform: Transform) -> tuple[TransformRecord, bool]:
    """The record of ``transform`` on the branch being written, and whether it is new there.

    An unsaved transform is saved; a saved one that exists only on another branch (saved
    there, or on this one's side of a branch point it is not past) is written here as it is,
    the same uid, and its family's latest version re-elected, so a later merge meets two
    equal records.

    Example:
        >>> record, created = transform_here(changes, transform)  # doctest: +SKIP
    """
    if not transform._saved:
        transform._stage(changes)
        record = changes.get("transform", transform.uid)
        assert isinstance(record, TransformRecord)
        return record, True
    record = changes.get("transform", transform.uid)
    if isinstance(record, TransformRecord):
        return record, False
    record = transform._record
    changes.put(record, f"bring transform {record.uid} ({record.key}) from another branch")
    elect_latest(changes, "transform", record.uid[: Transform._stem_length])
    found = changes.get("transform", record.uid)
    assert isinstance(found, TransformRecord)
    return found, True


__all__ = [
    "check_features",
    "check_options",
    "project_uids",
    "target_branch",
    "target_snapshot",
    "transform_here",
    "watch_paths",
]
