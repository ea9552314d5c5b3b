"""LaminDB's extra ``Artifact(...)`` arguments: in-memory data with ``format=``,
``skip_hash_lookup``, ``overwrite_versions``, ``version_tag``, and ``replace(path)``."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from typing import Any

from lamingit.api.core.keys import suffix_of
from lamingit.api.core.links import link_run_input
from lamingit.errors import FieldValidationError, InvalidArgument

DATAFRAME_FORMATS = (".parquet", ".csv")


@dataclass(frozen=True)
class Options:
    """The keyword arguments of ``Artifact(...)`` beyond the stored fields."""

    format: str | None
    skip_hash_lookup: bool
    overwrite_versions: bool | None
    version: str | None


def parse(kwargs: dict[str, Any], version: str | None, kind: Any) -> Options:
    """Check the extra keyword arguments; an unknown one raises ``FieldValidationError``.

    Example:
        >>> parse({"format": "csv"}, None, None).format
        '.csv'
    """
    extra = dict(kwargs)
    fmt = extra.pop("format", None)
    skip = extra.pop("skip_hash_lookup", False)
    overwrite = extra.pop("overwrite_versions", None)
    tag = extra.pop("version_tag", None)
    if extra:
        raise FieldValidationError(
            f"{', '.join(sorted(extra))} are not valid fields of Artifact; valid extras are "
            "format=, skip_hash_lookup=, overwrite_versions=, version_tag="
        )
    if tag is not None and version is not None and tag != version:
        raise InvalidArgument(f"version_tag={tag!r} and version={version!r} differ; pass one")
    if kind is not None and not isinstance(kind, str):
        raise FieldValidationError(
            f"kind= must be a string like 'dataset' or 'model', got {kind!r}"
        )
    if not isinstance(skip, bool) or (overwrite is not None and not isinstance(overwrite, bool)):
        raise InvalidArgument("skip_hash_lookup= and overwrite_versions= take True or False")
    if fmt is not None:
        if not isinstance(fmt, str) or not fmt.strip("."):
            raise InvalidArgument(f"format= must be a suffix like 'csv' or 'parquet', got {fmt!r}")
        fmt = "." + fmt.lower().lstrip(".")
    return Options(fmt, skip, overwrite, tag if tag is not None else version)


def dataframe_suffix(key: str | None, fmt: str | None) -> str:
    """The file suffix a DataFrame is written with: ``format=``, else the key's, else Parquet.

    Example:
        >>> dataframe_suffix("t.csv", None), dataframe_suffix(None, "csv")
        ('.csv', '.csv')
    """
    if fmt is not None and not fmt.startswith("."):
        fmt = "." + fmt.lower()
    suffix = fmt or (suffix_of(key) if key is not None else "") or ".parquet"
    if suffix not in DATAFRAME_FORMATS:
        raise InvalidArgument(
            f"a DataFrame is written as {' or '.join(DATAFRAME_FORMATS)}, not {suffix!r}; "
            "pass format='parquet' or format='csv'"
        )
    return suffix


def from_data(
    cls: Any, data: Any, key: str | None, fmt: str | None, otype: str | None, n_obs: int | None
) -> tuple[Any, str | None, int | None, Any]:
    """The path to hash for ``data``, and its otype, n_observations and in-memory object.

    A pandas DataFrame is written to the scratch directory as ``format=`` (default: the
    key's suffix, else Parquet); a path passes through, and ``format=`` must match it.

    Example:
        >>> path, otype, n, memory = from_data(ln.Artifact, df, "t.csv", None, None, None)  # doctest: +SKIP
    """
    if type(data).__name__ == "DataFrame" and hasattr(data, "to_parquet"):
        suffix = dataframe_suffix(key, fmt)
        path = cls._view.writable_repository("save").scratch_dir() / f"dataframe{suffix}"
        from lamingit.api.core.formats import write_dataframe  # pandas/pyarrow writers, on use

        write_dataframe(data, path)
        return path, "DataFrame", len(data), data
    if fmt is not None and isinstance(data, str | os.PathLike):
        actual = suffix_of(os.fspath(data))
        if actual != fmt:
            raise InvalidArgument(
                f"format={fmt!r} does not match the file's suffix {actual!r}; "
                "format= only chooses how in-memory data is written"
            )
    return data, otype, n_obs, None


def replace_content(artifact: Any, data: Any, run: Any = None, format: str | None = None) -> None:
    """LaminDB's ``artifact.replace(path)``: new content under the same key and family.

    Records are immutable history here, so the replacement is staged as the next version
    (``revises=artifact``); ``artifact.save()`` commits it and the object then *is* that
    version. The old version stays loadable (``artifact.versions``, ``ln.at``).

    Example:
        >>> artifact.replace("sample_v2.fasta")  # doctest: +SKIP
        >>> artifact.save()  # doctest: +SKIP
    """
    if not artifact._saved:
        raise InvalidArgument("replace() needs a saved artifact; construct a new one instead")
    key = artifact.key
    path_like = isinstance(data, str | os.PathLike)
    if key is not None and path_like and suffix_of(os.fspath(data)) != suffix_of(key):
        raise InvalidArgument(
            f"the new file's suffix differs from key {key!r}; use "
            "ln.Artifact(path, key=new_key) for a different kind of file"
        )
    kwargs: dict[str, Any] = {"format": format} if format is not None else {}
    new = type(artifact)(
        data,
        key=key,
        description=artifact.description,
        run=run,
        revises=copy.copy(artifact),
        **kwargs,
    )
    if new._saved:  # identical content exists already: nothing to replace
        return
    artifact.__dict__.update(new.__dict__)  # the object becomes the unsaved new version


def mark_input(artifact: Any, is_run_input: Any) -> Any:
    """LaminDB's ``Artifact.get(..., is_run_input=)``: True links the artifact (or each of a
    list of artifacts) as an input of the active run, None does if
    ``ln.settings.track_run_inputs``, a Run links it to that run (one commit); returns
    ``artifact``.

    Example:
        >>> mark_input(ln.Artifact.get(key="raw.csv"), True)  # doctest: +SKIP
    """
    items = artifact if isinstance(artifact, list) else [artifact]
    if is_run_input is True or is_run_input is None:  # None: ln.settings.track_run_inputs
        for item in items:
            link_run_input(item._record, is_run_input)
    elif is_run_input is not False:
        if type(is_run_input).__name__ != "Run" or not getattr(is_run_input, "_saved", False):
            raise InvalidArgument("is_run_input= takes True, False, None or a saved ln.Run")
        if items:
            is_run_input.input_artifacts.add(items)
    return artifact


def otype_of_suffix(suffix: str) -> str | None:
    """The LaminDB ``otype`` a file of ``suffix`` holds (``DataFrame`` for ``.parquet``…).

    Example:
        >>> otype_of_suffix(".h5ad")
        'AnnData'
    """
    # formats (and json) load with the first new artifact, not with ln.Artifact
    from lamingit.api.core.formats import otype_of_suffix as of_suffix

    return of_suffix(suffix)


__all__ = [
    "Options",
    "dataframe_suffix",
    "from_data",
    "mark_input",
    "otype_of_suffix",
    "parse",
    "replace_content",
]
