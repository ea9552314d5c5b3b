"""``lamingit serve``: a client that hangs up mid-download is one log line, not a traceback."""

from __future__ import annotations

import os
import signal
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import lamingit as ln
from tests.remote.test_serve import Server, serve  # noqa: F401  (the fixture)


def test_client_disconnecting_early_is_logged_in_one_line(
    repo: Path,
    serve: Callable[..., Server],  # noqa: F811
) -> None:
    big = Path(os.getcwd()) / "big.bin"
    big.write_bytes(os.urandom(1 << 20) * 24)  # 24 MiB: more than the socket buffers hold
    artifact = ln.Artifact(big, key="big.bin").save()
    server = serve()
    parts = urlsplit(server.url)
    for _ in range(3):
        with socket.create_connection((parts.hostname, parts.port)) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            request = f"GET /blobs/{artifact.hash} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n"
            sock.sendall(request.encode())
            assert sock.recv(4096).startswith(b"HTTP/1.")
            # close with a reset (linger 0), as a killed client does
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    time.sleep(1.0)
    server.proc.send_signal(signal.SIGTERM)
    _out, err = server.proc.communicate(timeout=20)
    assert "Traceback" not in err, err
    dropped = [line for line in err.splitlines() if "client disconnected early" in line]
    assert len(dropped) == 3, err
    assert all(
        line.endswith(("(ConnectionResetError)", "(BrokenPipeError)")) for line in dropped
    ), err
