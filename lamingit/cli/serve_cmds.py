"""``lamingit serve [PATH]``: share a repository over HTTP (clone, fetch, push, blobs, web UI)."""

from __future__ import annotations

import ipaddress
import os
import re
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


_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{16,512}")


def _read_token(token: str | None, token_file: Path | None) -> str | None:
    """The token from --token or --token-file (one line), checked; None when neither."""
    from lamingit.errors import InvalidArgument

    if token is not None and token_file is not None:
        raise InvalidArgument("give --token or --token-file, not both")
    if token_file is not None:
        try:
            lines = token_file.read_text().strip().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidArgument(f"cannot read the token file {token_file}: {exc}") from None
        token = lines[0].strip() if lines else ""
    if token is None:
        return None
    if not _TOKEN.fullmatch(token):
        raise InvalidArgument(
            "a token must be 16 to 512 characters of A-Z a-z 0-9 . _ ~ + / = -; "
            'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    return token


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
@click.option(
    "--token",
    envvar="LAMINGIT_SERVE_TOKEN",
    help="Require this token on every request (needed for any --host but loopback).",
)
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Read the token from this file's first line (keeps it out of `ps`).",
)
@click.option("--no-ui", is_flag=True, help="Serve git and blobs only, without the web pages.")
def serve(
    path: Path | None,
    host: str,
    port: int,
    writable: bool,
    token: str | None,
    token_file: Path | None,
    no_ui: bool,
) -> None:
    """Serve the repository at PATH (default: the current one) over HTTP until stopped.

    Browse it at http://HOST:PORT/ (read-only web pages: artifacts, lineage, runs, history,
    any page as of a commit with ?at=REF). Teammates clone with
    `lamingit clone http://HOST:PORT/ DIR` and get blobs from this server on demand.
    Read-only unless --writable (which only allows git push and blob uploads). Listens on
    127.0.0.1; any other --host needs --token or --token-file, checked on every request.
    Ctrl-C or SIGTERM stops it.

    Example: lamingit serve ~/mydata --host 0.0.0.0 --token-file ~/.lamingit-token
    """
    from lamingit.errors import InvalidArgument
    from lamingit.remote.server import LamingitServer, WebApp
    from lamingit.repo import discover
    from lamingit.session import SESSION

    secret = _read_token(token, token_file)
    if secret is None and not _loopback(host):
        raise InvalidArgument(
            f"serving on {host} (not loopback) needs --token or --token-file, so that only "
            "people you give the token to can read it; or keep the default --host 127.0.0.1"
        )
    if path is not None:
        root = discover(path)
        if root is None:
            raise InvalidArgument(f"{path} is not inside a lamingit repository")
        # The web pages read through ln.at(), which opens the session's repository: point the
        # session here for this process only (no change to the user's default repository).
        os.environ["LAMINGIT_REPO"] = str(root)
    repo = SESSION.repository()
    app: WebApp | None = None
    if not no_ui:
        from lamingit.web import WebUI

        app = WebUI(repo)
    try:
        server = LamingitServer(repo, (host, port), writable, token=secret, app=app)
    except OSError as exc:
        raise InvalidArgument(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
            "pick another --port (or --port 0 for any free one)"
        ) from None

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
    if app is not None:
        click.echo(f"browse it at: {shown}" + (f"?token={secret}" if secret else ""))
    if secret:
        authed = shown.replace("http://", f"http://token:{secret}@", 1)
        click.echo(f"clone it with: lamingit clone {authed} DIR")
    else:
        click.echo(f"clone it with: lamingit clone {shown} DIR")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
    click.echo("stopped")
