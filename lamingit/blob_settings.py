"""Which blob remote a repository uses: committed ``[blobs]`` settings, local overrides, env.

The committed ``lamingit.toml`` names the blob remote (so every clone knows where its bytes
are); ``.lamingit/config.toml`` may override the location or the endpoint for this machine;
``LAMINGIT_S3_ENDPOINT_URL`` overrides the endpoint for this process. Credentials are never
read from, or written to, the repository.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

from lamingit._util import dump_toml, read_toml
from lamingit.errors import IntegrityError

if TYPE_CHECKING:
    from lamingit.layout import LocalPaths
    from lamingit.records import Snapshot
    from lamingit.storage.blobremote import BlobRemote

ENDPOINT_ENV = "LAMINGIT_S3_ENDPOINT_URL"


class Settled(Protocol):
    """What the settings are read from: a repository's paths and its head (a ``Repository``;
    named by shape so the repository can ask this module without a cycle)."""

    paths: LocalPaths

    def snapshot(self, commit: str | None = None) -> Snapshot:
        """A read view at ``commit`` (default: the branch head)."""
        ...


def committed_settings(snapshot: Snapshot) -> dict[str, dict[str, str]]:
    """The committed ``lamingit.toml`` as a two-level mapping ({} when absent).

    Example:
        >>> committed_settings(repo.snapshot())["repository"]["format_version"]  # doctest: +SKIP
        '1'
    """
    data = snapshot.settings_bytes()
    if not data:
        return {}
    parsed = parse_settings(data)
    return {str(k): {str(a): str(b) for a, b in v.items()} for k, v in parsed.items()}


def parse_settings(data: bytes) -> dict[str, Any]:
    """The bytes of ``lamingit.toml`` parsed; unparsable bytes → ``IntegrityError``.

    Example:
        >>> parse_settings(b'[blobs]\\nremote = "s3://b/p"\\n')
        {'blobs': {'remote': 's3://b/p'}}
    """
    import tomllib  # its parser compiles regexes: loaded on the first settings read

    try:
        return tomllib.loads(data.decode())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IntegrityError(f"lamingit.toml does not parse ({exc}); fix it and commit") from None


def with_blob_remote(
    settings: dict[str, dict[str, str]], url: str | None, endpoint_url: str | None = None
) -> bytes:
    """The bytes of ``lamingit.toml`` with the ``[blobs]`` section set (or removed if no url).

    Example:
        >>> with_blob_remote({}, "s3://b/p").decode().splitlines()[0]
        '[blobs]'
    """
    data = {k: dict(v) for k, v in settings.items()}
    if url is None:
        data.pop("blobs", None)
    else:
        section = {"remote": url}
        if endpoint_url:
            section["endpoint_url"] = endpoint_url
        data["blobs"] = section
    return dump_toml(data)


def blob_remote_location(repo: Settled) -> tuple[str | None, str | None]:
    """``(url, endpoint_url)`` of the blob remote this repository uses on this machine.

    Example:
        >>> blob_remote_location(repo)  # doctest: +SKIP
        ('s3://lab/blobs', None)
    """
    committed = committed_settings(repo.snapshot()).get("blobs", {})
    local = read_toml(repo.paths.config).get("blobs", {})
    url = local.get("remote") or committed.get("remote") or None
    endpoint = (
        os.environ.get(ENDPOINT_ENV)
        or local.get("endpoint_url")
        or committed.get("endpoint_url")
        or None
    )
    return url, endpoint


def blob_remote_of(repo: Settled) -> BlobRemote | None:
    """The blob remote of ``repo``, or None when none is configured.

    Example:
        >>> blob_remote_of(repo)  # doctest: +SKIP
    """
    url, endpoint = blob_remote_location(repo)
    if url is None:
        return None
    return _open_cached(resolve_location(repo, url), endpoint)


def _is_plain_path(location: str) -> bool:
    return urlparse(location).scheme == "" and "://" not in location


def repository_relative(repo: Settled, location: str) -> str:
    """How a blob location given on this machine is stored: relative paths relative to the
    repository's root (interpreted from the current directory, as a shell would), the rest as is.

    Example:
        >>> repository_relative(repo, "../shared-blobs")  # doctest: +SKIP
        '../shared-blobs'
    """
    if not _is_plain_path(location) or os.path.isabs(os.path.expanduser(location)):
        return location
    absolute = os.path.abspath(location)
    return Path(os.path.relpath(absolute, repo.paths.root)).as_posix()


def resolve_location(repo: Settled, location: str) -> str:
    """The location to open: a stored relative path resolved against the repository's root.

    Example:
        >>> resolve_location(repo, "../shared-blobs")  # doctest: +SKIP
        '/home/ann/shared-blobs'
    """
    if not _is_plain_path(location):
        return location
    path = Path(location).expanduser()
    return str(path if path.is_absolute() else (Path(repo.paths.root) / path).resolve())


@functools.lru_cache(maxsize=8)
def _open_cached(url: str, endpoint: str | None) -> BlobRemote:
    # One client per location: on-demand reads of a directory artifact's many files would
    # otherwise build an S3 client per file (boto3 clients are thread-safe and reusable).
    from lamingit.storage.blobremote import open_blob_remote

    return open_blob_remote(url, endpoint_url=endpoint)
