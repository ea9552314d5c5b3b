"""``lamingit serve``: one repository over HTTP — git smart HTTP for metadata, blobs by hash.

Git requests are handed to ``git http-backend`` (CGI), so clone, fetch and push speak the
real git protocol; ``/blobs/<oid>`` serves (and, when writable, accepts) blobs, verified
against their hash; ``/lamingit.json`` tells a cloning ``lamingit`` that blobs live here.
Any other path goes to an optional ``app`` (the web UI, composed by the CLI). A ``token``,
when set, is checked on every request. Standard library only.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import blake3

from lamingit._util import redact_url
from lamingit.blob_settings import blob_remote_of
from lamingit.errors import LamingitError
from lamingit.remote.gitcli import git_exe
from lamingit.repo import Repository

INFO_PATH = "/lamingit.json"
BLOB_PREFIX = "/blobs/"
GIT_PATHS = ("/info/refs", "/git-upload-pack", "/git-receive-pack")
CHUNK = 1 << 20
_OID = re.compile(r"[0-9a-f]{64}")
READ_ONLY = (
    "this lamingit server is read-only; ask its owner to restart it with "
    "`lamingit serve --writable`, or push to another remote"
)


TOKEN_COOKIE = "lamingit_token"
TOKEN_PARAM = "token"


@dataclass(frozen=True)
class WebRequest:
    """A GET or HEAD request handed to the server's ``app`` (path and query decoded)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class WebResponse:
    """What an ``app`` answers: a status, a content type, and bytes or a stream of them."""

    status: int
    content_type: str
    body: bytes | Iterable[bytes] = b""
    length: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


WebApp = Callable[[WebRequest], WebResponse]
"""The hook for non-git routes: the CLI passes the web UI here."""


def _pkt(text: str) -> bytes:
    data = text.encode()
    return f"{len(data) + 4:04x}".encode() + data


class LamingitServer(ThreadingHTTPServer):
    """An HTTP server for one repository (``writable`` allows pushes and blob uploads).

    Example:
        >>> server = LamingitServer(repo, ("127.0.0.1", 0), writable=False)  # doctest: +SKIP
        >>> server.serve_forever()  # doctest: +SKIP
    """

    daemon_threads = True

    def __init__(
        self,
        repo: Repository,
        address: tuple[str, int],
        writable: bool,
        *,
        token: str | None = None,
        app: WebApp | None = None,
    ) -> None:
        self.repo = repo
        self.writable = writable
        self.token = token
        self.app = app
        if ":" in address[0]:
            self.address_family = socket.AF_INET6  # an IPv6 literal such as ::1
        super().__init__(address, _Handler)

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        """A client that hung up early is one log line; anything else keeps its traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            host = client_address[0] if isinstance(client_address, tuple) else client_address
            sys.stderr.write(f"{host} client disconnected early ({type(exc).__name__})\n")
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        """The base URL clients use (``http://host:port/``)."""
        host, port = self.server_address[:2]
        text = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{text}]" if ":" in text else text
        return f"http://{shown}:{port}/"


class _Handler(BaseHTTPRequestHandler):
    server: LamingitServer
    server_version = "lamingit"

    def log_message(self, format: str, *args: object) -> None:
        # One access line per request on stderr, as http.server does, but without the date.
        # A ?token= in a request line (the browse link) is never logged.
        sys.stderr.write(f"{self.address_string()} {redact_url(format % args)}\n")

    # -- dispatch -------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as exc:
            # The client went away mid-answer (a cancelled download, a closed tab): one line.
            self.close_connection = True
            self.log_message(
                "client disconnected early from %s %s (%s)",
                self.command,
                urlsplit(self.path).path[:200],
                type(exc).__name__,
            )

    def _route(self) -> None:
        path = urlsplit(self.path).path
        if not self._authorized():
            return
        try:
            if path == INFO_PATH and self.command in ("GET", "HEAD"):
                self._info()
            elif path.startswith(BLOB_PREFIX):
                self._blob(path[len(BLOB_PREFIX) :])
            elif path in GIT_PATHS:
                self._git(path)
            elif self.server.app is not None:
                self._web(path)
            else:
                self._text(HTTPStatus.NOT_FOUND, f"no such path {path!r} on a lamingit server")
        except LamingitError as exc:
            self._text(HTTPStatus.BAD_GATEWAY, str(exc))

    # -- authentication -------------------------------------------------------------------
    def _offered_tokens(self) -> list[str]:
        """Tokens the request carries: a Bearer or Basic header (git), or the UI's cookie."""
        offered = []
        auth = self.headers.get("Authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer":
            offered.append(value.strip())
        elif scheme.lower() == "basic":
            # git sends a URL's password this way: http://any:TOKEN@host:port/
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode()
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            offered.append(decoded.partition(":")[2])
        try:
            cookie = SimpleCookie(self.headers.get("Cookie", ""))
        except CookieError:
            cookie = SimpleCookie()
        if TOKEN_COOKIE in cookie:
            offered.append(cookie[TOKEN_COOKIE].value)
        return offered

    def _loopback_host(self) -> bool:
        """Whether the Host header names this machine (a DNS-rebinding page names another)."""
        host = self.headers.get("Host", "")
        name = (
            host[1:].partition("]")[0] if host.startswith("[") else host.rpartition(":")[0] or host
        )
        bound = self.server.server_address[0]
        return name.lower() in ("localhost", "127.0.0.1", "::1", str(bound).lower())

    def _authorized(self) -> bool:
        """True when no token is required or the request has it; else answer 401 and say no."""
        token = self.server.token
        if token is None:
            if self._loopback_host():
                return True
            # Without a token only loopback can connect, but a web page whose domain is made to
            # resolve to 127.0.0.1 (DNS rebinding) would still reach us: its Host gives it away.
            self._drain()
            self._text(
                HTTPStatus.FORBIDDEN,
                "this lamingit server answers only requests for localhost or 127.0.0.1; "
                "to serve other names, restart it with --token",
            )
            return False
        expected = token.encode()
        # compare_digest takes the same time wherever the strings differ (no timing oracle).
        if any(hmac.compare_digest(t.encode(), expected) for t in self._offered_tokens()):
            return True
        parts = urlsplit(self.path)
        query = parse_qsl(parts.query, keep_blank_values=True)
        given = [v for k, v in query if k == TOKEN_PARAM]
        if (
            given
            and self.command in ("GET", "HEAD")
            and hmac.compare_digest(given[-1].encode(), expected)
        ):
            # A link with ?token= signs the browser in once: a cookie, then the clean URL.
            rest = urlencode([(k, v) for k, v in query if k != TOKEN_PARAM])
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header(
                "Set-Cookie",
                f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict",
            )
            self.send_header("Location", parts.path + (f"?{rest}" if rest else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False
        self._drain()
        body = (
            "this lamingit server needs its token: open the link with ?token=… that its owner "
            "printed, or send 'Authorization: Bearer TOKEN' (git: http://user:TOKEN@host:port/)\n"
        ).encode()
        self.send_response(HTTPStatus.UNAUTHORIZED)
        self.send_header("WWW-Authenticate", 'Basic realm="lamingit", charset="UTF-8"')
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return False

    # -- the web UI -----------------------------------------------------------------------
    def _web(self, path: str) -> None:
        assert self.server.app is not None
        if self.command not in ("GET", "HEAD"):
            self._drain()
            self._text(HTTPStatus.METHOD_NOT_ALLOWED, "the lamingit web UI is read-only (GET)")
            return
        query = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            answer = self.server.app(WebRequest(self.command, path, query, headers))
        except Exception as exc:  # the app's bug must not drop the connection unanswered
            self.log_message("web app failed on %s: %s: %s", path[:200], type(exc).__name__, exc)
            self._text(HTTPStatus.INTERNAL_SERVER_ERROR, f"this page failed: {type(exc).__name__}")
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        # Defence in depth: pages load only their own scripts and styles; no framing.
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
        )
        for name, value in answer.headers:
            self.send_header(name, value)
        body = answer.body
        length = len(body) if isinstance(body, bytes) else answer.length
        if length is not None:
            self.send_header("Content-Length", str(length))
        else:
            self.close_connection = True  # the end of the body is the end of the connection
        self.end_headers()
        if self.command == "HEAD":
            if not isinstance(body, bytes) and hasattr(body, "close"):
                body.close()
            return
        if isinstance(body, bytes):
            self.wfile.write(body)
            return
        try:
            for chunk in body:
                self.wfile.write(chunk)
        finally:
            if hasattr(body, "close"):
                body.close()

    def _text(self, status: HTTPStatus, message: str) -> None:
        body = (message + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _info(self) -> None:
        body = json.dumps({"lamingit": 1, "blobs": "blobs/", "writable": self.server.writable})
        data = body.encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    # -- request bodies -------------------------------------------------------------------
    def _body_chunks(self) -> Iterator[bytes]:
        """The request body, whether sent with Content-Length or chunked."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return
                remaining = size
                while remaining:
                    chunk = self.rfile.read(min(CHUNK, remaining))
                    if not chunk:
                        return
                    remaining -= len(chunk)
                    yield chunk
                self.rfile.readline()
            return
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining > 0:
            chunk = self.rfile.read(min(CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk

    # -- blobs ----------------------------------------------------------------------------
    def _blob(self, oid: str) -> None:
        if not _OID.fullmatch(oid):
            self._text(HTTPStatus.NOT_FOUND, f"{oid[:80]!r} is not a content hash (64 hex)")
            return
        if self.command == "PUT":
            self._put_blob(oid)
        elif self.command in ("GET", "HEAD"):
            self._get_blob(oid)
        else:
            self._text(HTTPStatus.METHOD_NOT_ALLOWED, "blobs take GET, HEAD and PUT")

    def _local_blob(self, oid: str) -> Path | None:
        store = self.server.repo.blobs
        if store.has(oid):
            return store.path_for(oid)
        # Not here: the served repository's own blob remote may have it (serve as a proxy).
        remote = blob_remote_of(self.server.repo)
        if remote is None:
            return None
        if self.command == "HEAD":
            return store.path_for(oid) if remote.has(oid) else None
        from lamingit.storage.blobremote import fetch_blob

        if not remote.has(oid):
            return None
        return fetch_blob(remote, store, oid)

    def _get_blob(self, oid: str) -> None:
        path = self._local_blob(oid)
        if path is None:
            self._text(
                HTTPStatus.NOT_FOUND,
                f"this server does not have the content {oid[:12]}…; "
                "ask whoever saved it to run `lamingit push`",
            )
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/octet-stream")
        if self.command == "HEAD" and not path.exists():
            self.end_headers()  # held by the upstream blob remote; size unknown here
            return
        self.send_header("Content-Length", str(path.stat().st_size))
        self.end_headers()
        if self.command == "HEAD":
            return
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                self.wfile.write(chunk)

    def _put_blob(self, oid: str) -> None:
        if not self.server.writable:
            self._drain()
            self._text(HTTPStatus.FORBIDDEN, READ_ONLY)
            return
        store = self.server.repo.blobs
        tmpdir = store.root / "tmp"
        tmpdir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=tmpdir, prefix="put-")
        try:
            hasher = blake3.blake3()
            with os.fdopen(fd, "wb") as fh:
                for chunk in self._body_chunks():
                    hasher.update(chunk)
                    fh.write(chunk)
            if hasher.hexdigest() != oid:
                Path(tmp).unlink(missing_ok=True)
                self._text(
                    HTTPStatus.BAD_REQUEST,
                    f"the uploaded bytes do not hash to {oid[:12]}…; nothing was stored",
                )
                return
            store.commit_staged(Path(tmp), oid)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._text(HTTPStatus.CREATED, f"stored {oid}")

    def _drain(self) -> None:
        for _ in self._body_chunks():
            pass

    # -- git smart HTTP -------------------------------------------------------------------
    def _git(self, path: str) -> None:
        query = urlsplit(self.path).query
        pushing = path == "/git-receive-pack" or "service=git-receive-pack" in query
        if pushing and not self.server.writable:
            self._drain()
            self._refuse_push(path)
            return
        if self.command not in ("GET", "POST"):
            self._text(HTTPStatus.METHOD_NOT_ALLOWED, "git requests take GET and POST")
            return
        body = b"".join(self._body_chunks()) if self.command == "POST" else b""
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
            "GIT_PROJECT_ROOT": str(self.server.repo.paths.gitdir),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": self.client_address[0],
            "SERVER_PROTOCOL": "HTTP/1.1",
            "GATEWAY_INTERFACE": "CGI/1.1",
        }
        for header, var in (
            ("Content-Encoding", "HTTP_CONTENT_ENCODING"),
            ("Git-Protocol", "HTTP_GIT_PROTOCOL"),
        ):
            if self.headers.get(header):
                env[var] = self.headers[header]
        if self.server.writable:
            # http-backend refuses receive-pack to anonymous users unless this is set.
            env.update(
                {
                    "GIT_CONFIG_COUNT": "1",
                    "GIT_CONFIG_KEY_0": "http.receivepack",
                    "GIT_CONFIG_VALUE_0": "true",
                }
            )
        proc = subprocess.run(
            [git_exe(), "http-backend"], input=body, capture_output=True, env=env, check=False
        )
        self._relay_cgi(proc.stdout, proc.stderr)

    def _relay_cgi(self, out: bytes, err: bytes) -> None:
        cut = min((i for i in (out.find(b"\r\n\r\n"), out.find(b"\n\n")) if i >= 0), default=-1)
        if cut < 0:
            detail = err.decode(errors="replace").strip().splitlines()
            self._text(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                f"git http-backend failed: {detail[-1] if detail else 'no output'}",
            )
            return
        sep = 4 if out[cut : cut + 4] == b"\r\n\r\n" else 2
        head, body = out[:cut].decode("latin-1"), out[cut + sep :]
        status = HTTPStatus.OK
        headers: list[tuple[str, str]] = []
        for line in head.splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = HTTPStatus(int(value.strip().split()[0]))
            elif name:
                headers.append((name.strip(), value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _refuse_push(self, path: str) -> None:
        if path == "/info/refs":
            # Git prints an "ERR" line of the advertisement as "remote error: …".
            body = _pkt("# service=git-receive-pack\n") + b"0000" + _pkt(f"ERR {READ_ONLY}\n")
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/x-git-receive-pack-advertisement")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self._text(HTTPStatus.FORBIDDEN, READ_ONLY)


__all__ = ["LamingitServer", "WebApp", "WebRequest", "WebResponse"]
