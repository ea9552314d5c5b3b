"""clone, fetch, pull, push: git commits over the git CLI, blobs via the blob remote.

Push order is blobs first, then metadata, so a pushed record never points at a blob the
blob remote lacks. Pull merges record by record (:mod:`lamingit.merge`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from lamingit._util import FileLock, dump_toml, read_toml, redact_url
from lamingit.blob_settings import (
    blob_remote_of,
    committed_settings,
    repository_relative,
    resolve_location,
    with_blob_remote,
)
from lamingit.errors import InvalidArgument, RemoteError, RepositoryExists
from lamingit.layout import LOCAL_DIR, SETTINGS_FILE, LocalPaths, registry_dir
from lamingit.merge import FieldConflict, merge_trees
from lamingit.models import ArtifactRecord, decode
from lamingit.records import ChangeSet
from lamingit.remote import gitcli
from lamingit.remote.verify import verify_incoming
from lamingit.repo import Repository, is_repository
from lamingit.storage.blobremote import (
    BlobRemote,
    DirectoryRemote,
    fetch_blob,
    parallel,
    server_info,
)
from lamingit.storage.git.merge_driver import install_merge_driver
from lamingit.storage.hashing import decode_manifest

QUARANTINE = "refs/lamingit/incoming"
"""Fetched branches wait below this prefix until their commits pass the arrival checks."""
LIST_THRESHOLD = 500
"""Above this many blobs to check, list an S3 prefix once instead of one HEAD per blob."""


class Reporter(Protocol):
    """Progress of a long transfer (the CLI shows a rich progress bar)."""

    def start(self, what: str, total: int) -> None:
        """A phase with ``total`` steps begins."""

    def advance(self) -> None:
        """One step is done (called from worker threads)."""

    def stop(self) -> None:
        """The phase ended."""


class _Silent:
    def start(self, what: str, total: int) -> None:
        pass

    def advance(self) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class PushResult:
    """What a push did."""

    blobs_checked: int = 0
    blobs_uploaded: int = 0
    commit: str | None = None
    up_to_date: bool = False


@dataclass
class PullResult:
    """What a pull did: ``kind`` is up-to-date, fast-forward, merge or empty."""

    kind: str
    commit: str | None = None
    conflicts: list[FieldConflict] = field(default_factory=list)
    renumbered: dict[str, str] = field(default_factory=dict)
    deduplicated: dict[str, str] = field(default_factory=dict)
    unified: dict[str, str] = field(default_factory=dict)
    """Their label/record/feature/project → ours of the same name, made on both sides."""
    reid: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Their new record → ``(old id, new id)``: another record had its id (merge/ids.py)."""


def branch_name(repo: Repository) -> str:
    """The short name of the current branch (``main``)."""
    return repo.git.branch_ref().removeprefix("refs/heads/")


def tracking_ref(repo: Repository, remote: str) -> str:
    """The remote-tracking ref of the current branch (``refs/remotes/origin/main``)."""
    return f"refs/remotes/{remote}/{branch_name(repo)}"


def _require_remote(repo: Repository, remote: str) -> None:
    known = gitcli.remotes(repo.paths.gitdir)
    if remote not in known:
        hint = f" (known: {', '.join(sorted(known))})" if known else ""
        raise InvalidArgument(
            f"no remote named {remote!r}{hint}; add one with `lamingit remote add {remote} URL`"
        )


# -- clone ------------------------------------------------------------------------------------
def clone(url: str, path: Path, reporter: Reporter | None = None) -> Repository:
    """Clone the repository at ``url`` into ``path``; blobs are fetched later, on demand.

    The query index is built right away, in bulk (``reporter`` shows its progress), so the
    first query in the clone does not pay for it.

    Example:
        >>> repo = clone("/srv/data.git", Path("mydata"))  # doctest: +SKIP
    """
    path = Path(path).expanduser()
    if is_repository(path) or (path.exists() and (not path.is_dir() or any(path.iterdir()))):
        raise RepositoryExists(f"{path} exists and is not empty; clone into a new directory")
    created = not path.exists()
    paths = LocalPaths(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        gitcli.clone_bare(url, paths.gitdir)
        # Nothing is known here yet: every commit of every branch is checked.
        verify_incoming(paths.gitdir, ["--all"], [], f"clone of {redact_url(url)}")
        gitcli.run_git(["config", "core.logAllRefUpdates", "true"], gitdir=paths.gitdir)
        for sub in (paths.objects, paths.index, paths.cache):
            sub.mkdir(parents=True, exist_ok=True)
        paths.config.write_bytes(dump_toml({"core": {"fsync": "false"}}))
        repo = Repository(path)
        install_merge_driver(paths.gitdir, repo.git.config_set)
    except BaseException:
        # Nothing half-made stays behind: remove what this clone created.
        if created:
            shutil.rmtree(path, ignore_errors=True)
        else:
            shutil.rmtree(paths.gitdir, ignore_errors=True)
            shutil.rmtree(path / LOCAL_DIR, ignore_errors=True)
        raise
    if urlparse(url).scheme in ("http", "https") and server_info(url) is not None:
        use_server_for_blobs(repo, url)
    from lamingit import index

    index.build(repo.snapshot(), reporter)
    return repo


def use_server_for_blobs(repo: Repository, url: str) -> bool:
    """After cloning from ``lamingit serve`` at ``url``: take blobs from that server.

    Recorded in this clone's ``.lamingit/config.toml`` (not committed: the URL is how this
    machine reaches the server), unless the committed blob remote is a directory that exists
    on this machine (a mounted share is read directly). Returns whether the server is used.

    Example:
        >>> use_server_for_blobs(repo, "http://10.0.0.5:8765/")  # doctest: +SKIP
        True
    """
    committed = committed_settings(repo.snapshot()).get("blobs", {}).get("remote")
    mounted = committed is not None and urlparse(committed).scheme in ("", "file")
    if mounted and DirectoryRemote(str(committed)).root.is_dir():
        return False
    config = read_toml(repo.paths.config)
    config.setdefault("blobs", {})["remote"] = url.rstrip("/") + "/"
    repo.paths.config.write_bytes(dump_toml(config))
    return True


# -- remotes and settings ---------------------------------------------------------------------
def set_blob_remote(
    repo: Repository, url: str | None, author: tuple[str, str], endpoint_url: str | None = None
) -> None:
    """Record the blob remote in the committed ``lamingit.toml`` (one commit).

    Example:
        >>> set_blob_remote(repo, "s3://lab/blobs", author=("ann", "a@x"))  # doctest: +SKIP
    """
    if url is not None:
        from lamingit.storage.blobremote import open_blob_remote

        # lamingit.toml is committed and pushed: a directory is stored relative to the
        # repository (as given when run from its root), never as this machine's absolute
        # path, unless it was given absolute; it is resolved against each clone's root.
        url = repository_relative(repo, url)
        remote = open_blob_remote(resolve_location(repo, url), endpoint_url)  # checks the form
        prepare = getattr(remote, "create", None)
        if prepare is not None:
            prepare()  # naming a new directory as blob remote creates it, like `git init --bare`

    def build(changes: ChangeSet) -> None:
        settings = committed_settings(changes.snapshot)
        data = with_blob_remote(settings, url, endpoint_url)
        if data != changes.snapshot.settings_bytes():
            changes.put_file(SETTINGS_FILE, data)
            shown = redact_url(url) if url else None  # the commit message never holds a token
            changes.summary.append(f"set blob remote to {shown}" if shown else "remove blob remote")

    repo.transact(build, author=author)


# -- blobs ------------------------------------------------------------------------------------
def referenced_blobs(
    repo: Repository, since: str | None, until: str | None, remote: BlobRemote | None = None
) -> list[str]:
    """Blob oids referenced by artifact records new or changed from ``since`` to ``until``.

    A directory artifact references its manifest and every file in it. A manifest that is
    neither local nor (via ``remote``) fetchable is listed alone.

    Example:
        >>> referenced_blobs(repo, None, repo.git.head())  # doctest: +SKIP
    """
    git = repo.git
    old_tree = git.tree_of(since)
    new_tree = git.tree_of(until)
    oids: dict[str, None] = {}
    for _path, _old, new in git.diff_paths(old_tree, new_tree, registry_dir("artifact")):
        if new is None:
            continue
        record = decode("artifact", new)
        if not isinstance(record, ArtifactRecord) or not record.hash:
            continue
        oids[record.hash] = None
        if record.n_files is not None:
            manifest: bytes | None = None
            if repo.blobs.has(record.hash):
                manifest = repo.blobs.read_bytes(record.hash)
            elif remote is not None and remote.has(record.hash):
                manifest = fetch_blob(remote, repo.blobs, record.hash).read_bytes()
            if manifest is not None:
                for entry in decode_manifest(manifest):
                    oids[entry.hash] = None
    return list(oids)


def missing_on(remote: BlobRemote, oids: Iterable[str]) -> list[str]:
    """The oids the blob remote does not hold (checked in parallel).

    Example:
        >>> missing_on(remote, [artifact.hash])  # doctest: +SKIP
        []
    """
    todo = list(oids)
    lister = getattr(remote, "list_oids", None)
    if lister is not None and len(todo) > LIST_THRESHOLD:
        present = lister()
        return [o for o in todo if o not in present]
    absent: set[str] = set()

    def check(oid: str) -> None:
        if not remote.has(oid):
            absent.add(oid)

    failures = parallel(todo, check)
    if failures:
        raise failures[0][1]
    return [o for o in todo if o in absent]


def upload_blobs(
    repo: Repository, remote: BlobRemote, oids: list[str], reporter: Reporter | None = None
) -> int:
    """Upload the oids the remote lacks, in parallel; return how many were uploaded.

    Every blob is attempted even if some fail, so a retried push has less left to do.

    Example:
        >>> upload_blobs(repo, remote, [artifact.hash])  # doctest: +SKIP
        1
    """
    report = reporter or _Silent()
    missing = missing_on(remote, oids)
    if not missing:
        return 0
    absent_here = [o for o in missing if not repo.blobs.has(o)]
    if absent_here:
        raise RemoteError(
            f"{len(absent_here)} blob(s) referenced by the records to push are neither here nor "
            f"on the blob remote {remote.url} (e.g. {absent_here[0][:12]}…); restore them, or "
            "delete the artifacts permanently, then push again"
        )
    report.start("uploading blobs", len(missing))
    try:
        failures = parallel(
            missing,
            lambda oid: remote.upload(oid, repo.blobs.path_for(oid)),
            lambda _oid: report.advance(),
        )
    finally:
        report.stop()
    if failures:
        oid, exc = failures[0]
        raise RemoteError(
            f"{len(failures)} of {len(missing)} blob uploads failed (first: {oid[:12]}…: {exc}); "
            "nothing was pushed yet: fix the cause and run `lamingit push` again (uploaded "
            "blobs are kept)"
        )
    return len(missing)


def prefetch(repo: Repository, oids: Iterable[str]) -> None:
    """Fetch, in parallel, those of ``oids`` that are neither local nor unfetchable.

    Used before materializing a directory artifact, so its files arrive concurrently instead
    of one request at a time. Without a blob remote this does nothing (reads then fail with
    the usual message).

    Example:
        >>> prefetch(repo, [entry.hash for entry in manifest])  # doctest: +SKIP
    """
    todo = [o for o in dict.fromkeys(oids) if not repo.blobs.has(o)]
    if not todo:
        return
    remote = blob_remote_of(repo)
    if remote is None:
        return
    failures = parallel(todo, lambda oid: fetch_blob(remote, repo.blobs, oid))
    if failures:
        raise failures[0][1]


def fetch_blobs(
    repo: Repository, keys: list[str] | None = None, reporter: Reporter | None = None
) -> int:
    """Download the blobs of artifacts (all, or the latest under ``keys``); return the count.

    Example:
        >>> fetch_blobs(repo, ["datasets/a.parquet"])  # doctest: +SKIP
        1
    """
    remote = blob_remote_of(repo)
    if remote is None:
        raise RemoteError(
            "this repository has no blob remote; set one with `lamingit remote set-blobs LOCATION`"
        )
    snap = repo.snapshot()
    records: list[ArtifactRecord] = []
    if keys:
        for key in keys:
            uids = snap.lookup("artifact.key", key)
            found = [r for u in uids if isinstance(r := snap.find("artifact", u), ArtifactRecord)]
            if not found:
                raise InvalidArgument(f"no artifact with key {key!r}; see `lamingit ls`")
            records.extend(found)
    else:
        records = [
            r
            for r in snap.iter_records("artifact")
            if isinstance(r, ArtifactRecord) and not r.trashed and r.hash
        ]
    oids: dict[str, None] = {}
    manifests = 0
    for record in records:
        if record.n_files is not None:
            manifests += not repo.blobs.has(record.hash)
            manifest = fetch_blob(remote, repo.blobs, record.hash).read_bytes()
            for entry in decode_manifest(manifest):
                oids[entry.hash] = None
        oids[record.hash] = None
    todo = [o for o in oids if not repo.blobs.has(o)]
    report = reporter or _Silent()
    report.start("fetching blobs", len(todo))
    try:
        failures = parallel(
            todo, lambda oid: fetch_blob(remote, repo.blobs, oid), lambda _o: report.advance()
        )
    finally:
        report.stop()
    if failures:
        raise failures[0][1]
    return manifests + len(todo)


# -- conflicts --------------------------------------------------------------------------------
def resolve_conflict(
    repo: Repository,
    uid: str,
    author: tuple[str, str],
    field_name: str | None = None,
    take: str = "ours",
) -> int:
    """Close the open conflict entries of record ``uid`` (one field, or all); one commit.

    ``take="theirs"`` first writes their value into the record (top-level fields and
    ``features.X``/``params.X`` keys); ``"ours"`` keeps the record as merged. Returns how
    many entries were closed.

    Example:
        >>> me = ("ann", "a@x")
        >>> resolve_conflict(repo, uid, me, "description", take="theirs")  # doctest: +SKIP
        1
    """
    from lamingit.merge import conflict_path, read_conflicts
    from lamingit.records import replace
    from lamingit.remote.history import find_anywhere

    if take not in ("ours", "theirs"):
        raise InvalidArgument(f"take must be 'ours' or 'theirs', not {take!r}")
    closed = 0

    def build(changes: ChangeSet) -> None:
        nonlocal closed
        record = find_anywhere(changes.snapshot, uid)
        if record is None:
            raise InvalidArgument(f"no record with uid {uid!r}; see `lamingit log`")
        registry = type(record).registry
        entries = read_conflicts(changes.snapshot, registry, uid)
        chosen = [e for e in entries if field_name in (None, e["field"])]
        if not chosen:
            raise InvalidArgument(
                f"{registry} {uid} has no open conflict"
                + (f" on {field_name!r}" if field_name else "")
            )
        if take == "theirs":
            updates: dict[str, object] = {}
            for entry in chosen:
                top, _, sub = str(entry["field"]).partition(".")
                if top.startswith("("):  # "(record)", "(same name)": nothing to write
                    continue
                if sub:
                    held = updates.get(top, getattr(record, top))
                    if not isinstance(held, dict):
                        raise InvalidArgument(
                            f"the conflict on {entry['field']!r} names a key of {top!r}, which "
                            f"holds no dict in {registry} {uid}; resolve it with take='ours'"
                        )
                    current = dict(held)
                    if entry["theirs"] is None:
                        current.pop(sub, None)
                    else:
                        current[sub] = entry["theirs"]
                    updates[top] = current
                else:
                    updates[top] = entry["theirs"]
            if updates:
                changes.put(replace(record, **updates))
        rest = [e for e in entries if e not in chosen]
        import msgspec

        data = msgspec.json.format(msgspec.json.encode(rest), indent=1) + b"\n"
        changes.put_file(conflict_path(registry, uid), data if rest else None)
        closed = len(chosen)
        changes.summary.append(f"resolve {closed} conflict(s) of {registry} {uid} taking {take}")

    repo.transact(build, author=author)
    return closed


# -- push / fetch / pull ----------------------------------------------------------------------
def push(repo: Repository, remote: str = "origin", reporter: Reporter | None = None) -> PushResult:
    """Upload missing blobs, then push the branch (fast-forward only).

    Example:
        >>> push(repo, "origin").blobs_uploaded  # doctest: +SKIP
        3
    """
    _require_remote(repo, remote)
    result = PushResult()
    head = repo.git.head()
    if head is None:
        raise InvalidArgument("nothing to push: the repository has no commits yet")
    tracked = gitcli.rev_parse(repo.paths.gitdir, tracking_ref(repo, remote))
    result.commit = head
    if tracked == head:
        result.up_to_date = True
        return result
    blob_remote = blob_remote_of(repo)
    if blob_remote is not None:
        oids = referenced_blobs(repo, tracked, head, blob_remote)
        result.blobs_checked = len(oids)
        result.blobs_uploaded = upload_blobs(repo, blob_remote, oids, reporter)
    else:
        oids = referenced_blobs(repo, tracked, head)
        if oids:
            raise RemoteError(
                f"{len(oids)} blob(s) would be pushed without a blob remote; set one first with "
                "`lamingit remote set-blobs LOCATION` (a directory or s3://bucket/prefix)"
            )
    with FileLock(repo.paths.pack_lock):  # a pack merge deletes packs git push may be reading
        gitcli.push(repo.paths.gitdir, remote, branch_name(repo))
    return result


def fetch(repo: Repository, remote: str = "origin", *, verb: str = "fetch") -> str | None:
    """Fetch the remote's commits; return the remote branch's head (None if it has none).

    The branches arrive under a quarantine prefix; only when every new commit passes
    :func:`lamingit.remote.verify.verify_incoming` do the remote-tracking refs move. On
    refusal (``IncomingRejected``, its message starting with ``verb``) no ref of this
    repository has changed.

    Example:
        >>> fetch(repo, "origin")  # doctest: +SKIP
    """
    _require_remote(repo, remote)
    gitdir = repo.paths.gitdir
    quarantine = f"{QUARANTINE}/{remote}"
    with FileLock(repo.paths.pack_lock):  # not beside a pack merge (see push)
        try:
            fetched = gitcli.fetch_into(gitdir, remote, quarantine)
            # Local branches hold only commits made here or checked on arrival.
            verify_incoming(gitdir, list(fetched.values()), ["--branches"], f"{verb} from {remote}")
            gitcli.update_refs(
                gitdir, {f"refs/remotes/{remote}/{name}": oid for name, oid in fetched.items()}
            )
        finally:
            left = gitcli.refs_under(gitdir, quarantine)
            gitcli.update_refs(gitdir, {f"{quarantine}/{name}": None for name in left})
    return gitcli.rev_parse(gitdir, tracking_ref(repo, remote))


def pull(repo: Repository, author: tuple[str, str], remote: str = "origin") -> PullResult:
    """Fetch and merge the remote branch into the current branch, record by record.

    Example:
        >>> pull(repo, author=("ann", "a@x")).kind  # doctest: +SKIP
        'merge'
    """
    theirs = fetch(repo, remote, verb="pull")
    if theirs is None:
        return PullResult("empty")
    return merge_commit(repo, theirs, author)


def _move_branch(
    repo: Repository, commit: str, ours: str | None, author: tuple[str, str], message: str
) -> None:
    if not repo.git.set_branch(commit, expected=ours, who=author, message=message):
        raise RemoteError("the branch moved while merging; run `lamingit pull` again")


def merge_commit(repo: Repository, theirs: str, author: tuple[str, str]) -> PullResult:
    """Merge commit ``theirs`` into the current branch (fast-forward when possible).

    Example:
        >>> merge_commit(repo, "refs/remotes/origin/main", ("ann", "a@x"))  # doctest: +SKIP
    """
    theirs = repo.git.resolve(theirs)
    with FileLock(repo.paths.write_lock):
        ours = repo.git.head()
        if ours is None:
            _move_branch(repo, theirs, ours, author, f"pull: fast-forward to {theirs[:12]}")
            return PullResult("fast-forward", theirs)
        if ours == theirs:
            return PullResult("up-to-date", ours)
        base = gitcli.merge_base(repo.paths.gitdir, ours, theirs)
        if base == theirs:
            return PullResult("up-to-date", ours)
        if base == ours:
            _move_branch(repo, theirs, ours, author, f"pull: fast-forward to {theirs[:12]}")
            return PullResult("fast-forward", theirs)
        merged = merge_trees(repo.git, base, ours, theirs, owner=repo)
        lines = [f"merge {theirs[:12]} into {ours[:12]}"]
        for conflict in merged.conflicts:
            lines.append(f"conflict: {conflict.describe()}")
        for old, new in sorted(merged.renumbered.items()):
            lines.append(f"renumbered: {old} -> {new} (a new version made on both sides)")
        for old, new in sorted(merged.deduplicated.items()):
            lines.append(f"deduplicated: {old} -> {new} (same key and content on both sides)")
        for old, new in sorted(merged.unified.items()):
            lines.append(f"unified: {old} -> {new} (the same name created on both sides)")
        for uid, (was, now) in sorted(merged.reid.items()):
            lines.append(f"reid: {uid} id {was} -> {now} (another record had this id)")
        message = lines[0] + ("\n\n" + "\n".join(lines[1:]) if len(lines) > 1 else "") + "\n"
        commit = repo.git.write_commit(
            ours, merged.changes.to_changes(), message, author, extra_parents=(theirs,)
        )
        _move_branch(repo, commit, ours, author, f"pull: {lines[0]}")
    return PullResult(
        "merge",
        commit,
        merged.conflicts,
        merged.renumbered,
        merged.deduplicated,
        merged.unified,
        merged.reid,
    )
