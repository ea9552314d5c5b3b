"""``ln.Storage``: where a repository's bytes live — its local blob store and its blob remote.

Not records: the local store is ``.lamingit/objects``, and the blob remote is the one named in
the committed ``lamingit.toml`` (or overridden in ``.lamingit/config.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lamingit._util import redact_url
from lamingit.blob_settings import blob_remote_location
from lamingit.errors import DoesNotExist, InvalidArgument, MultipleResultsFound
from lamingit.session import SESSION


@dataclass(frozen=True)
class Storage:
    """One blob location: ``root`` (a directory or ``s3://bucket/prefix``) and its ``type``.

    Example:
        >>> [s.root for s in ln.Storage.filter()]  # doctest: +SKIP
        ['/data/mydata/.lamingit/objects', 's3://lab/blobs']
    """

    root: str
    type: str
    """``local`` (this repository's own store), ``directory``, ``s3`` or ``http`` (a blob
    remote; ``http`` is a ``lamingit serve`` URL)."""
    is_remote: bool = False
    endpoint_url: str | None = None

    def __repr__(self) -> str:
        # root keeps a serve URL's token (it is what gets used); printing must not show it.
        return (
            f"Storage(root={redact_url(self.root)!r}, type={self.type!r}, "
            f"is_remote={self.is_remote!r}, endpoint_url={self.endpoint_url!r})"
        )

    @property
    def uid(self) -> str:
        """A stable name for the location (its root)."""
        return self.root

    @classmethod
    def filter(cls, **fields: Any) -> list[Storage]:
        """The repository's blob locations, optionally narrowed by ``root=``, ``type=``,
        ``is_remote=``.

        Example:
            >>> ln.Storage.filter(is_remote=True)  # doctest: +SKIP
        """
        unknown = set(fields) - {"root", "type", "is_remote"}
        if unknown:
            raise InvalidArgument(
                f"Storage.filter() takes root=, type= or is_remote=, got {', '.join(sorted(unknown))}"
            )
        repo = SESSION.repository()
        found = [cls(str(repo.paths.objects), "local")]
        url, endpoint = blob_remote_location(repo)
        if url:
            kind = (
                "s3"
                if url.startswith("s3://")
                else "http"
                if url.startswith(("http://", "https://"))
                else "directory"
            )
            found.append(cls(url, kind, is_remote=True, endpoint_url=endpoint))
        return [s for s in found if all(getattr(s, k) == v for k, v in fields.items())]

    @classmethod
    def get(cls, root: str | None = None, **fields: Any) -> Storage:
        """One location, else ``DoesNotExist`` / ``MultipleResultsFound``.

        Example:
            >>> ln.Storage.get(type="local").root  # doctest: +SKIP
        """
        if root is not None:
            fields["root"] = root
        found = cls.filter(**fields)
        if not found:
            raise DoesNotExist(
                f"no storage matches {fields!r}; add a blob remote with "
                "`lamingit remote add origin URL --blobs DIR|s3://bucket/prefix`"
            )
        if len(found) > 1:
            raise MultipleResultsFound(f"{len(found)} storages match {fields!r}; pass root=")
        return found[0]


def artifact_storage(owner: Any) -> Storage:
    """The location holding this artifact's bytes here: the repository's local store
    (``artifact.storage.root``; the blob remote holds a copy once pushed).

    Example:
        >>> artifact.storage.root  # doctest: +SKIP
    """
    return Storage(str(owner._obj_view.repository().paths.objects), "local")


__all__ = ["Storage", "artifact_storage"]
