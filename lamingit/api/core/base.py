"""Registry: the LaminDB-style base class wrapping one frozen record struct."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import msgspec

from lamingit._util import is_base62, utcnow_iso
from lamingit.api.core import catalog
from lamingit.api.core.can_curate import CanCurate
from lamingit.api.core.commit import commit
from lamingit.api.core.field_check import check_fields
from lamingit.api.core.messages import moved_to_trash
from lamingit.api.core.queryset import QuerySet, build_q, normalize_value
from lamingit.api.core.view import LIVE, View
from lamingit.errors import (
    DoesNotExist,
    FieldError,
    InvalidArgument,
    MultipleResultsFound,
    translate_disk_errors,
)
from lamingit.models import BaseRecord, FeatureRecord
from lamingit.query import Q
from lamingit.query.validate import did_you_mean
from lamingit.records import ChangeSet, replace

if TYPE_CHECKING:
    import pandas as pd

    from lamingit.api.core.features import FeatureManager
    from lamingit.api.core.relations import Link
    from lamingit.api.registries.user import User

R = TypeVar("R", bound="Registry")


class Registry(CanCurate):
    """Common behaviour of Artifact, Run, Transform, Feature, Project, User and Record.

    An instance wraps an immutable record struct; changing a field makes a new struct, and
    ``save()`` writes it as one git commit.
    """

    _registry: ClassVar[str] = ""
    _struct: ClassVar[type[BaseRecord]]
    _view: ClassVar[View] = LIVE
    _uid_length: ClassVar[int] = 16
    _stem_length: ClassVar[int] = 0
    _links: ClassVar[dict[str, Link]] = {}
    """Many-to-many accessor → its relation (``related(self, accessor)`` manages it)."""

    DoesNotExist: ClassVar[type[DoesNotExist]] = DoesNotExist
    """Raised by ``get()``/``one()`` of this registry (``except ln.Artifact.DoesNotExist``)."""
    MultipleObjectsReturned: ClassVar[type[MultipleResultsFound]] = MultipleResultsFound
    """Raised by ``get()``/``one()`` of this registry when more than one record matches."""

    _record: BaseRecord
    _base: BaseRecord | None  # the record as last read or saved: what a save merges against
    _saved: bool
    _obj_view: View

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Only a class that names its registry enters the catalog; ln.at() subclasses that
        # bind a view (and user subclasses) inherit the name and stay out.
        if "_registry" not in cls.__dict__:
            return  # ln.at() subclasses inherit the exceptions too: one `except` serves both
        catalog.register(cls)
        # the struct declares the uid stem (models/structs.py, which remote/history also reads)
        cls._stem_length = cls._struct.stem_length
        check_fields(cls)  # cls(bogus=1) → FieldValidationError, as in LaminDB
        # Django gives each model its own exceptions; `except ln.Project.DoesNotExist` must
        # not catch a missing Artifact, while `except ln.errors.DoesNotExist` catches both.
        for name, base in (
            ("DoesNotExist", DoesNotExist),
            ("MultipleObjectsReturned", MultipleResultsFound),
        ):
            exc = type(name, (base,), {"__module__": cls.__module__})
            exc.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, exc)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def _from_record(cls: type[R], record: BaseRecord, view: View | None = None) -> R:
        obj = cls.__new__(cls)
        # object.__setattr__: skips Registry.__setattr__ (this runs once per query result row)
        object.__setattr__(obj, "_record", record)
        object.__setattr__(obj, "_base", record)
        object.__setattr__(obj, "_saved", True)
        object.__setattr__(obj, "_obj_view", view or cls._view)
        obj._post_load()
        return obj

    def _post_load(self) -> None:
        """Hook for subclasses that keep extra per-object state."""

    def _init_record(self, record: BaseRecord) -> None:
        self._record = record
        self._base = None
        self._saved = False
        self._obj_view = type(self)._view

    @classmethod
    def _field_names(cls) -> frozenset[str]:
        # __struct_fields__, not msgspec.structs.fields(): that re-evaluates the annotations
        # (~0.4 ms a call), and to_dataframe() asks once per row.
        return frozenset(cls._struct.__struct_fields__)

    @classmethod
    def _columns(cls) -> list[str]:
        names = [n for n in cls._struct.__struct_fields__ if n not in ("features", "uid")]
        return ["uid", *names]

    # -- field access ---------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        record = self.__dict__.get("_record")
        if record is not None and name in record.__struct_fields__ and not name.startswith("_"):
            return getattr(record, name)
        if name == "pk" and record is not None:  # Django's name for the primary key: the id
            return record.id
        hint = "" if name.startswith("_") else did_you_mean(name, _public_names(self))
        raise AttributeError(
            f"{type(self).__name__} has no attribute {name!r}{hint and ';' + hint}"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name not in type(self)._settable():
            object.__setattr__(self, name, value)
            return
        self._record = replace(self._record, **{name: normalize_value(value)})

    @classmethod
    def _settable(cls) -> frozenset[str]:
        return cls._field_names() - {"uid", "id", "created_at", "created_by", "updated_at", "hash"}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Registry)
            and type(other) is type(self)
            and other._record.uid == self._record.uid
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._record.uid))

    def __repr__(self) -> str:
        shown = []
        for name in self._repr_fields():
            value = getattr(self._record, name, None)
            if value is None or value == "" or value == [] or value == {}:
                continue
            shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def _repr_fields(self) -> list[str]:
        hidden = ("id", "updated_at", "hash_type", "trashed")
        return [n for n in self._columns() if n not in hidden]

    # -- related objects ------------------------------------------------------------------
    def _related(self, registry: str, uid: str | None) -> Registry | None:
        """The record ``uid`` of ``registry`` (by name, through the catalog), seen by this view."""
        if uid is None:
            return None
        cls = catalog.registry_class(registry)
        record = self._obj_view.snapshot().find(registry, uid)
        return None if record is None else cls._from_record(record, self._obj_view)

    @staticmethod
    def _registry_filter(registry: str, **lookups: Any) -> QuerySet[Any]:
        """``<Registry>.filter(**lookups)`` for a registry named, not imported."""
        return catalog.registry_class(registry).filter(**lookups)

    @property
    def created_by(self) -> User | None:
        """The User who created this record."""
        return cast("User | None", self._related("user", self._record.created_by))

    def to_dict(self) -> dict[str, Any]:
        """The record's fields as plain data, links as uids: what is committed.

        Example:
            >>> ln.Artifact.get(key="sample.fasta").to_dict()["run"]  # doctest: +SKIP
            'bK3x…'
        """
        data: dict[str, Any] = msgspec.to_builtins(self._record)
        return data

    # -- queries --------------------------------------------------------------------------
    @classmethod
    def _build_q(cls, args: tuple[Q, ...], kwargs: dict[str, Any]) -> Q:
        return build_q(cls, args, kwargs)

    @classmethod
    def _known_features(cls) -> frozenset[str]:
        snapshot = cls._view.snapshot()
        return frozenset(
            r.name
            for r in snapshot.iter_records("feature")
            if isinstance(r, FeatureRecord) and not r.trashed
        )

    @classmethod
    def _feature_dtype(cls, name: str) -> str | None:
        """The dtype of feature ``name`` (None when there is no such feature)."""
        snapshot = cls._view.snapshot()
        for uid in snapshot.lookup("feature.name", name):
            record = snapshot.find("feature", uid)
            if record is not None and not getattr(record, "trashed", False):
                return str(getattr(record, "dtype", "")) or None
        return None

    @classmethod
    def filter(cls: type[R], *args: Q, **kwargs: Any) -> QuerySet[R]:
        """Select records by field lookups, relations, features and ``ln.Q`` expressions.

        Example:
            >>> ln.Artifact.filter(suffix=".csv", created_by__handle="testuser1").to_dataframe()  # doctest: +SKIP
        """
        branch = kwargs.pop("branch", None)
        if branch is None:
            view = cls._view
        else:
            from lamingit.api.core.branches import branch_view  # not loaded with ln.Artifact

            view = branch_view(cls._view, branch)
        return QuerySet(cls, cls._build_q(args, kwargs), view=view)

    @classmethod
    def all(cls: type[R]) -> QuerySet[R]:
        """Every record of the registry (not in the trash)."""
        return QuerySet(cls, Q(), view=cls._view)

    @classmethod
    def get(cls: type[R], uid_or_stem: str | int | None = None, **fields: Any) -> R:
        """Exactly one record by uid, uid stem (latest version of the family), integer id or fields.

        ``is_run_input=`` is accepted by every registry (LaminDB's ``get``); it links an
        Artifact or a Collection as an input of the active run (or of a Run passed as value).

        Example:
            >>> ln.Artifact.get(key="sample.fasta")  # doctest: +SKIP
        """
        is_run_input = fields.pop("is_run_input", False)
        return cls._mark_input(cls._get(uid_or_stem, **fields), is_run_input)

    @classmethod
    def _mark_input(cls: type[R], found: R, is_run_input: Any) -> R:
        """Link ``found`` as a run input (Artifact, Collection); other registries ignore it."""
        return found

    @classmethod
    def _get(cls: type[R], uid_or_stem: str | int | None = None, **fields: Any) -> R:
        if isinstance(uid_or_stem, int) and not isinstance(uid_or_stem, bool):
            return cls.filter(id=uid_or_stem, **fields).one()  # LaminDB: an int is the id
        if uid_or_stem is not None and not isinstance(uid_or_stem, str):
            raise InvalidArgument(
                f"{cls.__name__}.get() takes a uid (str) or an id (int), got {uid_or_stem!r}"
            )
        if uid_or_stem is not None:
            found = cls._get_by_uid(uid_or_stem)
            if found is None:
                raise cls.DoesNotExist(
                    f"no {cls.__name__} with uid {uid_or_stem!r}; "
                    f"list them with `ln.{cls.__name__}.filter().to_dataframe()`"
                )
            if fields:
                found = cls.filter(uid=found.uid, **fields).one()
            return found
        if not fields:
            raise InvalidArgument(f"{cls.__name__}.get() needs a uid or field lookups, e.g. key=…")
        fast = cls._get_fast(fields)
        if fast is not None:
            return fast
        qs = cls.filter(**fields)
        items = qs.to_list()
        if not items:
            raise cls.DoesNotExist(f"no {cls.__name__} matches {fields!r}")
        if len(items) > 1:
            raise cls.MultipleObjectsReturned(
                f"{len(items)} {cls.__name__} records match {fields!r}; add conditions or use filter()"
            )
        return items[0]

    @classmethod
    def _get_fast(cls: type[R], fields: dict[str, Any]) -> R | None:
        """Answer a get() from a lookup entry when one exists for the field (subclasses)."""
        return None

    @classmethod
    def _get_by_uid(cls: type[R], uid: str) -> R | None:
        if not is_base62(uid) or len(uid) < 2:
            return None
        snapshot = cls._view.snapshot()
        record = snapshot.find(cls._registry, uid)
        if record is not None:
            return cls._from_record(record, cls._view)
        if cls._stem_length and len(uid) == cls._stem_length:
            family = [
                snapshot.find(cls._registry, u)
                for u in snapshot.uids_with_prefix(cls._registry, uid)
            ]
            alive = [r for r in family if r is not None and not getattr(r, "trashed", False)]
            latest = [r for r in alive if getattr(r, "is_latest", False)] or alive[-1:]
            if latest:
                return cls._from_record(latest[0], cls._view)
        return None

    @classmethod
    def _from_lookup(cls: type[R], name: str, value: str) -> R | None:
        snapshot = cls._view.snapshot()
        for uid in snapshot.lookup(name, value):
            record = snapshot.find(cls._registry, uid)
            if record is not None:
                return cls._from_record(record, cls._view)
        return None

    @classmethod
    def search(cls: type[R], text: str) -> QuerySet[R]:
        """Case-insensitive text search over names, keys and descriptions, ranked.

        Example:
            >>> ln.Record.search("p53").to_dataframe()  # doctest: +SKIP
        """
        return cls.all().search(text)

    @classmethod
    def to_dataframe(
        cls, include: str | list[str] | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """``filter().to_dataframe()``: every record as a pandas DataFrame."""
        return cls.all().to_dataframe(include=include, limit=limit)

    df = to_dataframe

    @classmethod
    def lookup(cls, field: str | None = None) -> Lookup:
        """An object with one attribute per record, named by its name / handle / key.

        Names are turned into identifiers (``"P53 mutant-1"`` → ``p53_mutant_1``); item access
        takes the raw name (``lookup["P53 mutant-1"]``).

        Example:
            >>> ln.User.lookup().testuser1  # doctest: +SKIP
        """
        fields = cls._field_names()
        if field is None:
            preferred = ("handle", "name", "key", "description")
            field = next((f for f in preferred if f in fields), "uid")
        elif field not in fields:
            raise FieldError(
                f"{cls.__name__}.lookup(field={field!r}): not a field;{did_you_mean(field, fields)} "
                f"fields: {', '.join(sorted(fields))}"
            )
        return Lookup(cls.__name__, field, {getattr(o._record, field, None): o for o in cls.all()})

    def describe(self, return_str: bool = False) -> str | None:
        """Print (or return) a tree of this record's fields, links and features.

        Example:
            >>> ln.Run.get(uid).describe()  # doctest: +SKIP
        """
        from lamingit.api.present.describe import describe_record  # not with ln.Artifact

        text = describe_record(self)
        if return_str:
            return text
        print(text)
        return None

    # -- writing --------------------------------------------------------------------------
    def save(self: R) -> R:
        """Write this record as one git commit; returns self.

        Example:
            >>> ln.Project(name="Cancer Drug Screen 2025").save()  # doctest: +SKIP
        """
        save([self])
        return self

    def _stage(self, changes: ChangeSet) -> None:
        """Put this object's record(s) into ``changes`` (called under the write lock)."""
        record = self._stamped(
            self._rebased(changes.get(self._registry, self._record.uid)), changes
        )
        verb = "update" if changes.get(self._registry, record.uid) is not None else "create"
        changes.put(record, f"{verb} {self._registry} {record.uid}{self._label()}")
        self._record = record

    def _label(self) -> str:
        for name in ("key", "name", "handle", "description"):
            value = getattr(self._record, name, None)
            if value:
                return f" ({value})"
        return ""

    def _stamped(self, record: BaseRecord, changes: ChangeSet) -> BaseRecord:
        now = utcnow_iso()
        return replace(record, updated_at=now)

    def _after_save(self) -> None:
        self._saved = True
        self._base = self._record

    def _rebased(self, current: BaseRecord | None) -> BaseRecord:
        """This object's record merged onto ``current``, the record at the branch head.

        Fields changed on this object since it was read win; fields changed elsewhere meanwhile
        (a link added through another object, a newer version taking ``is_latest``) are kept,
        so saving a stale object never undoes other saves. Set fields merge as sets.
        """
        base: BaseRecord | None = self.__dict__.get("_base")
        if base is None or current is None or current == base or current == self._record:
            return self._record
        from lamingit.merge import merge_record

        merged, _conflicts = merge_record(base, self._record, current)  # ours wins a conflict
        return merged

    # -- deleting -------------------------------------------------------------------------
    def delete(self, permanent: bool = False) -> None:
        """Move to the trash (hidden from ``filter()``; ``restore()`` undoes it), or remove the
        record for good with ``permanent=True``. One commit.

        Example:
            >>> ln.Record.get(name="P53mutant1").delete()  # doctest: +SKIP
            → moved record to trash: Record(name='P53mutant1', …)
        """
        self._set_trashed(True, permanent)
        if not permanent:
            moved_to_trash(f"record to trash: {self!r}")

    def restore(self) -> None:
        """Bring a record back from the trash. One commit.

        Example:
            >>> ln.Record.filter(trashed=True).first().restore()  # doctest: +SKIP
        """
        self._set_trashed(False, False)

    def _set_trashed(self, trashed: bool, permanent: bool) -> None:
        name, registry, uid = type(self).__name__, self._registry, self._record.uid
        if not self._saved:
            raise InvalidArgument(f"this {name} was never saved; there is nothing to delete")
        if "trashed" not in self._field_names():
            raise InvalidArgument(
                f"{name} records cannot be deleted: other records name them as their creator"
            )

        def build(changes: ChangeSet) -> None:
            current = changes.get(registry, uid)
            if current is None:
                return
            if permanent:
                changes.remove(registry, uid, f"delete {registry} {uid}{self._label()} permanently")
            elif getattr(current, "trashed", None) != trashed:
                verb = "move {} {}{} to the trash" if trashed else "restore {} {}{}"
                changes.put(
                    replace(current, trashed=trashed, updated_at=utcnow_iso()),
                    verb.format(registry, uid, self._label()),
                )

        repo = commit(build, self._obj_view, "delete" if trashed else "restore")
        record = repo.snapshot().find(registry, uid)
        if record is not None:
            self._record = record


@translate_disk_errors
def save(objects: Iterable[Registry] | Registry, batch_size: int | None = None) -> list[Registry]:
    """Save many records in one commit (``ln.save([a, b, c])``).

    Blobs are written first; the records follow in a single commit. With ``batch_size`` the
    records are saved ``batch_size`` at a time, one commit per batch (LaminDB's bulk insert).

    Example:
        >>> ln.save([ln.Record(name=f"sample{i}", type=sample_type) for i in range(3)])  # doctest: +SKIP
    """
    items = [objects] if isinstance(objects, Registry) else list(objects)
    if not items:
        return []
    if batch_size is not None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise InvalidArgument(f"batch_size must be a positive integer, got {batch_size!r}")
        for start in range(0, len(items), batch_size):
            save(items[start : start + batch_size])
        return items
    view = items[0]._obj_view
    repo = view.writable_repository("save")
    for obj in items:
        prepare = getattr(obj, "_prepare", None)
        if prepare is not None:
            prepare(repo)

    def build(changes: ChangeSet) -> None:
        for obj in items:
            obj._stage(changes)

    commit(build, view, "save")
    for obj in items:
        obj._after_save()
    return items


def _public_names(obj: Registry) -> list[str]:
    """Attribute names worth suggesting for a typo: the class's public API and record fields."""
    record = obj.__dict__.get("_record")
    fields = record.__struct_fields__ if record is not None else ()
    return [n for n in (*dir(type(obj)), *fields) if not n.startswith("_")]


def identifier(text: str) -> str:
    """A Python identifier for ``text`` (for ``lookup()`` attributes).

    Example:
        >>> identifier("P53 mutant-1"), identifier("1st")
        ('p53_mutant_1', '_1st')
    """
    ident = re.sub(r"\W+", "_", text.strip().lower()).strip("_") or "_"
    if ident[0].isdigit() or keyword.iskeyword(ident):
        ident = "_" + ident
    return ident


class HasFeatures(Registry):
    """A registry whose records carry feature values: Artifact, Collection, Record, Run, Transform.

    (``Schema.features`` is another thing: its member features, as in LaminDB.)
    """

    @property
    def features(self) -> FeatureManager:
        """Feature values of this record: ``add_values``, ``get_values``, ``features["x"]``.

        Example:
            >>> ln.Artifact.get(key="a.csv").features.get_values()  # doctest: +SKIP
        """
        from lamingit.api.core.features import FeatureManager  # not loaded with ln.Artifact

        return FeatureManager(self)


class Lookup:
    """Records by sanitized name as attributes, by raw name as items (``ln.User.lookup()``).

    Example:
        >>> users = ln.User.lookup()  # doctest: +SKIP
        >>> users.testuser1.handle  # doctest: +SKIP
        'testuser1'
    """

    def __init__(self, registry: str, field: str, items: dict[Any, Any]) -> None:
        self._registry = registry
        self._field = field
        self._items = {str(k): v for k, v in items.items() if k is not None}
        self._attrs: dict[str, Any] = {}
        for name in sorted(self._items):
            self._attrs.setdefault(identifier(name), self._items[name])

    def __getattr__(self, name: str) -> Any:
        attrs = self.__dict__.get("_attrs", {})
        if name in attrs:
            return attrs[name]
        raise AttributeError(
            f"no {self.__dict__.get('_registry')} with {self.__dict__.get('_field')} "
            f"matching {name!r}; "
            f"known: {', '.join(sorted(attrs)) or 'none'}"
        )

    def __getitem__(self, name: str) -> Any:
        if name in self._items:
            return self._items[name]
        return self._attrs[identifier(name)]

    def __dir__(self) -> list[str]:
        return sorted(self._attrs)

    def __iter__(self) -> Any:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def dict(self) -> dict[str, Any]:
        """Raw name → record."""
        return dict(self._items)

    def __repr__(self) -> str:
        return f"<Lookup of {self._registry} by {self._field}: {', '.join(sorted(self._attrs))}>"
