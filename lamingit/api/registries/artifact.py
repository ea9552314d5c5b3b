"""Artifact: a file or directory stored as content-addressed blobs, versioned by key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from lamingit.api.core import artifact_options
from lamingit.api.core.artifact_links import ArtifactLinks
from lamingit.api.core.base import HasFeatures, Registry
from lamingit.api.core.commit import commit, new_record_fields
from lamingit.api.core.keys import suffix_of, validate_key
from lamingit.api.core.links import link_run_input
from lamingit.api.core.made_by import MadeByRun
from lamingit.api.core.messages import moved_to_trash, new_artifact, returning_existing
from lamingit.api.core.relations import (
    COLLECTION_MEMBERS,
    Link,
    RelatedManager,
    forward,
    link_inputs,
    related,
    reverse,
)
from lamingit.api.core.versioning import IsVersioned, elect_latest, free_stem, next_version_uid
from lamingit.errors import InvalidArgument
from lamingit.models import ArtifactRecord
from lamingit.records import ChangeSet, replace
from lamingit.storage.hashing import DirectoryDigest, decode_manifest, hash_directory, hash_file
from lamingit.tracking import context as run_context

if TYPE_CHECKING:
    from lamingit.api.present.lineage_digraph import Digraph
    from lamingit.api.registries.project import Project
    from lamingit.api.registries.record import Record
    from lamingit.api.registries.run import Run
    from lamingit.repo import Repository

STAGE_THRESHOLD = 8 * 1024 * 1024


class Artifact(ArtifactLinks, MadeByRun, IsVersioned, HasFeatures):
    """A dataset: a file or a directory (e.g. a zarr store), with lineage and versions.

    Example:
        >>> artifact = ln.Artifact("sample.fasta", key="sample.fasta").save()  # doctest: +SKIP
        >>> artifact.load()[:10]  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "artifact"
    _struct = ArtifactRecord
    _links: ClassVar[dict[str, Link]] = {
        "projects": forward("artifact", "projects", "project"),
        "records": forward("artifact", "records", "record"),
        "input_of_runs": reverse("run", "inputs", "artifact", on_link=link_inputs),
        "ulabels": forward("artifact", "ulabels", "ulabel"),
        "collections": reverse("collection", "artifacts", "artifact", fixed=COLLECTION_MEMBERS),
    }
    _uid_length: ClassVar[int] = 20

    _record: ArtifactRecord
    _source: Path | None
    _digest: DirectoryDigest | None
    _memory: Any
    _revises: Artifact | None
    _run_obj: Any
    _staged: Path | None
    _skip_hash_lookup: bool

    def __init__(
        self,
        path: str | bytes | os.PathLike[str],
        key: str | None = None,
        description: str | None = None,
        run: Any = None,
        revises: Artifact | None = None,
        kind: str | None = None,
        version: str | None = None,
        *,
        otype: str | None = None,
        n_observations: int | None = None,
        is_new_version_of: Artifact | None = None,
        **kwargs: Any,
    ) -> None:
        revises = revises if revises is not None else is_new_version_of
        opts = artifact_options.parse(kwargs, version, kind)  # format=, skip_hash_lookup=, …
        path, otype, n_observations, memory = artifact_options.from_data(
            type(self), path, key, opts.format, otype, n_observations
        )
        version = opts.version
        if isinstance(path, Artifact | Registry):
            raise InvalidArgument("Artifact(path=…) needs a file or directory path, not a record")
        source = Path(os.fsdecode(path)).expanduser()  # bytes paths too (non-UTF-8 names)
        if not source.exists():
            raise FileNotFoundError(f"{source} does not exist; check the path (cwd: {Path.cwd()})")
        ctx = run_context.active()
        if ctx is not None and ctx.reads is not None:
            ctx.reads.ignore(source)  # hashing it to save it is not a read by the run
        run_uid = run.uid if run is not None else (ctx.run_uid if ctx else None)
        if key is None and description is None and run_uid is None and revises is None:
            raise ValueError(
                "pass key=, description= or run= (or call ln.track() first) so the artifact "
                "can be found again"
            )
        if revises is not None and not isinstance(revises, Artifact):
            raise InvalidArgument(
                "revises= must be an Artifact, e.g. revises=ln.Artifact.get(key=…)"
            )
        digest: DirectoryDigest | None = None
        object.__setattr__(self, "_staged", None)
        if source.is_dir():
            digest = hash_directory(source)
            content_hash, size, n_files = digest.hash, digest.size, len(digest.entries)
        elif source.stat().st_size >= STAGE_THRESHOLD:
            # Large files are copied into the store while hashing: one read, like `cp`.
            blobs = type(self)._view.writable_repository("save").blobs
            staged, content_hash, size = blobs.stage_file(source)
            object.__setattr__(self, "_staged", staged)
            n_files = None
        else:
            content_hash, size = hash_file(source)
            n_files = None
        suffix = suffix_of(source.name)
        try:
            suffix.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidArgument(
                f"{source!r} has a suffix that is not valid UTF-8; rename the file before saving"
            ) from None
        if key is not None:
            key = validate_key(key, suffix)
        elif revises is not None and revises.key is not None:
            key = revises.key if suffix_of(revises.key) == suffix else None
        if version is not None and not isinstance(version, str):
            raise InvalidArgument(f"version= must be a string tag like '1.0', got {version!r}")
        transform_uid = None
        if run is not None:
            transform_uid = run.transform_uid
        elif ctx is not None:
            transform_uid = ctx.transform_uid
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_run_obj", run)
        object.__setattr__(self, "_digest", digest)
        object.__setattr__(self, "_memory", memory)
        object.__setattr__(self, "_revises", revises)
        object.__setattr__(self, "_version_tag", version)
        object.__setattr__(self, "_skip_hash_lookup", opts.skip_hash_lookup)
        existing = (
            None if opts.skip_hash_lookup else self._find_duplicate(content_hash, size, n_files)
        )
        if existing is not None:
            self._discard_staged()
            returning_existing(existing, key)
            self._record = self._base = existing
            self._saved = True
            self._obj_view = type(self)._view
            return
        new_artifact(self._view, key, run_uid, revises)
        record = ArtifactRecord(
            **new_record_fields(self._first_uid()),
            key=key,
            description=description,
            suffix=suffix,
            size=size,
            hash=content_hash,
            n_files=n_files,
            n_observations=n_observations,
            otype=otype if otype is not None else artifact_options.otype_of_suffix(suffix),
            kind=kind,
            version=version or "",
            run=run_uid,
            transform=transform_uid,
            projects=sorted(ctx.projects) if ctx and run is None else [],
        )
        self._init_record(record)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "key" and value is not None:
            value = validate_key(value, self._record.suffix)
        super().__setattr__(name, value)

    def _post_load(self) -> None:
        object.__setattr__(self, "_staged", None)
        object.__setattr__(self, "_run_obj", None)
        object.__setattr__(self, "_source", None)
        object.__setattr__(self, "_digest", None)
        object.__setattr__(self, "_memory", None)
        object.__setattr__(self, "_revises", None)
        object.__setattr__(self, "_version_tag", None)
        object.__setattr__(self, "_skip_hash_lookup", False)

    def _discard_staged(self) -> None:
        staged = self.__dict__.get("_staged")
        if staged is not None:
            staged.unlink(missing_ok=True)
            object.__setattr__(self, "_staged", None)

    @classmethod
    def _find_duplicate(
        cls, content_hash: str, size: int, n_files: int | None
    ) -> ArtifactRecord | None:
        if size == 0 and not n_files:
            return None  # empty files never deduplicate
        snapshot = cls._view.snapshot()
        for uid in snapshot.lookup("artifact.hash", content_hash):
            record = snapshot.find("artifact", uid)
            if isinstance(record, ArtifactRecord) and not record.trashed:
                return record
        return None

    @classmethod
    def get(cls, uid_or_stem: str | int | None = None, **fields: Any) -> Artifact:
        """One artifact: by uid, by 16-character stem (the family's latest), by id or by fields.

        ``get(key=…)`` returns the latest version under that key. ``is_run_input=True`` (or
        a Run) records it as an input of the active run (or of that run), as in LaminDB;
        ``None`` follows ``ln.settings.track_run_inputs``; the default ``False`` links nothing.

        Example:
            >>> ln.Artifact.get(key="sample.fasta").version  # doctest: +SKIP
            '2'
        """
        return super().get(uid_or_stem, **fields)

    @classmethod
    def _get(cls, uid_or_stem: str | int | None = None, **fields: Any) -> Artifact:
        if uid_or_stem is None and "key" in fields and "is_latest" not in fields:
            if set(fields) == {"key"} and isinstance(fields["key"], str):
                found = cls._from_lookup("artifact.key", fields["key"])
                if found is not None:
                    return found
            fields = {**fields, "is_latest": True}
        return super()._get(uid_or_stem, **fields)

    @classmethod
    def _mark_input(cls, found: Artifact, is_run_input: Any) -> Artifact:
        return cast("Artifact", artifact_options.mark_input(found, is_run_input))

    # -- constructors from memory ---------------------------------------------------------
    @classmethod
    def from_dataframe(
        cls,
        df: Any,
        key: str | None = None,
        description: str | None = None,
        run: Any = None,
        revises: Artifact | None = None,
        **kwargs: Any,
    ) -> Artifact:
        """An artifact from a pandas DataFrame: Parquet, or CSV if ``key`` ends in ``.csv``.

        ``schema=`` validates first (nothing written on failure) and annotates (docs/curation.md).

        Example:
            >>> ln.Artifact.from_dataframe(df, key="datasets/processed.parquet").save()  # doctest: +SKIP
        """
        from lamingit.api.core.curation.rules import schema_annotation  # not with ln.Artifact
        from lamingit.api.core.formats import write_dataframe
        from lamingit.api.core.from_memory import staged_object

        df, annotation = schema_annotation(cls._view.snapshot(), df, kwargs.pop("schema", None))
        suffix = artifact_options.dataframe_suffix(key, kwargs.pop("format", None))
        return staged_object(
            cls,
            df,
            f"dataframe{suffix}",
            write_dataframe,
            otype="DataFrame",
            n_observations=len(df),
            fields={
                "key": key,
                "description": description,
                "run": run,
                "revises": revises,
                **kwargs,
            },
            annotation=annotation,
        )

    from_df = from_dataframe

    @classmethod
    def from_anndata(
        cls,
        adata: Any,
        key: str | None = None,
        description: str | None = None,
        run: Any = None,
        revises: Artifact | None = None,
        **kwargs: Any,
    ) -> Artifact:
        """An artifact from an AnnData: ``.h5ad``, or a zarr store if ``key`` ends in ``.zarr``.

        ``schema=`` (slots ``obs``, ``var``, ``var.T``) validates first, as in from_dataframe.

        Example:
            >>> ln.Artifact.from_anndata(adata, key="scrna/experiment1.h5ad").save()  # doctest: +SKIP
        """
        from lamingit.api.core.curation.rules import schema_annotation  # not with ln.Artifact
        from lamingit.api.core.formats import write_anndata
        from lamingit.api.core.from_memory import staged_object

        adata, annotation = schema_annotation(
            cls._view.snapshot(), adata, kwargs.pop("schema", None)
        )
        suffix = suffix_of(key) if key is not None and key.endswith(".zarr") else ".h5ad"
        return staged_object(
            cls,
            adata,
            f"anndata{suffix}",
            write_anndata,
            otype="AnnData",
            n_observations=int(adata.n_obs),
            fields={
                "key": key,
                "description": description,
                "run": run,
                "revises": revises,
                **kwargs,
            },
            annotation=annotation,
        )

    # -- saving ---------------------------------------------------------------------------
    def _prepare(self, repo: Repository) -> None:
        """Store the bytes before the commit, so no record ever points at a missing blob."""
        if self._saved or self._source is None:
            return
        if self._staged is not None:
            repo.blobs.commit_staged(self._staged, self._record.hash)
            object.__setattr__(self, "_staged", None)
        elif self._digest is not None:
            for entry in self._digest.entries:
                repo.blobs.put_file(self._source / entry.path, entry.hash)
            repo.blobs.put_bytes(self._digest.manifest)
        else:
            repo.blobs.put_file(self._source, self._record.hash)

    def _stage(self, changes: ChangeSet) -> None:
        if self._saved:
            current = changes.get("artifact", self.uid)
            rebased = self._rebased(current)  # a stale object must not undo other saves
            if current is not None and current != rebased:
                record = replace(rebased, updated_at=new_record_fields(self.uid)["updated_at"])
                changes.put(record, f"update artifact {self.uid}{self._label()}")
                self._record = record
            return
        run_obj = self._run_obj
        if run_obj is not None and not run_obj._saved:
            run_obj._stage(changes)
            self._record = replace(self._record, run=run_obj.uid, transform=run_obj.transform_uid)
        duplicate = self._duplicate_in(changes)
        if duplicate is not None:
            self._discard_staged()
            returning_existing(duplicate, None)
            self._record = duplicate
            return
        record = self._record
        stem = None
        if self._revises is not None:
            stem = self._revises.stem_uid
        elif record.key is not None:
            latest = changes.lookup("artifact.key", record.key)
            if latest:
                stem = latest[0][: self._stem_length]
        if stem is None:
            stem = free_stem(changes, "artifact", record.uid[: self._stem_length])
        uid, counter = next_version_uid(changes, "artifact", stem)
        record = replace(record, uid=uid, version=self._version_tag or str(counter + 1))
        verb = "create" if counter == 0 else f"save version {counter + 1} of"
        run_note = f" in run {record.run}" if record.run else ""
        changes.put(record, f"{verb} artifact {uid}{self._label()}{run_note}")
        self._record = record
        elect_latest(changes, "artifact", stem)
        self._record = changes.get_as(ArtifactRecord, uid) or record  # as elected

    def _duplicate_in(self, changes: ChangeSet) -> ArtifactRecord | None:
        if self._record.size == 0 and not self._record.n_files or self._skip_hash_lookup:
            return None
        for uid in changes.lookup("artifact.hash", self._record.hash):
            record = changes.get("artifact", uid)
            if isinstance(record, ArtifactRecord) and not record.trashed:
                return record
        return None

    def _after_save(self) -> None:
        super()._after_save()
        if self._run_obj is not None and not self._run_obj._saved:
            self._run_obj._after_save()
        ctx = run_context.active()
        if ctx is not None and self._record.run == ctx.run_uid:
            ctx.outputs.add(self.uid)

    # -- relations & versions -------------------------------------------------------------
    @property
    def input_of_runs(self) -> RelatedManager[Run]:
        """The runs that read this artifact (``input_of`` is the same); ``.add(run)`` links one.

        Example:
            >>> [r.uid for r in artifact.input_of_runs.all()]  # doctest: +SKIP
        """
        return related(self, "input_of_runs")

    input_of = input_of_runs

    @property
    def projects(self) -> RelatedManager[Project]:
        """Projects this artifact is labeled with; ``artifact.projects.add(project)`` links one.

        Example:
            >>> artifact.projects.add(ln.Project.get(name="Cancer Drug Screen 2025"))  # doctest: +SKIP
        """
        return related(self, "projects")

    @property
    def records(self) -> RelatedManager[Record]:
        """Records this artifact is labeled with; ``artifact.records.add(sample)`` links one.

        Example:
            >>> artifact.records.add(ln.Record.get(name="P53mutant1"))  # doctest: +SKIP
        """
        return related(self, "records")

    def view_lineage(
        self, return_graph: bool = False, path: str | None = None
    ) -> Digraph | Path | None:
        """Draw the upstream and downstream lineage (artifacts → runs → artifacts) as SVG.

        Inline in Jupyter; from a script it writes an SVG file and returns its path.
        ``return_graph=True`` returns a ``graphviz.Digraph`` instead, as LaminDB does
        (``.source``, ``.render()`` with a system graphviz; ``.lineage`` holds the plain data).

        Example:
            >>> ln.Artifact.get(key="figures/umap.png").view_lineage()  # doctest: +SKIP
        """
        from lamingit.api.present.lineage import view_lineage  # not with ln.Artifact

        return view_lineage(self, return_graph=return_graph, path=path)

    @property
    def path(self) -> Path:
        """Where the bytes are stored (the blob, or the manifest for a directory)."""
        if not self._saved and self._source is not None:
            return self._source
        return self._obj_view.repository().blobs.path_for(self.hash)

    # -- content --------------------------------------------------------------------------
    def cache(self, is_run_input: bool | None = None) -> Path:
        """A local path to the content, ending with the artifact's suffix.

        The path is a private copy: writing to it never changes the stored blob.

        Example:
            >>> ln.Artifact.get(key="sample.fasta").cache()  # doctest: +SKIP
            PosixPath('mydata/.lamingit/cache/…/sample.fasta')
        """
        if not self._saved and self._source is not None:
            return self._source
        path = self._materialize()
        link_run_input(self._record, is_run_input)
        run_context.await_watches()  # whoever gets the path may read it outside Python
        return path

    def _materialize(self) -> Path:
        from lamingit.api.core.artifact_cache import copy_if_stale  # loads with the first cache()

        repo = self._obj_view.repository()
        name = Path(self.key).name if self.key else f"{self.uid}{self.suffix}"
        dest = repo.paths.cache / self.uid / name
        if self.n_files is not None:
            repo.blob_path(self.hash)  # fetches the manifest from the blob remote if needed
            manifest = decode_manifest(repo.blobs.read_bytes(self.hash))
            from lamingit.remote.sync import prefetch  # only directories need it: load lazily

            prefetch(repo, [entry.hash for entry in manifest])  # missing files, in parallel
            for entry in manifest:
                copy_if_stale(repo, entry.hash, dest / entry.path, entry.size)
            return dest
        copy_if_stale(repo, self.hash, dest, self.size)
        return dest

    def load(self, is_run_input: bool | None = None, **kwargs: Any) -> Any:
        """The content as its natural object: DataFrame, AnnData, dict/list, str.

        ``kwargs`` go to the reader (pandas ``read_parquet``/``read_csv``, anndata
        ``read_h5ad``/``read_zarr``), e.g. ``load(columns=["x"])``.

        Example:
            >>> ln.Artifact.get(key="datasets/processed.parquet").load().shape  # doctest: +SKIP
        """
        if not self._saved and self._memory is not None and not kwargs:
            return self._memory
        from lamingit.api.core.formats import load_path  # readers load on first use

        return load_path(self.cache(is_run_input=is_run_input), self.suffix, **kwargs)

    def open(
        self, mode: str = "r", is_run_input: bool | None = None, engine: str = "pyarrow"
    ) -> Any:
        """Stream the content: a pyarrow dataset (or polars LazyFrame), backed AnnData, zarr
        group, or a binary file object.

        Example:
            >>> with ln.Artifact.get(key="sample.fasta").open() as f:  # doctest: +SKIP
            ...     chunk = f.read(1000)
        """
        if mode != "r":
            raise InvalidArgument(
                "artifacts open read-only (mode='r'); save a new version to change one"
            )
        from lamingit.api.core.formats import open_path

        return open_path(self.cache(is_run_input=is_run_input), self.suffix, engine=engine)

    replace = artifact_options.replace_content

    # -- deleting -------------------------------------------------------------------------
    def delete(self, permanent: bool = False) -> None:
        """Move to the trash (``restore()`` undoes it), or remove for good with ``permanent``.

        Deleting the latest version makes the newest remaining version the latest. A
        permanent delete also removes the blob once no record references it.

        Example:
            >>> ln.Artifact.get(key="old.csv").delete()  # doctest: +SKIP
        """
        uid, stem = self.uid, self.stem_uid

        def build(changes: ChangeSet) -> None:
            current = changes.get("artifact", uid)
            if current is None:
                return
            if permanent:
                changes.remove("artifact", uid, f"delete artifact {uid}{self._label()} permanently")
            else:
                changes.put(
                    replace(current, trashed=True, is_latest=False),
                    f"move artifact {uid}{self._label()} to the trash",
                )
            elect_latest(changes, "artifact", stem)

        repo = commit(build, self._obj_view, "delete")
        if permanent:
            if not repo.snapshot().lookup("artifact.hash", self.hash):
                repo.blobs.delete(self.hash)
        else:
            record = repo.snapshot().find_as(ArtifactRecord, uid)
            if record is not None:
                self._record = record
            moved_to_trash("artifact to trash")

    def restore(self) -> None:
        """Bring an artifact back from the trash.

        Example:
            >>> ln.Artifact.filter(trashed=True).first().restore()  # doctest: +SKIP
        """
        uid, stem = self.uid, self.stem_uid

        def build(changes: ChangeSet) -> None:
            current = changes.get_as(ArtifactRecord, uid)
            if current is None or not current.trashed:
                return
            changes.put(replace(current, trashed=False), f"restore artifact {uid}{self._label()}")
            elect_latest(changes, "artifact", stem)

        repo = commit(build, self._obj_view, "restore")
        record = repo.snapshot().find_as(ArtifactRecord, uid)
        if record is not None:
            self._record = record

    # -- describing -----------------------------------------------------------------------
    def describe(self, return_str: bool = False) -> str | None:
        """Print (or return) a tree of this artifact's metadata, lineage and annotations.

        Example:
            >>> print(artifact.describe(return_str=True))  # doctest: +SKIP
            Artifact: sample.fasta (1)
            ├── uid: …
        """
        from lamingit.api.present.describe import describe_artifact  # not with ln.Artifact

        text = describe_artifact(self)
        if return_str:
            return text
        print(text)
        return None


__all__ = ["Artifact"]
