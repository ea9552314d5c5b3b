"""Collection: an ordered, versioned set of artifacts; load, cache, open and map them as one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import msgspec

from lamingit._log import logger
from lamingit._util import utcnow_iso
from lamingit.api.core import artifact_options
from lamingit.api.core.base import HasFeatures
from lamingit.api.core.commit import commit, new_record_fields
from lamingit.api.core.keys import validate_key
from lamingit.api.core.made_by import MadeByRun
from lamingit.api.core.mapped import MappedCollection, concat_objects
from lamingit.api.core.relations import COLLECTION_MEMBERS, Link, RelatedManager, forward, related
from lamingit.api.core.versioning import IsVersioned, free_stem, next_version_uid
from lamingit.api.present.describe import describe_collection
from lamingit.api.present.lineage import collection_lineage_graph, show_graph
from lamingit.errors import InvalidArgument
from lamingit.models import ArtifactRecord, CollectionRecord
from lamingit.records import ChangeSet, replace
from lamingit.storage.hashing import hash_bytes
from lamingit.tracking import context as run_context

if TYPE_CHECKING:
    from lamingit.api.present.lineage_digraph import Digraph
    from lamingit.api.registries.artifact import Artifact
    from lamingit.api.registries.project import Project
    from lamingit.api.registries.record import Record
    from lamingit.api.registries.ulabel import ULabel


def members_hash(hashes: list[str]) -> str:
    """The collection hash: over its members' content hashes, in order.

    Example:
        >>> members_hash(["a", "b"]) != members_hash(["b", "a"])
        True
    """
    return hash_bytes(msgspec.json.encode(hashes))


class Collection(MadeByRun, IsVersioned, HasFeatures):
    """Artifacts grouped in order, versioned by key like artifacts.

    Saving the same members again returns the existing collection; the same key with other
    members makes a new version; ``append(artifact)`` makes the next version.

    Example:
        >>> collection = ln.Collection([artifact1, artifact2], key="scrna/batches").save()  # doctest: +SKIP
        >>> df = collection.load()  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "collection"
    _struct = CollectionRecord
    _links: ClassVar[dict[str, Link]] = {
        "artifacts": forward("collection", "artifacts", "artifact", fixed=COLLECTION_MEMBERS),
        "projects": forward("collection", "projects", "project"),
        "records": forward("collection", "records", "record"),
        "ulabels": forward("collection", "ulabels", "ulabel"),
    }
    _uid_length: ClassVar[int] = 20
    _record: CollectionRecord
    _revises: Collection | None

    def __init__(
        self,
        artifacts: Any,
        key: str | None = None,
        description: str | None = None,
        run: Any = None,
        revises: Collection | None = None,
        *,
        version: str | None = None,
        name: str | None = None,
    ) -> None:
        key = key if key is not None else name  # LaminDB's older spelling
        items = (
            [artifacts] if getattr(type(artifacts), "_registry", None) == "artifact" else artifacts
        )
        if isinstance(items, str | bytes) or not hasattr(items, "__iter__"):
            raise InvalidArgument(
                f"Collection(artifacts=…) takes an Artifact or a list of them, got {artifacts!r}"
            )
        members: list[ArtifactRecord] = []
        for item in items:
            record = getattr(item, "_record", None)
            if not isinstance(record, ArtifactRecord) or not item._saved:
                raise InvalidArgument(
                    f"a collection holds saved ln.Artifact objects, got {item!r}; save it first"
                )
            members.append(record)
        if not members:
            raise InvalidArgument("a collection needs at least one artifact")
        if len({m.uid for m in members}) != len(members):
            raise InvalidArgument("a collection lists each artifact once; remove the duplicate")
        if key is not None:
            validate_key(key)
        if revises is not None and not isinstance(revises, Collection):
            raise InvalidArgument("revises= must be a Collection, e.g. ln.Collection.get(key=…)")
        ctx = run_context.active()
        run_uid = run.uid if run is not None else (ctx.run_uid if ctx else None)
        transform = getattr(run, "transform_uid", None) if run is not None else None
        if run is None and ctx is not None:
            transform = ctx.transform_uid
        if key is None and description is None and run_uid is None and revises is None:
            raise ValueError(
                "pass key=, description= or run= (or call ln.track() first) so the collection "
                "can be found again"
            )
        self._init_record(
            CollectionRecord(
                **new_record_fields(self._first_uid()),
                key=key if key is not None else (revises.key if revises is not None else None),
                description=description,
                artifacts=[m.uid for m in members],
                hash=members_hash([m.hash for m in members]),
                run=run_uid,
                transform=transform,
            )
        )
        self._revises = revises
        self._version_tag = version

    def _post_load(self) -> None:
        object.__setattr__(self, "_revises", None)
        object.__setattr__(self, "_version_tag", None)

    # -- saving ---------------------------------------------------------------------------
    def _stage(self, changes: ChangeSet) -> None:
        if self._saved:
            super()._stage(changes)
            return
        record = self._record
        for uid in changes.lookup("collection.hash", record.hash):
            found = changes.get("collection", uid)
            if isinstance(found, CollectionRecord) and not found.trashed:
                logger.info(f"returning collection with same hash: {found.uid} ({found.key})")
                self._record = found
                return
        stem = None
        if self._revises is not None:
            stem = self._revises.uid[: self._stem_length]
        elif record.key is not None:
            latest = changes.lookup("collection.key", record.key)
            stem = latest[0][: self._stem_length] if latest else None
        if stem is None:
            stem = free_stem(changes, "collection", record.uid[: self._stem_length])
        uid, counter = next_version_uid(changes, "collection", stem)
        record = replace(record, uid=uid, version=self._version_tag or str(counter + 1))
        verb = "create" if counter == 0 else f"save version {counter + 1} of"
        changes.put(record, f"{verb} collection {uid}{self._label()}")
        # merge.py (4 ms) loads on a save, not with ln.Artifact
        from lamingit.merge import elect_family

        elect_family(changes, "collection", stem)
        self._record = changes.get_as(CollectionRecord, uid) or record  # as elected

    @classmethod
    def _get_fast(cls, fields: dict[str, Any]) -> Collection | None:
        if set(fields) == {"key"} and isinstance(fields["key"], str):
            return cls._from_lookup("collection.key", fields["key"])
        return None

    # -- members --------------------------------------------------------------------------
    @property
    def artifacts(self) -> RelatedManager[Artifact]:
        """The member artifacts (``ordered_artifacts`` keeps the order)."""
        return related(self, "artifacts")

    @property
    def projects(self) -> RelatedManager[Project]:
        """Projects this collection belongs to."""
        return related(self, "projects")

    @property
    def records(self) -> RelatedManager[Record]:
        """Records this collection is labeled with."""
        return related(self, "records")

    @property
    def ulabels(self) -> RelatedManager[ULabel]:
        """ULabels this collection is labeled with."""
        return related(self, "ulabels")

    @property
    def ordered_artifacts(self) -> list[Artifact]:
        """The member artifacts in the collection's order.

        Example:
            >>> [a.key for a in collection.ordered_artifacts]  # doctest: +SKIP
        """
        found = {
            a.uid: a for a in self._registry_filter("artifact", uid__in=self._record.artifacts)
        }
        trashed = self._registry_filter("artifact", uid__in=self._record.artifacts, trashed=True)
        found.update({a.uid: a for a in trashed})
        return [found[uid] for uid in self._record.artifacts if uid in found]

    def append(self, artifact: Any) -> Collection:
        """A new version (unsaved) with ``artifact`` added at the end.

        Example:
            >>> collection_v2 = collection.append(artifact3).save()  # doctest: +SKIP
        """
        return Collection(
            [*self.ordered_artifacts, artifact],
            key=self._record.key,
            description=self._record.description,
            revises=self,
        )

    @classmethod
    def _mark_input(cls, found: Collection, is_run_input: Any) -> Collection:
        # lamingit keeps no list of input collections: the members carry the lineage
        # (docs/collections.md), as when the collection is loaded in a run
        if is_run_input is not False:
            artifact_options.mark_input(found.ordered_artifacts, is_run_input)
        return found

    # -- content --------------------------------------------------------------------------
    def cache(self, is_run_input: bool | None = None) -> list[Path]:
        """Local paths of every member, in order (members become run inputs in a run).

        Example:
            >>> collection.cache()  # doctest: +SKIP
        """
        return [a.cache(is_run_input=is_run_input) for a in self.ordered_artifacts]

    def load(self, join: str = "outer", is_run_input: bool | None = None, **kwargs: Any) -> Any:
        """The members' DataFrames or AnnDatas concatenated along rows, in order.

        Example:
            >>> df = collection.load()  # doctest: +SKIP
        """
        members = self.ordered_artifacts
        objects = [a.load(is_run_input=is_run_input, **kwargs) for a in members]
        return concat_objects(objects, [a.uid for a in members], join=join)

    def open(self, engine: str = "pyarrow", is_run_input: bool | None = None) -> Any:
        """One ``pyarrow.dataset`` over tabular members (parquet, csv), streamed not loaded.

        Example:
            >>> collection.open().to_table(columns=["gene"])  # doctest: +SKIP
        """
        if engine != "pyarrow":
            raise InvalidArgument(f"engine={engine!r}: collections open with engine='pyarrow'")
        members = self.ordered_artifacts
        suffixes = {a.suffix for a in members}
        if not suffixes <= {".parquet", ".csv"} or len(suffixes) != 1:
            raise InvalidArgument(
                f"collection.open() streams members of one tabular format (parquet or csv), "
                f"got {', '.join(sorted(suffixes))}; use load() or mapped()"
            )
        import pyarrow.dataset as ds

        paths = [str(p) for p in self.cache(is_run_input=is_run_input)]
        return ds.dataset(paths, format=suffixes.pop().lstrip("."))

    def mapped(
        self,
        obs_keys: str | list[str] | None = None,
        join: str | None = "inner",
        encode_labels: bool = True,
        layers_keys: str | None = None,
        is_run_input: bool | None = None,
    ) -> MappedCollection:
        """A map-style dataset over the AnnData (.h5ad) members: ``len``, indexing, labels.

        Plugs into ``torch.utils.data.DataLoader`` when torch is installed; without torch it
        is a plain sequence. Rows are read from the files on access (backed mode).

        Example:
            >>> dataset = collection.mapped(obs_keys=["cell_type"])  # doctest: +SKIP
            >>> loader = torch.utils.data.DataLoader(dataset, batch_size=128)  # doctest: +SKIP
        """
        members = self.ordered_artifacts
        other = sorted({a.suffix for a in members} - {".h5ad"})
        if other:
            raise InvalidArgument(
                f"collection.mapped() reads .h5ad members, got {', '.join(other)}; "
                "use load() for other members"
            )
        paths = self.cache(is_run_input=is_run_input)
        return MappedCollection(
            paths,
            obs_keys=obs_keys,
            join=join,
            encode_labels=encode_labels,
            layers_keys=layers_keys,
        )

    def view_lineage(
        self, return_graph: bool = False, path: str | None = None
    ) -> Digraph | Path | None:
        """Draw the members' lineage flowing into this collection (SVG, or a graphviz.Digraph).

        Example:
            >>> ln.Collection.get(key="batches").view_lineage()  # doctest: +SKIP
        """
        graph = collection_lineage_graph(self)
        name = f"lineage_{(self.key or self.uid).replace('/', '_')}.svg"
        if return_graph:  # a graphviz.Digraph, as for artifacts; .lineage is the plain graph
            from lamingit.api.present.lineage_digraph import to_digraph

            return to_digraph(graph, name.removesuffix(".svg"))
        return show_graph(graph, path, name, self.key or self.uid)

    def describe(self, return_str: bool = False) -> str | None:
        """Print (or return) a tree of this collection: members in order, lineage, labels.

        Example:
            >>> ln.Collection.get(key="batches").describe()  # doctest: +SKIP
        """
        text = describe_collection(self)
        if return_str:
            return text
        print(text)
        return None

    # -- trash ----------------------------------------------------------------------------
    def delete(self, permanent: bool = False) -> None:
        """Move to the trash (``restore()`` undoes it) or remove for good; members stay.

        Example:
            >>> collection.delete()  # doctest: +SKIP
        """
        self._set_trashed(True, permanent)

    def restore(self) -> None:
        """Bring a collection back from the trash.

        Example:
            >>> ln.Collection.filter(trashed=True).first().restore()  # doctest: +SKIP
        """
        self._set_trashed(False, False)

    def _set_trashed(self, trashed: bool, permanent: bool) -> None:
        uid, stem = self.uid, self.stem_uid

        def build(changes: ChangeSet) -> None:
            current = changes.get("collection", uid)
            if not isinstance(current, CollectionRecord):
                return
            if permanent:
                changes.remove(
                    "collection", uid, f"delete collection {uid}{self._label()} permanently"
                )
            elif current.trashed != trashed:
                verb = "move" if trashed else "restore"
                where = " to the trash" if trashed else ""
                changes.put(
                    replace(current, trashed=trashed, is_latest=False, updated_at=utcnow_iso()),
                    f"{verb} collection {uid}{self._label()}{where}",
                )
            from lamingit.merge import elect_family  # see _save: merge.py loads when needed

            elect_family(changes, "collection", stem)

        repo = commit(build, self._obj_view, "delete" if trashed else "restore")
        record = repo.snapshot().find("collection", uid)
        if isinstance(record, CollectionRecord):
            self._record = record
        if trashed and not permanent:
            logger.info("moved collection to trash")


__all__ = ["Collection", "members_hash"]
