"""Blob remotes: where the bytes of a repository live for others (a directory, S3, a server).

A blob remote stores blobs under the same ``ab/cd/<hex>`` names as the local store. Uploads
are atomic (a directory remote writes tmp+rename; an S3 PUT is all-or-nothing), so an
interrupted push never leaves a partial blob behind; downloads are verified against the hash
before they enter the local store.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import blake3

from lamingit._util import redact_url
from lamingit.errors import IntegrityError, InvalidArgument, RemoteError
from lamingit.storage.blobs import BlobStore
from lamingit.storage.hashing import CHUNK

WORKERS = 8


def blob_name(oid: str) -> str:
    """The relative name of a blob on a remote (same sharding as the local store).

    Example:
        >>> blob_name("abcdef")
        'ab/cd/abcdef'
    """
    return f"{oid[:2]}/{oid[2:4]}/{oid}"


class BlobRemote(Protocol):
    """What push, fetch and on-demand reads need from a blob remote."""

    url: str

    def has(self, oid: str) -> bool:
        """Tell whether the remote holds blob ``oid``."""

    def upload(self, oid: str, src: Path) -> None:
        """Store the local file ``src`` as blob ``oid`` (atomically)."""

    def download(self, oid: str, dest: Path) -> None:
        """Write blob ``oid`` to the new file ``dest`` (unverified; see :func:`fetch_blob`)."""


class DirectoryRemote:
    """Blobs in a directory (a mounted share, a USB disk, a path for tests).

    Example:
        >>> remote = DirectoryRemote("/mnt/share/blobs")  # doctest: +SKIP
        >>> remote.has("ab12…")  # doctest: +SKIP
    """

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = urlparse(url)
        self.root = Path(parsed.path if parsed.scheme == "file" else url).expanduser()

    def create(self) -> None:
        """Create the directory when its parent exists (an absent parent means a missing mount)."""
        if not self.root.is_dir() and self.root.parent.is_dir():
            self.root.mkdir()

    def _check(self) -> None:
        if not self.root.is_dir():
            raise RemoteError(
                f"the blob remote {self.url} is not reachable (no such directory); "
                "mount it, or point `[blobs] remote` in lamingit.toml elsewhere "
                "with `lamingit remote set-blobs LOCATION`"
            )

    def has(self, oid: str) -> bool:
        """Tell whether the remote holds blob ``oid``."""
        self._check()
        return (self.root / blob_name(oid)).is_file()

    def upload(self, oid: str, src: Path) -> None:
        """Copy ``src`` in under a temporary name, then rename: never a partial blob."""
        self._check()
        dest = self.root / blob_name(oid)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
        os.close(fd)
        try:
            shutil.copyfile(src, tmp)
            os.chmod(tmp, 0o444)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def download(self, oid: str, dest: Path) -> None:
        """Copy blob ``oid`` to ``dest``."""
        self._check()
        src = self.root / blob_name(oid)
        if not src.is_file():
            raise RemoteError(
                f"the blob remote {self.url} does not have the content {oid[:12]}…; "
                "ask whoever saved it to run `lamingit push`"
            )
        shutil.copyfile(src, dest)


class S3Remote:
    """Blobs in an S3-compatible bucket: ``s3://bucket/prefix``.

    Credentials come from boto3's usual chain (environment, ~/.aws, instance roles), never from
    the repository. ``endpoint_url`` selects a non-AWS service (MinIO, Ceph, moto).

    Example:
        >>> url = "http://127.0.0.1:9000"
        >>> remote = S3Remote("s3://lab-data/blobs", endpoint_url=url)  # doctest: +SKIP
    """

    def __init__(self, url: str, endpoint_url: str | None = None) -> None:
        import boto3
        from botocore.config import Config

        self.url = url
        parsed = urlparse(url)
        if not parsed.netloc:
            raise InvalidArgument(f"{url!r} names no bucket; write it as s3://BUCKET/PREFIX")
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        self.endpoint_url = endpoint_url
        config = Config(
            max_pool_connections=WORKERS * 2,
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
        )
        self._client: Any = boto3.client("s3", endpoint_url=endpoint_url, config=config)

    def _key(self, oid: str) -> str:
        return f"{self.prefix}/{blob_name(oid)}" if self.prefix else blob_name(oid)

    def _fail(self, exc: Exception, what: str) -> RemoteError:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return RemoteError(
            f"the blob remote {self.url}{where} failed while {what} ({type(exc).__name__}: "
            f"{exc}); check the endpoint, the bucket and your S3 credentials"
        )

    def has(self, oid: str) -> bool:
        """Tell whether the bucket holds blob ``oid`` (a HEAD request)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.head_object(Bucket=self.bucket, Key=self._key(oid))
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._fail(exc, "checking a blob") from None
        except BotoCoreError as exc:
            raise self._fail(exc, "checking a blob") from None
        return True

    def list_oids(self) -> set[str]:
        """Every blob oid in the bucket under the prefix (paged listing: 1,000 per request).

        Cheaper than one HEAD per blob when checking many (a first push of a big repository).
        """
        from botocore.exceptions import BotoCoreError, ClientError

        out: set[str] = set()
        prefix = f"{self.prefix}/" if self.prefix else ""
        try:
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    out.add(str(item["Key"]).rsplit("/", 1)[-1])
        except (BotoCoreError, ClientError) as exc:
            raise self._fail(exc, "listing blobs") from None
        return out

    def upload(self, oid: str, src: Path) -> None:
        """Upload ``src`` as one object (multipart for large files; atomic either way)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.upload_file(str(src), self.bucket, self._key(oid))
        except (BotoCoreError, ClientError) as exc:
            raise self._fail(exc, "uploading") from None

    def download(self, oid: str, dest: Path) -> None:
        """Download blob ``oid`` to ``dest``."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.download_file(self.bucket, self._key(oid), str(dest))
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                raise RemoteError(
                    f"the blob remote {self.url} does not have the content {oid[:12]}…; "
                    "ask whoever saved it to run `lamingit push`"
                ) from None
            raise self._fail(exc, "downloading") from None
        except BotoCoreError as exc:
            raise self._fail(exc, "downloading") from None


def _split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """A URL without its ``user:token@`` part, and the Basic auth header that carries it.

    ``lamingit serve --token`` accepts the token as a URL's password, as git sends it.

    Example:
        >>> _split_credentials("http://t:abc@host:1/")
        ('http://host:1/', {'Authorization': 'Basic dDphYmM='})
    """
    import base64
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url, {}
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    pair = f"{unquote(parts.username or '')}:{unquote(parts.password)}".encode()
    header = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    return urlunsplit(parts._replace(netloc=netloc)), header


class HttpRemote:
    """Blobs behind a ``lamingit serve`` server: ``GET``/``HEAD``/``PUT <url>/blobs/<oid>``.

    The server verifies uploads against their hash; downloads are verified here by
    :func:`fetch_blob`. Standard library only (urllib).

    Example:
        >>> remote = HttpRemote("http://127.0.0.1:8765/")
        >>> remote.blob_url("ab" * 32)[:32]
        'http://127.0.0.1:8765/blobs/abab'
    """

    TIMEOUT = 60.0

    def __init__(self, url: str) -> None:
        self.url = redact_url(url)  # for messages only
        # A token in the URL (http://any:TOKEN@host/) goes in a header, never in messages.
        plain, self._auth = _split_credentials(url)
        self.base = plain.rstrip("/")

    def blob_url(self, oid: str) -> str:
        """The URL of blob ``oid`` on the server."""
        return f"{self.base}/blobs/{oid}"

    def _open(self, oid: str, method: str, data: Any = None, size: int | None = None) -> Any:
        import urllib.error
        import urllib.request

        headers = {"Content-Length": str(size)} if size is not None else {}
        headers.update(self._auth)
        request = urllib.request.Request(
            self.blob_url(oid), data=data, method=method, headers=headers
        )
        try:
            return urllib.request.urlopen(request, timeout=self.TIMEOUT)
        except urllib.error.HTTPError as exc:
            return exc  # an HTTP answer with a status: the caller decides what it means
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteError(
                f"the blob server {self.base} is not reachable ({reason}); "
                "is `lamingit serve` running there?"
            ) from None

    def _fail(self, response: Any, what: str) -> RemoteError:
        text = response.read().decode(errors="replace").strip()
        return RemoteError(
            f"the blob server {self.base} refused {what} (HTTP {response.status}): {text}"
        )

    def has(self, oid: str) -> bool:
        """Tell whether the server holds blob ``oid`` (a HEAD request)."""
        with self._open(oid, "HEAD") as response:
            if response.status == 200:
                return True
            if response.status == 404:
                return False
            raise self._fail(response, "a blob check")

    def upload(self, oid: str, src: Path) -> None:
        """PUT ``src`` as blob ``oid``; the server stores it only if the bytes hash to ``oid``."""
        with open(src, "rb") as fh, self._open(oid, "PUT", fh, src.stat().st_size) as response:
            if response.status not in (200, 201):
                raise self._fail(response, "an upload")

    def download(self, oid: str, dest: Path) -> None:
        """GET blob ``oid`` into ``dest``."""
        with self._open(oid, "GET") as response:
            if response.status == 404:
                raise RemoteError(
                    f"the blob server {self.base} does not have the content {oid[:12]}…; "
                    "ask whoever saved it to run `lamingit push`"
                )
            if response.status != 200:
                raise self._fail(response, "a download")
            with open(dest, "wb") as out:
                while chunk := response.read(CHUNK):
                    out.write(chunk)


def server_info(url: str, timeout: float = 5.0) -> dict[str, Any] | None:
    """What a ``lamingit serve`` server at ``url`` says about itself, or None if it is none.

    Example:
        >>> server_info("http://127.0.0.1:8765/")  # doctest: +SKIP
        {'lamingit': 1, 'blobs': 'blobs/', 'writable': False}
    """
    import json
    import urllib.request

    plain, auth = _split_credentials(url)
    request = urllib.request.Request(f"{plain.rstrip('/')}/lamingit.json", headers=auth)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            data = json.loads(r.read(65536))
    except (OSError, ValueError):
        return None  # not a lamingit server (a git host, a proxy): nothing to learn
    return data if isinstance(data, dict) and "lamingit" in data else None


def open_blob_remote(url: str, endpoint_url: str | None = None) -> BlobRemote:
    """A blob remote for ``url``: ``s3://bucket/prefix``, ``file:///path``, a plain path, or
    ``http(s)://host:port/`` of a ``lamingit serve`` server.

    Example:
        >>> open_blob_remote("/mnt/share/blobs").url
        '/mnt/share/blobs'
    """
    scheme = urlparse(url).scheme
    if scheme == "s3":
        return S3Remote(url, endpoint_url=endpoint_url)
    if scheme in ("", "file"):
        return DirectoryRemote(url)
    if scheme in ("http", "https"):
        return HttpRemote(url)
    raise InvalidArgument(
        f"unsupported blob remote {url!r}; use a directory path, file:///PATH, "
        "s3://BUCKET/PREFIX or the http:// URL of a `lamingit serve` server"
    )


def fetch_blob(remote: BlobRemote, store: BlobStore, oid: str) -> Path:
    """Download blob ``oid`` into ``store``, verifying its hash; return its local path.

    The bytes land in a temporary file first; if they do not hash to ``oid`` they are deleted
    and ``IntegrityError`` is raised, so bad bytes are never kept.

    Example:
        >>> fetch_blob(remote, repo.blobs, artifact.hash)  # doctest: +SKIP
    """
    dest = store.path_for(oid)
    if dest.exists():
        return dest
    tmpdir = store.root / "tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=tmpdir, prefix="fetch-")
    os.close(fd)
    try:
        remote.download(oid, Path(tmp))
        hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
        with open(tmp, "rb") as fh:
            while chunk := fh.read(CHUNK):
                hasher.update(chunk)
        if hasher.hexdigest() != oid:
            raise IntegrityError(
                f"the blob remote {remote.url} returned bytes for {oid[:12]}… that do not match "
                "that hash; they were discarded. Repair the remote's copy (re-push it from a "
                "clone that has it)"
            )
        os.chmod(tmp, 0o444)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest


def parallel(
    items: Iterable[str],
    work: Callable[[str], Any],
    on_done: Callable[[str], None] | None = None,
    workers: int = WORKERS,
) -> list[tuple[str, BaseException]]:
    """Run ``work`` on every item in threads; return the failures (item, error).

    All items are attempted even when some fail, so a retried push has less left to do.

    Example:
        >>> parallel(["a", "b"], len)
        []
    """
    failures: list[tuple[str, BaseException]] = []

    def one(item: str) -> None:
        try:
            work(item)
        except Exception as exc:  # collected and reported together by the caller
            failures.append((item, exc))
        finally:
            if on_done is not None:
                on_done(item)

    todo = list(items)
    if len(todo) <= 1:
        for item in todo:
            one(item)
        return failures
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, todo))
    return failures
