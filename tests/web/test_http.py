"""The web UI over plain HTTP (no browser): escaping, read-only, traversal, downloads, disconnects."""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import blake3
import pytest

from tests.web.conftest import Served, build, start, stop

SECRETS = ("root:x:", "[build-system]", "[project]")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The test repository (with a 48 MB artifact) served read-only on 127.0.0.1."""
    base = tmp_path_factory.mktemp("web-http")
    root, uids, env = build(base, "--large")
    server = start(root, env, base)
    server.uids = uids
    yield server
    stop(server)


def request(
    served: Served, method: str, path: str, body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Send ``path`` exactly as given (no client-side normalisation of ``..``)."""
    parts = urlsplit(served.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.putheader("Content-Length", str(len(body or b"")))
        conn.endheaders(body)
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def test_pages_answer_with_safe_headers(served: Served) -> None:
    for path in ("/", "/artifacts", "/history", "/runs/", f"/runs/{served.uids['run']}", "/?at=v1"):
        status, headers, body = request(served, "GET", path)
        assert status == 200, (path, body[:300])
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert "default-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
    status, headers, body = request(served, "HEAD", "/")
    assert status == 200 and body == b""


def test_user_controlled_strings_are_escaped(served: Served) -> None:
    for path in ("/?q=xss", f"/artifacts/{served.uids['xss']}", "/history"):
        _, _, body = request(served, "GET", path)
        page = body.decode()
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page, path
        assert "<script>window.__pwned" not in page
        assert "<img src=x" not in page


def test_the_ui_is_read_only(served: Served) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        status, _, body = request(served, method, "/", b"key=evil")
        assert status == 405, method
        assert b"read-only" in body


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../../../etc/passwd",
        "/static/..%2f..%2f..%2f..%2fpyproject.toml",
        "/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
        "/static/ui.css/../../../../pyproject.toml",
        "/blobs/../../../../etc/passwd",
        "/blobs/..%2f..%2f..%2fetc%2fpasswd",
        "/artifacts/..%2f..%2f..%2fetc%2fpasswd/download",
        "/artifacts/../../../etc/passwd/raw",
        "//etc/passwd",
        "/..%5c..%5cpyproject.toml",
        "/records/..%2f..%2fconfig",
    ],
)
def test_no_path_outside_the_repository_is_served(served: Served, path: str) -> None:
    status, _, body = request(served, "GET", path)
    assert status >= 300, (path, status)
    assert not any(s.encode() in body for s in SECRETS), path


def test_a_foreign_host_name_is_refused_without_a_token(served: Served) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example."""
    parts = urlsplit(served.url)
    for host, allowed in (
        ("evil.example", False),
        (f"evil.example:{parts.port}", False),
        (f"localhost:{parts.port}", True),
        (f"127.0.0.1:{parts.port}", True),
        ("127.0.0.1", True),
    ):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.request("GET", "/", headers={"Host": host})
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
        assert (answer.status == 200) is allowed, (host, answer.status)
        if not allowed:
            assert answer.status == 403 and b"--token" in body and b"artifacts" not in body


def test_static_files_are_only_the_shipped_ones(served: Served) -> None:
    status, headers, body = request(served, "GET", "/static/ui.css")
    assert status == 200 and headers["content-type"].startswith("text/css") and b"body" in body
    assert request(served, "GET", "/static/__init__.py")[0] == 404
    assert request(served, "GET", "/static/app.py")[0] == 404


def test_download_streams_the_exact_bytes(served: Served) -> None:
    status, headers, body = request(served, "GET", f"/artifacts/{served.uids['xss']}/download")
    assert status == 200 and body == b"a\n1\n"
    # the key's <script> never reaches a header: the file name is sanitised
    assert headers["content-disposition"] == 'attachment; filename="script_.csv"'
    status, headers, body = request(served, "GET", f"/artifacts/{served.uids['large']}/download")
    assert status == 200 and int(headers["content-length"]) == len(body) == 48 << 20
    assert blake3.blake3(body).hexdigest() == body_hash(served, served.uids["large"])


def body_hash(served: Served, uid: str) -> str:
    _, _, page = request(served, "GET", f"/artifacts/{uid}")
    text = page.decode()
    start = text.index("hash: ") + len("hash: ")
    return text[start : start + 64]


def test_a_client_leaving_early_is_logged_in_one_line(served: Served) -> None:
    parts = urlsplit(served.url)
    path = f"/artifacts/{served.uids['large']}/download"
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        assert sock.recv(65536).startswith(b"HTTP/1.0 200")
        # An abortive close (RST), as a browser cancelling a download does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    deadline = time.monotonic() + 20
    while "disconnected early" not in served.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = [line for line in served.log().splitlines() if "disconnected early" in line]
    assert lines == [f"127.0.0.1 client disconnected early from GET {path} (BrokenPipeError)"] or (
        len(lines) == 1 and path in lines[0] and "ConnectionResetError" in lines[0]
    ), served.log()[-2000:]
    assert "Traceback" not in served.log()
    # and the server goes on serving
    assert request(served, "GET", "/")[0] == 200


def test_bad_input_is_a_one_line_error_page(served: Served) -> None:
    for path, status, text in (
        ("/?at=no-such-ref", 400, "?at="),
        ("/?at=2000-01-31", 400, "no commit at or before 2000-01-31"),
        ("/?at=2999-01-31", 200, "62 total"),
        ("/?sort=hash", 400, "cannot sort by"),
        ("/?feature=gc_content&amp;fvalue=x", 200, "page-info"),
        ("/?feature=gc_content&fvalue=abc", 400, "is not a number"),
        ("/artifacts/AAAAAAAAAAAAAAAAAAAA", 404, "no artifact"),
        ("/runs/nope", 404, "no run"),
        ("/nope", 404, "no page"),
        ("/?page=%C2%B2", 200, "page 1 of 2"),
        ("/?page=-3", 200, "page 1 of 2"),
        ("/?page=99999", 200, "page 99999 of 2"),
    ):
        got, _, body = request(served, "GET", path)
        assert got == status and text.encode() in body, (path, got, body[:500])


def test_describe_shows_locations_relative_to_the_repository(served: Served) -> None:
    status, _, body = request(served, "GET", f"/artifacts/{served.uids['hits']}")
    assert status == 200
    page = body.decode()
    for root in {str(served.root), str(served.root.resolve())}:
        assert root not in page  # the server's disk layout is not shown to visitors
    assert "storage path: .lamingit/objects/" in page
