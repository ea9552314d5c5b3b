"""QuerySet: a lazy, chainable selection of records of one registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from lamingit.api.core import can_curate
from lamingit.errors import FieldError, InvalidArgument
from lamingit.models import STRUCTS, BaseRecord
from lamingit.query import Condition, Q, resolve_path
from lamingit.query.validate import (
    check_condition,
    check_feature_value,
    did_you_mean,
    unknown_field,
    unsupported_lookup,
)
from lamingit.router import count

if TYPE_CHECKING:
    import pandas as pd

    from lamingit.api.core.base import Registry
    from lamingit.api.core.view import View

R = TypeVar("R", bound="Registry")


def normalize_value(value: Any) -> Any:
    """Turn API objects into what records store: objects → uids, dates → ISO strings.

    Example:
        >>> normalize_value(date(2025, 10, 31))
        '2025-10-31'
    """
    # A registry object (duck-typed: Registry sits above this module) is stored as its uid.
    record = getattr(value, "_record", None)
    if isinstance(record, BaseRecord):
        return record.uid
    if isinstance(value, QuerySet):
        return [obj.uid for obj in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [normalize_value(v) for v in value]
    return value


_CREATION_ORDER = attrgetter("created_at", "uid")
"""The default order of query results: oldest first, uid breaking ties."""


class QuerySet(Generic[R]):
    """Lazy results of ``Registry.filter``; evaluated on first use, then cached.

    Example:
        >>> ln.Artifact.filter(suffix=".csv").order_by("-created_at").first()  # doctest: +SKIP
    """

    def __init__(
        self,
        model: type[R],
        q: Q | None = None,
        *,
        view: View,
        ordering: tuple[str, ...] = (),
        ranked: str | None = None,
        limit: int | None = None,
    ) -> None:
        self.model = model
        self.q = q or Q()
        self.view = view
        self.ordering = ordering
        self.ranked = ranked
        self.limit = limit
        self._cache: list[R] | None = None

    def _clone(self, **changes: Any) -> QuerySet[R]:
        params: dict[str, Any] = {
            "q": self.q,
            "view": self.view,
            "ordering": self.ordering,
            "ranked": self.ranked,
            "limit": self.limit,
        }
        params.update(changes)
        q = params.pop("q")
        return QuerySet(self.model, q, **params)

    # -- building -------------------------------------------------------------------------
    def filter(self, *args: Q, **kwargs: Any) -> QuerySet[R]:
        """Narrow the selection (conditions are ANDed with the existing ones)."""
        extra = self.model._build_q(args, kwargs)
        return self._clone(q=self.q & extra if self.q.children else extra)

    def all(self) -> QuerySet[R]:
        """The same selection, as a new QuerySet (``run.input_artifacts.all()``, as in LaminDB).

        Example:
            >>> artifact.versions.all().count()  # doctest: +SKIP
        """
        return self._clone()

    def order_by(self, *fields: str) -> QuerySet[R]:
        """Order by fields; prefix ``-`` for descending (``order_by("-created_at")``)."""
        return self._clone(ordering=fields)

    def search(self, text: str) -> QuerySet[R]:
        """Restrict to records matching ``text`` and rank them (exact > word > prefix > substring)."""
        return self._clone(ranked=text)

    # -- evaluating -----------------------------------------------------------------------
    def _effective_q(self) -> Q:
        """The query plus ``trashed=False`` unless the query mentions the trash itself."""
        q = self.q
        mentions_trash = any(c.path[0] in ("trashed", "visibility") for c in q.conditions())
        if "trashed" in self.model._field_names() and not mentions_trash:
            q = Q._make((q, Q(trashed=False)), "AND", False) if q.children else Q(trashed=False)
        return q

    def _evaluate(self) -> list[R]:
        if self._cache is not None:
            return self._cache
        registry = self.model._registry
        self._check_ordering()
        if self.ranked is not None:
            from lamingit import index

            # ranked in the index; only the records returned are decoded
            wanted = index.FrameSpec(order=self.ordering, limit=self.limit, rank=self.ranked)
            records = index.ordered_records(
                self.view.snapshot(), registry, self._effective_q(), wanted
            )
            self._cache = [self.model._from_record(r, self.view) for r in records]
            return self._cache
        records = self.view.select(registry, self._effective_q())
        if self.ordering:
            for spec in reversed(self.ordering):
                records.sort(key=_sort_key(spec.lstrip("-")), reverse=spec.startswith("-"))
        elif self.ranked is None:
            records.sort(key=_CREATION_ORDER)
        if self.limit is not None:
            records = records[: self.limit]
        self._cache = [self.model._from_record(r, self.view) for r in records]
        return self._cache

    def _check_ordering(self) -> None:
        for spec in self.ordering:
            field = spec.lstrip("-")
            if field not in self.model._field_names():
                hint = did_you_mean(field, self.model._field_names())
                raise FieldError(
                    f"cannot order {self.model.__name__} by {field!r};{hint} "
                    f"fields: {', '.join(sorted(self.model._field_names()))}"
                )

    def __iter__(self) -> Iterator[R]:
        return iter(self._evaluate())

    def __len__(self) -> int:
        return len(self._evaluate())

    def __bool__(self) -> bool:
        return bool(self._evaluate())

    def __getitem__(self, index: int) -> R:
        return self._evaluate()[index]

    def __repr__(self) -> str:
        items = self._evaluate()
        return (
            f"<QuerySet [{', '.join(repr(i) for i in items[:5])}{', …' if len(items) > 5 else ''}]>"
        )

    def to_list(self) -> list[R]:
        """All results as a list."""
        return list(self._evaluate())

    def count(self) -> int:
        """Number of results (counted in the index, without loading records)."""
        if self._cache is None and self.ranked is None:
            n = count(self.view.snapshot(), self.model._registry, self._effective_q())
            return n if self.limit is None else min(n, self.limit)
        return len(self._evaluate())

    def exists(self) -> bool:
        """Whether there is at least one result."""
        return self.count() > 0

    def first(self) -> R | None:
        """The first result, or None."""
        if self._cache is None and self.ranked is not None:
            # a search decodes only the records it returns: ask for one
            top = self._clone(limit=1 if self.limit is None else min(1, self.limit))._evaluate()
            return top[0] if top else None
        items = self._evaluate()
        return items[0] if items else None

    def last(self) -> R | None:
        """The last result, or None."""
        items = self._evaluate()
        return items[-1] if items else None

    def one(self) -> R:
        """Exactly one result, else DoesNotExist / MultipleResultsFound."""
        items = self._evaluate()
        if not items:
            raise self.model.DoesNotExist(f"no {self.model.__name__} matches {self._describe_q()}")
        if len(items) > 1:
            raise self.model.MultipleObjectsReturned(
                f"{len(items)} {self.model.__name__} records match {self._describe_q()}; "
                "add conditions or use .first()"
            )
        return items[0]

    def get(self, idlike: str | int | None = None, **expressions: Any) -> R:
        """Exactly one record of this selection, by uid (or uid prefix), integer id or fields.

        As LaminDB's ``QuerySet.get``: ``DoesNotExist`` / ``MultipleResultsFound`` otherwise;
        a uid stem of a versioned registry gives the family's latest version;
        ``is_run_input=`` links an Artifact or Collection as an input of the run (True: the
        active one; None: if ``ln.settings.track_run_inputs``; a saved Run: that run).

        Example:
            >>> ln.Artifact.filter(suffix=".csv").get(key="a.csv", is_run_input=True)  # doctest: +SKIP
        """
        is_run_input = expressions.pop("is_run_input", False)
        qs: QuerySet[R] = self.filter(**expressions) if expressions else self
        if isinstance(idlike, int) and not isinstance(idlike, bool):
            found = qs.filter(id=idlike).one()
        elif isinstance(idlike, str):
            found = qs._by_uid_prefix(idlike)
        elif idlike is None:
            if not expressions:
                raise InvalidArgument(
                    f"get() needs a uid, an id or field lookups, e.g. "
                    f"ln.{self.model.__name__}.filter(...).get(uid='…')"
                )
            found = qs.one()
        else:
            raise InvalidArgument(f"get() takes a uid (str) or an id (int), got {idlike!r}")
        return self.model._mark_input(found, is_run_input)

    def _by_uid_prefix(self, prefix: str) -> R:
        """LaminDB's ``get("uid or stem")``: a stem of a versioned registry gives its latest."""
        qs = self.filter(uid__startswith=prefix)
        stem_length = self.model._stem_length
        if stem_length and len(prefix) <= stem_length:
            latest = qs.filter(is_latest=True).first() or qs.order_by("-created_at").first()
            if latest is None:
                raise self.model.DoesNotExist(
                    f"no {self.model.__name__} with uid {prefix!r} in this selection"
                )
            return latest
        return qs.one()

    def one_or_none(self) -> R | None:
        """The one result, None if there is none, MultipleResultsFound if more."""
        items = self._evaluate()
        if len(items) > 1:
            raise self.model.MultipleObjectsReturned(
                f"{len(items)} {self.model.__name__} records match {self._describe_q()}"
            )
        return items[0] if items else None

    def _describe_q(self) -> str:
        parts = [f"{'__'.join(c.path)}__{c.op}={c.value!r}" for c in self.q.conditions()]
        return ", ".join(parts) or "the query"

    def distinct(self, *fields: str) -> QuerySet[R]:
        """The same results: a lamingit query never repeats a record (Django's ``distinct``).

        Example:
            >>> ln.Artifact.filter(ulabels__name__in=["a", "b"]).distinct().count()  # doctest: +SKIP
        """
        if fields:
            raise InvalidArgument(
                "distinct() takes no fields: results never repeat; for distinct values use "
                "set(qs.to_dataframe()[field])"
            )
        return self._clone()

    # LaminDB's QuerySet curation verbs: the registry's, comparing with these results only
    validate = can_curate.validate
    inspect = can_curate.inspect
    standardize = can_curate.standardize

    def describe(self, return_str: bool = False) -> str | None:
        """Print (or return) the describe() tree of every result, one after the other.

        Example:
            >>> ln.Collection.filter(key__startswith="scrna/").describe()  # doctest: +SKIP
        """
        text = "\n\n".join(str(obj.describe(return_str=True)) for obj in self._evaluate())
        if return_str:
            return text
        print(text)
        return None

    def delete(self, permanent: bool = False) -> None:
        """Delete every result (to the trash unless ``permanent``)."""
        for obj in self._evaluate():
            obj.delete(permanent=permanent)
        self._cache = None

    def to_dataframe(
        self, include: str | list[str] | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """A pandas DataFrame indexed by uid, newest first (LaminDB's shape, docs/query.md).

        ``include="features"`` gives uid, the first field (``key``/``name``) and one column per
        feature; a list of paths (``["created_by__handle"]``) adds related fields.

        Example:
            >>> ln.Artifact.filter(suffix=".csv").to_dataframe(include="features")  # doctest: +SKIP
        """
        return self._frame(include, limit).to_pandas()

    def to_polars(self, include: str | list[str] | None = None, limit: int | None = None) -> Any:
        """The same rows and columns as ``to_dataframe`` as a polars DataFrame (uid a column).

        Example:
            >>> ln.Artifact.filter(size__gt=0).to_polars()  # doctest: +SKIP
        """
        return self._frame(include, limit).to_polars()

    def to_arrow(self, include: str | list[str] | None = None, limit: int | None = None) -> Any:
        """The same rows and columns as ``to_dataframe`` as a ``pyarrow.Table``.

        Example:
            >>> ln.Artifact.filter(size__gt=0).to_arrow()  # doctest: +SKIP
        """
        return self._frame(include, limit).to_arrow()

    def _frame(self, include: str | list[str] | None, limit: int | None) -> Any:
        from lamingit import index

        self._check_ordering()
        includes = (include,) if isinstance(include, str) else tuple(include or ())
        limits = [n for n in (self.limit, limit) if n is not None]
        spec = index.FrameSpec(includes, self.ordering, min(limits, default=None), self.ranked)
        return index.frame(self.view.snapshot(), self.model._registry, self._effective_q(), spec)

    df = to_dataframe


def _sort_key(field: str) -> Callable[[BaseRecord], tuple[bool, str, float]]:
    """Sort by ``field`` with missing values last; strings and numbers each in natural order."""

    def key(record: BaseRecord) -> tuple[bool, str, float]:
        value = getattr(record, field)
        if value is None:
            return (True, "", 0.0)
        if isinstance(value, bool | int | float):
            return (False, "", float(value))
        return (False, str(value), 0.0)

    return key


def _feature_dtype(model: type[Registry], name: str) -> str:
    """The dtype of the feature ``name`` as the model's view sees it ("" if unknown)."""
    snapshot = model._view.snapshot()
    for uid in snapshot.lookup("feature.name", name):
        record = snapshot.find("feature", uid)
        if record is not None and not getattr(record, "trashed", False):
            return str(getattr(record, "dtype", ""))
    return ""


def reverse_condition(model: type[Registry], cond: Condition, holder: str, field: str) -> Condition:
    """``Artifact.filter(collections=c)``: the records that ``holder`` records list in
    ``field`` (``collection.artifacts``) or name in it (``Run.filter(output_artifacts=a)``:
    ``artifact.run``), as ``uid__in``; later steps filter the holders
    (``collections__key="batches"``). The holders are those ``ln.<Holder>.filter(...)`` sees
    (not in the trash), through the index or a scan as any query.

    Example:
        >>> reverse_condition(ln.Artifact, cond, "collection", "artifacts")  # doctest: +SKIP
        Condition(path=('uid',), op='in', value=[...])
    """
    from lamingit.api.core import catalog

    if cond.op == "isnull":
        raise InvalidArgument(
            f"{cond.path[0]}__isnull is not supported; filter the other side, e.g. "
            f"ln.{holder.capitalize()}.filter()"
        )
    rest = "__".join(cond.path[1:]) or "uid"
    lookup = rest if cond.op == "exact" else f"{rest}__{cond.op}"
    cls = catalog.registry_class(holder)
    if rest == "uid":  # a record (or records) of the holder registry, not of another
        given = cond.value if isinstance(cond.value, list | tuple | QuerySet) else [cond.value]
        for value in given:
            registry = getattr(type(value), "_registry", holder)
            if registry != holder:
                raise InvalidArgument(
                    f"{model.__name__}.filter({cond.path[0]}=…) takes {cls.__name__} records, "
                    f"got {value!r}"
                )
    holders = QuerySet(cls, build_q(cls, (), {lookup: cond.value}), view=model._view)
    uids: set[str] = set()
    for h in holders:
        linked = getattr(h._record, field)
        if isinstance(linked, list):
            uids.update(linked)
        elif linked is not None:
            uids.add(linked)
    return Condition(("uid",), "in", sorted(uids))


def build_q(model: type[Registry], args: tuple[Q, ...], kwargs: dict[str, Any]) -> Q:
    """Validate lookups against the registry and features; normalize their values.

    Example:
        >>> build_q(ln.Artifact, (), {"created_by": user})  # doctest: +SKIP
    """
    registry = model._registry
    q = Q(*args, **kwargs)
    known: frozenset[str] | None = None

    reverse = dict(getattr(STRUCTS[registry], "reverse", {}))
    # the reverse sides each registry declares (project.artifacts, run.output_artifacts, …)
    reverse.update(
        {name: (link.holder, link.field) for name, link in model._links.items() if link.reverse}
    )

    def check(cond: Condition) -> Condition:
        nonlocal known
        if cond.path and cond.path[0] in reverse:
            return reverse_condition(model, cond, *reverse[cond.path[0]])
        is_feature = False
        try:
            resolve_path(registry, cond.path, frozenset())
        except InvalidArgument:
            is_feature = len(cond.path) == 1
            if known is None:
                known = model._known_features()
            try:
                resolve_path(registry, cond.path, known)
            except InvalidArgument:
                raise unknown_field(registry, cond.path, known) from None
            if len(cond.path) > 1 and model._feature_dtype(cond.path[0]) not in (None, "dict"):
                # only dict features have keys: `gc_content__gtx` is a mistyped lookup
                raise unsupported_lookup("__".join(cond.path), cond.path[0], cond.path[1]) from None
        value = normalize_value(cond.value)
        if cond.op in ("in", "range") and not isinstance(value, list):
            raise InvalidArgument(
                f"__{cond.op} needs a list, got {cond.value!r}; e.g. key__in=['a.csv', 'b.csv']"
            )
        checked = Condition(cond.path, cond.op, value)
        check_condition(registry, checked, known)
        if is_feature:
            label = "__".join(cond.path) + ("" if cond.op == "exact" else f"__{cond.op}")
            check_feature_value(label, _feature_dtype(model, cond.path[0]), cond.op, value)
        return checked

    return q.map_conditions(check)
