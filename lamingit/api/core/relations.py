"""Relation accessors (``artifact.projects``, ``project.artifacts``, ``run.output_artifacts``):
LaminDB's ``RelatedManager`` over the uid lists and uid fields that records keep, one commit
per change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from lamingit._util import is_base62, utcnow_iso
from lamingit.api.core import catalog
from lamingit.api.core.catalog import registry_class
from lamingit.api.core.commit import commit
from lamingit.api.core.links import creates_cycle, link_parents
from lamingit.api.core.queryset import QuerySet
from lamingit.errors import DoesNotExist, InvalidArgument
from lamingit.models import BaseRecord, RunRecord
from lamingit.query import Q
from lamingit.records import ChangeSet, replace
from lamingit.router import select

if TYPE_CHECKING:
    from lamingit.api.core.base import Registry

R = TypeVar("R", bound="Registry")

Hook = Callable[[ChangeSet, BaseRecord, list[str]], None]
"""Called in the transaction after uids were added to a holder record's list."""


@dataclass(frozen=True)
class Link:
    """One many-to-many relation, seen from one side.

    The uids live in ``holder``'s list ``field`` and point at records of ``pointee``. The
    forward side (``artifact.projects``) yields pointees; the reverse side (``project.artifacts``)
    yields the holders whose list names the owner.
    """

    holder: str
    field: str
    pointee: str
    reverse: bool = False
    no_self: bool = False
    on_link: Hook | None = None
    fixed: str = ""
    """Non-empty for an ordered list that is part of a record's identity (a collection's
    members, a schema's features): the links are read-only and this says what to do instead."""
    single: bool = False
    """The holder's ``field`` holds one uid, not a list: a reverse one-to-many side
    (``run.output_artifacts`` over ``artifact.run``)."""
    companions: Callable[[ChangeSet, str | None], dict[str, Any]] | None = None
    """For a ``single`` link: the holder's other fields that follow the link (the artifact's
    ``transform`` follows its ``run``), given the uid it now points at (None: unlinked)."""
    also: tuple[str, ...] = ()
    """The field names ``companions`` writes."""

    @property
    def target(self) -> str:
        """The registry of the records this side yields."""
        return self.holder if self.reverse else self.pointee


def link_inputs(changes: ChangeSet, run: BaseRecord, added: list[str]) -> None:
    """Run inputs: refuse a link that closes a lineage cycle; link the transforms' parents."""
    if not isinstance(run, RunRecord):
        return
    for uid in added:
        if creates_cycle(changes, run.uid, uid):
            raise InvalidArgument(
                f"artifact {uid} descends from run {run.uid}; linking it as an input of that run "
                "would make the lineage a cycle"
            )
    link_parents(changes, run.transform, added)


COLLECTION_MEMBERS = "collection.append(artifact) saves a new version with it"
"""Why a collection's member list is read-only (``Link.fixed``): the members are its identity."""
SCHEMA_MEMBERS = "a schema's features define it: save a new ln.Schema(features=[...])"
"""Why a schema's feature list is read-only (``Link.fixed``)."""
RUN_TRANSFORM = "a run's transform is what it ran: create ln.Run(transform=…) instead"
"""Why ``transform.runs`` is read-only."""
VALIDATED = "an artifact's schema is the one it was validated against: Artifact.from_dataframe(df, schema=…)"
"""Why ``schema.validated_artifacts`` is read-only."""
TYPED = "set the type on the record itself: record.type = a_type; record.save()"
"""Why the members of a type (``type.records``, ``type.ulabels``) are read-only here."""
CREATOR = "a record's creator is the user who saved it"
"""Why ``user.created_artifacts`` and its kin are read-only."""


def forward(holder: str, field: str, pointee: str, **extra: Any) -> Link:
    """The side of a relation whose records keep the uid list (``artifact.projects``).

    Example:
        >>> forward("artifact", "projects", "project").target
        'project'
    """
    return Link(holder, field, pointee, **extra)


def reverse(holder: str, field: str, pointee: str, **extra: Any) -> Link:
    """The other side: the holders whose list names the owner (``project.artifacts``).

    Example:
        >>> reverse("artifact", "projects", "project").target
        'artifact'
    """
    return Link(holder, field, pointee, reverse=True, **extra)


def reverse_one(holder: str, field: str, pointee: str, **extra: Any) -> Link:
    """A reverse one-to-many side: the holders whose uid field names the owner
    (``run.output_artifacts`` over ``artifact.run``); ``.add(a)`` sets ``a.run``.

    Example:
        >>> reverse_one("artifact", "run", "run").single
        True
    """
    return Link(holder, field, pointee, reverse=True, single=True, **extra)


def follow_run(changes: ChangeSet, run_uid: str | None) -> dict[str, Any]:
    """An output's ``transform`` follows its ``run`` (None when it leaves the run).

    Example:
        >>> follow_run(changes, run.uid)  # doctest: +SKIP
        {'transform': 'Xb2…'}
    """
    run = changes.get("run", run_uid) if run_uid is not None else None
    return {"transform": run.transform if isinstance(run, RunRecord) else None}


def link_output(changes: ChangeSet, artifact: BaseRecord, runs: list[str]) -> None:
    """Refuse making an artifact the output of a run that read it, or of one downstream of it."""
    for run_uid in runs:
        run = changes.get("run", run_uid)
        if not isinstance(run, RunRecord):
            continue
        for uid in run.inputs:
            if uid == artifact.uid or creates_cycle(changes, run_uid, uid):
                raise InvalidArgument(
                    f"artifact {artifact.uid} is (or leads to) an input of run {run_uid}; making "
                    "it that run's output would make the lineage a cycle"
                )


def all_links() -> dict[tuple[str, str], Link]:
    """(owner registry, accessor) → relation, for every registry class in the catalog.

    Each registry declares its accessors in its own ``_links``.

    Example:
        >>> all_links()[("project", "artifacts")].holder
        'artifact'
    """
    return {
        (cls._registry, accessor): link
        for cls in catalog.classes().values()
        for accessor, link in cls._links.items()
    }


def related(owner: Registry, accessor: str) -> RelatedManager[Any]:
    """The manager of ``owner``'s many-to-many ``accessor`` (``related(artifact, "projects")``).

    Example:
        >>> related(artifact, "projects").add(project)  # doctest: +SKIP
    """
    link = type(owner)._links[accessor]
    return RelatedManager(owner, accessor, link, registry_class(link.target))


class RelatedManager(QuerySet[R]):
    """The records linked to one object through a many-to-many accessor.

    A QuerySet (``.all()``, ``.filter()``, ``.first()``, iteration, ``len``, ``.to_dataframe()``)
    that can also change the links: ``.add()``, ``.remove()``, ``.set()``, ``.clear()``, each one
    commit, like a save. Only saved objects can be linked, as in LaminDB.

    Example:
        >>> artifact.projects.add(project)  # doctest: +SKIP
        >>> artifact.projects.all().to_list()  # doctest: +SKIP
        [Project(name='Cancer Drug Screen 2025', …)]
    """

    def __init__(self, owner: Registry, accessor: str, link: Link, model: type[R]) -> None:
        super().__init__(model, _query(owner, link), view=owner._obj_view)
        self._owner = owner
        self._accessor = accessor
        self._link = link

    def __repr__(self) -> str:
        return (
            f"<RelatedManager {type(self._owner).__name__}.{self._accessor}: {super().__repr__()}>"
        )

    # -- changing links -------------------------------------------------------------------
    def add(self, *objs: Registry | str | Iterable[Registry | str]) -> None:
        """Link ``objs`` (records or uids; lists and QuerySets are flattened); one commit.

        Example:
            >>> artifact.projects.add(project1, project2)  # doctest: +SKIP
        """
        self._change(*_checked(self, objs), "add")

    def remove(self, *objs: Registry | str | Iterable[Registry | str]) -> None:
        """Unlink ``objs``; the records themselves stay. One commit.

        Example:
            >>> artifact.projects.remove(project)  # doctest: +SKIP
        """
        self._change(*_checked(self, objs), "remove")

    def set(self, objs: Iterable[Registry | str]) -> None:
        """Link exactly ``objs``: add the missing, remove the others. One commit.

        Example:
            >>> artifact.projects.set([project1, project2])  # doctest: +SKIP
        """
        if isinstance(objs, str) or not isinstance(objs, Iterable):
            raise InvalidArgument(
                f"{self._accessor}.set() takes a list of records, got {objs!r}; "
                f"e.g. .set([a, b]) (or .add(a) to link one)"
            )
        self._change(*_checked(self, (objs,)), "set")

    def clear(self) -> None:
        """Remove every link of this accessor; the records themselves stay. One commit.

        Example:
            >>> artifact.projects.clear()  # doctest: +SKIP
        """
        self._change([], [], "set")

    def _change(self, uids: list[str], given: list[Registry], mode: str) -> None:
        owner, link = self._owner, self._link
        if not owner._saved:
            raise InvalidArgument(
                f"save the {type(owner).__name__} before changing its {self._accessor}: "
                f"{type(owner).__name__.lower()}.save()"
            )
        if link.fixed:
            raise InvalidArgument(f"{self._accessor} cannot be changed in place; {link.fixed}")
        if link.no_self and owner._record.uid in uids:
            raise InvalidArgument(
                f"a {type(owner).__name__} cannot be its own parent or child ({self._accessor})"
            )
        owner_registry = type(owner)._registry
        verb = {"add": "link", "remove": "unlink", "set": "set"}[mode]

        def build(changes: ChangeSet) -> None:
            if changes.get(owner_registry, owner._record.uid) is None:
                raise DoesNotExist(
                    f"{type(owner).__name__} {owner._record.uid} no longer exists; "
                    "it was deleted permanently"
                )
            for uid in uids:
                if changes.get(link.target, uid) is None:
                    raise DoesNotExist(
                        f"no {link.target.capitalize()} with uid {uid!r} to link as "
                        f"{self._accessor}; save it first"
                    )
            note = f"{verb} {self._accessor} of {owner_registry} {owner._record.uid}"
            if link.single or link.reverse:
                # the links live on the holders: change each holder named (and, for set(),
                # each holder that links here now)
                holders = set(uids)
                if mode == "set":
                    q = Q(**{link.field: owner._record.uid})
                    holders |= {r.uid for r in select(changes.snapshot, link.holder, q)}
                for holder in sorted(holders):
                    wanted = mode != "remove" and holder in uids
                    if link.single:
                        _put_one(changes, link, holder, owner._record.uid, wanted, note)
                    else:
                        _put_list(changes, link, holder, {owner._record.uid}, wanted, mode, note)
            else:
                _put_list(changes, link, owner._record.uid, set(uids), True, mode, note)

        repo = commit(build, owner._obj_view, f"change {self._accessor}")
        # Refresh only the link list in memory: other fields may hold edits not saved yet,
        # which a later save() must still write (and it must not write a stale list).
        holders = given if link.reverse else [owner]
        snapshot = repo.snapshot()
        for obj in holders:
            record = snapshot.find(link.holder, obj._record.uid)
            if record is not None:
                fresh = {n: getattr(record, n) for n in (link.field, *link.also)}
                obj._record = replace(obj._record, **fresh)
                if obj._base is not None:
                    obj._base = replace(obj._base, **fresh)
        self.q = _query(owner, link)
        self._cache = None


def _put_list(
    changes: ChangeSet,
    link: Link,
    holder_uid: str,
    uids: set[str],
    wanted: bool,
    mode: str,
    note: str,
) -> None:
    """Change one holder record's uid list (add, remove or set ``uids``) and put it."""
    record = changes.get(link.holder, holder_uid)
    if record is None:
        return
    current = set(getattr(record, link.field))
    if mode == "add" or (mode == "set" and link.reverse and wanted):
        new = current | uids
    elif mode == "remove" or (mode == "set" and link.reverse):
        new = current - uids
    else:
        new = set(uids)
    if new == current:
        return
    updated = replace(record, **{link.field: sorted(new), "updated_at": utcnow_iso()})
    changes.put(updated, f"{note}: {holder_uid}" if link.reverse else note)
    added = sorted(new - current)
    if added and link.on_link is not None:
        link.on_link(changes, updated, added)


def _put_one(
    changes: ChangeSet, link: Link, holder_uid: str, owner_uid: str, wanted: bool, note: str
) -> None:
    """Point one holder's uid field at the owner (``wanted``) or away from it (None)."""
    record = changes.get(link.holder, holder_uid)
    if record is None:
        return
    current = getattr(record, link.field)
    new = owner_uid if wanted else (None if current == owner_uid else current)
    if new == current:
        return
    fields: dict[str, Any] = {link.field: new, "updated_at": utcnow_iso()}
    if link.companions is not None:
        fields.update(link.companions(changes, new))
    updated = replace(record, **fields)
    changes.put(updated, f"{note}: {holder_uid}")
    if wanted and link.on_link is not None:
        link.on_link(changes, updated, [owner_uid])


def _query(owner: Registry, link: Link) -> Q:
    """Which records this side yields: by the owner's list, or by lists naming the owner."""
    if link.reverse:
        return Q(**{link.field: owner._record.uid})
    return Q(uid__in=list(getattr(owner._record, link.field)))


def _checked(manager: RelatedManager[Any], objs: tuple[Any, ...]) -> tuple[list[str], list[Any]]:
    """The uids of ``objs`` (records, uids, or lists of them) and the records among them."""
    from lamingit.api.core.base import Registry

    model = manager.model
    flat: list[Any] = []
    for obj in objs:
        if isinstance(obj, Registry | str):
            flat.append(obj)
        elif isinstance(obj, Iterable) and not isinstance(obj, bytes):
            flat.extend(obj)
        else:
            flat.append(obj)
    uids: list[str] = []
    given: list[Any] = []
    for obj in flat:
        if isinstance(obj, str):
            if not is_base62(obj):
                raise InvalidArgument(
                    f"{manager._accessor}: {obj!r} is not a uid; pass records or their uids"
                )
            uids.append(obj)
            continue
        if not isinstance(obj, model):
            raise InvalidArgument(
                f"{manager._accessor} links {model.__name__} records, got {obj!r}; "
                f"e.g. .add(ln.{model.__name__}.get(…))"
            )
        if not obj._saved:
            raise InvalidArgument(
                f"save the {model.__name__} before linking it: {model.__name__.lower()}.save()"
            )
        uids.append(obj._record.uid)
        given.append(obj)
    return sorted(set(uids)), given


__all__ = [
    "CREATOR",
    "RUN_TRANSFORM",
    "TYPED",
    "VALIDATED",
    "Link",
    "RelatedManager",
    "all_links",
    "follow_run",
    "forward",
    "link_inputs",
    "link_output",
    "related",
    "reverse",
    "reverse_one",
]
