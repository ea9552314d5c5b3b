"""``lamingit serve [PATH]``: share a repository over HTTP (clone, fetch, push, blobs)."""

from __future__ import annotations

import ipaddress
import signal
import threading
from pathlib import Path
from types import FrameType

import click


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free port, printed at start).",
)
@click.option(
    "--writable", is_flag=True, help="Accept pushes and blob uploads (default: read-only)."
)
def serve(path: Path | None, host: str, port: int, writable: bool) -> None:
    """Serve the repository at PATH (default: the current one) over HTTP until stopped.

    Teammates clone with `lamingit clone http://HOST:PORT/ DIR` and get blobs from this
    server on demand. Read-only unless --writable. No authentication: it listens on
    loopback unless --host says otherwise. Ctrl-C or SIGTERM stops it.

    Example: lamingit serve ~/mydata --host 0.0.0.0 --port 8765 --writable
    """
    from lamingit.errors import InvalidArgument
    from lamingit.remote.server import LamingitServer
    from lamingit.repo import Repository, discover
    from lamingit.session import SESSION

    if path is not None:
        root = discover(path)
        if root is None:
            raise InvalidArgument(f"{path} is not inside a lamingit repository")
        repo = Repository(root)
    else:
        repo = SESSION.repository()
    try:
        server = LamingitServer(repo, (host, port), writable)
    except OSError as exc:
        raise InvalidArgument(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
            "pick another --port (or --port 0 for any free one)"
        ) from None
    if not _loopback(host):
        click.echo(
            f"warning: serving on {host} without authentication: anyone who can reach this "
            f"port can clone{' and push' if writable else ''}; use it on a trusted network only",
            err=True,
        )

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever() to return, so it must run in another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = signal.signal(signal.SIGTERM, stop)
    mode = "read-write" if writable else "read-only"
    click.echo(f"serving {repo.root} at {server.url} ({mode})")
    shown = server.url
    if host in ("0.0.0.0", "::"):
        # Listening on every interface: teammates need a name for this machine, not 0.0.0.0.
        import socket

        shown = f"http://{socket.gethostname()}:{server.server_address[1]}/"
    click.echo(f"clone it with: lamingit clone {shown} DIR")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
    click.echo("stopped")
