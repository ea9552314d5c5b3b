"""``lamingit serve``: a real server subprocess on loopback; clone, query, load, push over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import blake3
import pytest

import lamingit as ln
from lamingit.errors import RemoteError
from lamingit.remote.sync import clone, push
from lamingit.session import SESSION
from lamingit.storage.blobremote import HttpRemote
from tests.remote.conftest import ROOT, free_port, save_text

Cli = Callable[..., subprocess.CompletedProcess[str]]


class Server:
    """``lamingit serve`` running as a subprocess; ``url`` is what it printed."""

    def __init__(self, repo: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lamingit.cli.main", "serve", str(repo), "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()  # "serving PATH at URL (mode)"
        if " at " not in first:
            self.proc.kill()
            raise AssertionError(f"serve did not start: {first!r} {self.proc.stderr.read()!r}")  # type: ignore[union-attr]
        self.url = first.split(" at ")[1].split()[0]
        # The start-up lines, read here: communicate() later cannot see what readline buffered.
        self.banner = [first]
        self.err = ""  # what it wrote to stderr (its access log), once stopped
        while not self.banner[-1].startswith("clone it with"):
            self.banner.append(self.proc.stdout.readline())

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        self.proc.send_signal(sig)
        out, self.err = self.proc.communicate(timeout=20)
        return self.proc.returncode, out


@pytest.fixture
def serve(repo: Path) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(*args: str, path: Path | None = None) -> Server:
        server = Server(path or repo, *args)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.proc.poll() is None:
            server.stop()


def _blob_ok(repo_root: Path, oid: str) -> bool:
    path = repo_root / ".lamingit" / "objects" / oid[:2] / oid[2:4] / oid
    return path.is_file() and blake3.blake3(path.read_bytes()).hexdigest() == oid


def test_clone_query_and_load_over_http(
    repo: Path, serve: Callable[..., Server], cli: Cli, tmp_path: Path
) -> None:
    genes = save_text("genes.tsv", "gene\nTP53\n", description="TP53 gene list")
    folder = Path(os.getcwd()) / "plates"
    folder.mkdir()
    (folder / "p1.csv").write_text("well,value\nA1,3\n")
    (folder / "p2.csv").write_text("well,value\nA1,4\n")
    ln.Artifact(folder, key="plates").save()
    server = serve()
    copy = tmp_path / "copy"
    cloned = cli("clone", server.url, str(copy), "--json")
    assert cloned.returncode == 0, cloned.stderr
    assert json.loads(cloned.stdout)["blob_remote"] == server.url
    listed = json.loads(cli("ls", "--json", cwd=copy).stdout)
    assert sorted(a["key"] for a in listed) == ["genes.tsv", "plates"]
    found = json.loads(cli("search", "tp53", "--json", cwd=copy).stdout)
    assert [a["uid"] for a in found] == [genes.uid]
    assert not (copy / ".lamingit" / "objects" / genes.hash[:2]).exists()  # lazily fetched
    loaded = cli("load", "genes.tsv", cwd=copy)
    assert loaded.returncode == 0, loaded.stderr
    assert Path(loaded.stdout.strip()).read_text() == "gene\nTP53\n"
    assert _blob_ok(copy, genes.hash)
    plates = cli("load", "plates", cwd=copy)
    assert plates.returncode == 0, plates.stderr
    assert (Path(plates.stdout.strip()) / "p2.csv").read_text() == "well,value\nA1,4\n"
    code, out = server.stop()
    assert code == 0 and out.strip().endswith("stopped")


def test_read_only_server_refuses_pushes_with_a_clear_message(
    repo: Path, serve: Callable[..., Server], cli: Cli, tmp_path: Path
) -> None:
    save_text("a.txt", "a\n")
    served_head = SESSION.repository().git.head()
    server = serve()
    copy = tmp_path / "copy"
    assert cli("clone", server.url, str(copy)).returncode == 0
    (tmp_path / "new.txt").write_text("new\n")
    assert cli("save", str(tmp_path / "new.txt"), "--key", "new.txt", cwd=copy).returncode == 0
    pushed = cli("push", cwd=copy)
    assert pushed.returncode == 1
    assert "read-only" in pushed.stderr and "--writable" in pushed.stderr
    # A push without new blobs reaches git itself, which is refused the same way.
    fresh = tmp_path / "fresh"
    assert cli("clone", server.url, str(fresh)).returncode == 0
    code = "import lamingit as ln; ln.Project(name='metadata only').save()"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], cwd=fresh, env=env, check=True)
    pushed = cli("push", cwd=fresh)
    assert pushed.returncode == 1
    assert "refused the push" in pushed.stderr and "read-only" in pushed.stderr
    assert SESSION.repository().git.head() == served_head
    bad = urllib.request.Request(f"{server.url}blobs/{'0' * 64}", data=b"x", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(bad, timeout=10)
    assert refused.value.code == 403


def test_writable_server_accepts_push_and_verifies_uploads(
    repo: Path, serve: Callable[..., Server], cli: Cli, tmp_path: Path
) -> None:
    save_text("a.txt", "a\n")
    server = serve("--writable")
    copy = tmp_path / "copy"
    assert cli("clone", server.url, str(copy)).returncode == 0
    (tmp_path / "b.txt").write_text("from bob\n")
    saved = cli("save", str(tmp_path / "b.txt"), "--key", "b.txt", "--json", cwd=copy)
    oid = json.loads(saved.stdout)["hash"]
    pushed = cli("push", cwd=copy)
    assert pushed.returncode == 0, pushed.stderr
    assert _blob_ok(repo, oid)  # the blob went into the served repository's store
    assert ln.Artifact.get(key="b.txt").load() == "from bob\n"  # and the commit into its branch
    # Uploads are verified: bytes that do not hash to the name are refused, nothing stored.
    wrong = "1" * 64
    bad = urllib.request.Request(f"{server.url}blobs/{wrong}", data=b"not it", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(bad, timeout=10)
    assert refused.value.code == 400 and b"do not hash" in refused.value.read()
    assert not (repo / ".lamingit" / "objects" / "11").exists()
    remote = HttpRemote(server.url)
    assert remote.has(oid) and not remote.has(wrong)
    # A chunked upload (as git and proxies send large bodies) is reassembled and verified.
    import http.client
    from urllib.parse import urlsplit

    parts = [b"first part, ", b"second part\n"]
    chunked_oid = blake3.blake3(b"".join(parts)).hexdigest()
    conn = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=10)
    conn.request("PUT", f"/blobs/{chunked_oid}", body=iter(parts), encode_chunked=True)
    assert conn.getresponse().status == 201
    conn.close()
    assert _blob_ok(repo, chunked_oid)
    for path in ("blobs/xyz", "etc/passwd", "objects/info/packs"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(server.url + path, timeout=10)
        assert missing.value.code == 404
    code, _ = server.stop(signal.SIGINT)  # Ctrl-C
    assert code == 0


def test_server_proxies_its_own_blob_remote_and_a_mounted_one_is_read_directly(
    origin: Path, bare_remote: Path, serve: Callable[..., Server], cli: Cli, tmp_path: Path
) -> None:
    shared = save_text("shared.txt", "kept on the blob remote\n")
    push(SESSION.repository())
    carol = clone(str(bare_remote), tmp_path / "carol")  # has the records, not the blob
    assert not carol.blobs.has(shared.hash)
    server = serve(path=carol.root)
    target = tmp_path / "fetched"
    HttpRemote(server.url).download(shared.hash, target)
    assert target.read_text() == "kept on the blob remote\n"
    assert carol.blobs.has(shared.hash)  # fetched through, verified, and kept by the server
    copy = tmp_path / "copy"
    cloned = cli("clone", server.url, str(copy), "--json")
    assert cloned.returncode == 0, cloned.stderr
    committed = json.loads(cloned.stdout)["blob_remote"]
    assert committed != server.url and Path(committed).is_dir()  # the share is mounted here


def test_port_in_use_and_unreachable_server_are_one_line_errors(
    repo: Path, serve: Callable[..., Server], cli: Cli, tmp_path: Path
) -> None:
    server = serve()
    port = server.url.rsplit(":", 1)[1].strip("/")
    busy = cli("serve", str(repo), "--port", port)
    assert busy.returncode == 1 and busy.stderr.strip().count("\n") == 0
    assert "--port" in busy.stderr
    nowhere = HttpRemote(f"http://127.0.0.1:{free_port()}/")
    with pytest.raises(RemoteError, match="not reachable"):
        nowhere.has("0" * 64)
    outside = cli("serve", str(tmp_path))
    assert outside.returncode == 1 and "not inside a lamingit repository" in outside.stderr


def test_loopback_detection() -> None:
    from lamingit.cli.serve_cmds import _loopback

    assert _loopback("127.0.0.1") and _loopback("::1") and _loopback("localhost")
    assert not _loopback("0.0.0.0") and not _loopback("192.168.1.5") and not _loopback("myhost")


def test_clone_from_a_plain_git_url_records_no_server(
    origin: Path, bare_remote: Path, tmp_path: Path
) -> None:
    copy = clone(str(bare_remote), tmp_path / "copy")
    assert "blobs" not in copy.paths.config.read_text()


TOKEN = "s3cret-token-0123456789"


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET without following redirects; (status, headers, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_any_address_but_loopback_needs_a_token(repo: Path, cli: Cli, tmp_path: Path) -> None:
    refused = cli("serve", str(repo), "--host", "0.0.0.0", "--port", "0")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "--token" in refused.stderr and "127.0.0.1" in refused.stderr
    short = cli("serve", str(repo), "--token", "abc", "--port", "0")
    assert short.returncode == 1 and "16 to 512 characters" in short.stderr
    both = tmp_path / "token.txt"
    both.write_text(TOKEN + "\n")
    twice = cli("serve", str(repo), "--token", TOKEN, "--token-file", str(both), "--port", "0")
    assert twice.returncode == 1 and "not both" in twice.stderr


def test_the_token_is_checked_on_every_request(
    repo: Path, serve: Callable[..., Server], cli: Cli, tmp_path: Path
) -> None:
    genes = save_text("genes.tsv", "gene\nTP53\n")
    token_file = tmp_path / "token.txt"
    token_file.write_text(TOKEN + "\n")
    server = serve("--host", "0.0.0.0", "--token-file", str(token_file))
    base = server.url.replace("0.0.0.0", "127.0.0.1")
    paths = [
        "",
        f"artifacts/{genes.uid}",
        "lamingit.json",
        f"blobs/{genes.hash}",
        "info/refs?service=git-upload-pack",
        "static/ui.css",
        "history?at=HEAD",
    ]
    for path in paths:
        status, headers, body = _get(base + path)
        assert status == 401, path
        assert b"TP53" not in body and b"genes" not in body
        status, _, _ = _get(base + path, {"Authorization": "Bearer wrong-token-0123456789"})
        assert status == 401, path
        status, _, body = _get(base + path, {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200, (path, body[:200])
    # ?token= once: a cookie and a redirect to the same page without the token in the URL
    status, headers, _ = _get(f"{base}history?token={TOKEN}&at=HEAD")
    assert status == 303 and headers["Location"] == "/history?at=HEAD"
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    assert _get(base + "history", {"Cookie": cookie})[0] == 200
    assert _get(base + "history", {"Cookie": "lamingit_token=nope"})[0] == 401
    assert _get(f"{base}?token=wrong-token-0123456789")[0] == 401
    # git sends the URL's password as Basic auth: clone works with it, not without
    git = ["git", "-c", "credential.helper=", "-c", "core.askPass=true"]
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    port = base.rsplit(":", 1)[1].strip("/")
    without = subprocess.run(
        [*git, "clone", base, str(tmp_path / "a")], capture_output=True, text=True, env=env
    )
    assert without.returncode != 0
    authed = f"http://token:{TOKEN}@127.0.0.1:{port}/"
    cloned = subprocess.run(
        [*git, "clone", authed, str(tmp_path / "b")], capture_output=True, text=True, env=env
    )
    assert cloned.returncode == 0, cloned.stderr
    # lamingit clone with the token in the URL: git and the blobs both carry it
    copy = tmp_path / "copy"
    cloned = cli("clone", authed, str(copy))
    assert cloned.returncode == 0, cloned.stderr
    loaded = cli("load", "genes.tsv", cwd=copy)
    assert loaded.returncode == 0, loaded.stderr
    assert Path(loaded.stdout.strip()).read_text() == "gene\nTP53\n"
    assert f"browse it at: http://{socket.gethostname()}:{port}/?token={TOKEN}\n" in server.banner
    assert server.stop()[0] == 0


def test_web_ui_can_be_left_out(repo: Path, serve: Callable[..., Server]) -> None:
    save_text("a.txt", "a\n")
    server = serve("--no-ui")
    status, _, body = _get(server.url)
    assert status == 404 and b"no such path" in body
    assert _get(server.url + "lamingit.json")[0] == 200


def test_the_ui_of_a_lazy_clone_downloads_through_its_blob_remote(
    repo: Path, serve: Callable[..., Server], cli: Cli, tmp_path: Path
) -> None:
    genes = save_text("genes.tsv", "gene\nTP53\n", description="<b>genes</b>")
    origin = serve()
    copy = tmp_path / "copy"
    assert cli("clone", origin.url, str(copy)).returncode == 0
    assert not (copy / ".lamingit" / "objects" / genes.hash[:2]).exists()
    mirror = serve(path=copy)
    status, _, page = _get(f"{mirror.url}artifacts/{genes.uid}")
    assert status == 200 and b"&lt;b&gt;genes&lt;/b&gt;" in page
    assert b"download fetches it" in page  # no local copy yet: no preview, said so
    status, headers, body = _get(f"{mirror.url}artifacts/{genes.uid}/download")
    assert status == 200 and body == b"gene\nTP53\n"
    assert headers["Content-Disposition"] == 'attachment; filename="genes.tsv"'


def test_no_output_log_or_commit_shows_the_token_of_a_url(
    repo: Path, serve: Callable[..., Server], cli: Cli, tmp_path: Path
) -> None:
    save_text("genes.tsv", "gene\nTP53\n")
    server = serve("--writable", "--token", TOKEN)
    port = server.url.rsplit(":", 1)[1].strip("/")
    authed = f"http://token:{TOKEN}@127.0.0.1:{port}/"
    copy = tmp_path / "copy"
    seen: list[subprocess.CompletedProcess[str]] = []

    def run(*args: str, cwd: Path = copy) -> subprocess.CompletedProcess[str]:
        seen.append(cli(*args, cwd=cwd))
        return seen[-1]

    assert run("clone", authed, str(copy), cwd=tmp_path).returncode == 0, seen[-1].stderr
    assert f"cloned http://***@127.0.0.1:{port}/ into" in seen[-1].stdout
    assert run("clone", authed, str(tmp_path / "c2"), "--json", cwd=tmp_path).returncode == 0
    assert json.loads(seen[-1].stdout)["blob_remote"] == f"http://***@127.0.0.1:{port}/"
    assert run("remote", "list").returncode == 0
    assert f"origin\thttp://***@127.0.0.1:{port}/" in seen[-1].stdout
    assert run("remote", "list", "--json").returncode == 0
    shown_storage = subprocess.run(
        [
            sys.executable,
            "-c",
            "import lamingit as ln; ln.connect('.'); s = ln.Storage.get(is_remote=True); "
            "print(s.type); print(repr(s)); print(s.root)",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
    )
    kind, shown, root = shown_storage.stdout.splitlines()
    assert kind == "http" and f"http://***@127.0.0.1:{port}/" in shown
    assert TOKEN not in shown and TOKEN in root  # printed hidden, kept for use
    assert run("load", "genes.tsv").returncode == 0
    (copy / "more.txt").write_text("more\n")
    assert run("save", str(copy / "more.txt"), "--key", "more.txt").returncode == 0
    assert run("push").returncode == 0, seen[-1].stderr
    assert run("pull").returncode == 0, seen[-1].stderr
    assert run("fetch").returncode == 0
    assert (
        run("remote", "add", "mirror", f"https://user:{TOKEN}@example.invalid/x.git").returncode
        == 0
    )
    assert "https://***@example.invalid/x.git" in seen[-1].stdout
    assert run("remote", "set-blobs", f"{authed}?token={TOKEN}").returncode == 0
    # failures quote the URL too: a refused token, a server that is not there
    wrong = authed.replace(TOKEN, TOKEN[::-1])
    assert run("clone", wrong, str(tmp_path / "c3"), cwd=tmp_path).returncode == 1
    assert run("pull", "mirror").returncode == 1
    # the browse link sends ?token= once; the server's access log shows it redacted
    assert _get(f"{server.url}history?token={TOKEN}")[0] == 303
    code, out = server.stop()
    assert code == 0
    log = server.err
    assert "/history?token=*** " in log
    for proc in seen:
        assert TOKEN not in proc.stdout + proc.stderr, proc.args
    assert "error: git clone failed" in seen[-2].stderr
    # the startup banner is the one place that shows it: it is the invitation to hand out
    assert TOKEN not in out + log
    # git's own records and the commit messages never hold it ...
    for args in (["reflog", "--all"], ["log", "--all", "--format=%B"]):
        shown = subprocess.run(["git", *args], cwd=copy, capture_output=True, text=True)
        assert shown.returncode == 0 and TOKEN not in shown.stdout, args
    # ... while what is stored for use keeps it
    stored = subprocess.run(
        ["git", "config", "remote.origin.url"], cwd=copy, capture_output=True, text=True
    )
    assert stored.stdout.strip() == authed
