"""Path conventions of the committed tree and of the local ``.lamingit/`` directory."""

from __future__ import annotations

from pathlib import Path

from lamingit.storage.hashing import hash_bytes

RECORDS = "records"
LOOKUP = "lookup"
SETTINGS_FILE = "lamingit.toml"
LOCAL_DIR = ".lamingit"
FORMAT_VERSION = 1


def record_path(registry: str, uid: str) -> str:
    """Tree path of a record, sharded two levels by the uid's first characters.

    Example:
        >>> record_path("artifact", "AbCd")
        'records/artifact/A/b/AbCd.json'
    """
    return f"{RECORDS}/{registry}/{uid[0]}/{uid[1]}/{uid}.json"


def registry_dir(registry: str) -> str:
    """Tree directory holding all records of ``registry``.

    Example:
        >>> registry_dir("run")
        'records/run'
    """
    return f"{RECORDS}/{registry}"


def shard_dir(registry: str, uid: str) -> str:
    """Tree directory holding ``uid`` and every uid sharing its first two characters.

    Example:
        >>> shard_dir("artifact", "AbCd")
        'records/artifact/A/b'
    """
    return f"{RECORDS}/{registry}/{uid[0]}/{uid[1]}"


def uid_from_path(path: str) -> tuple[str, str]:
    """``(registry, uid)`` of a record path.

    Example:
        >>> uid_from_path("records/run/A/b/AbCd.json")
        ('run', 'AbCd')
    """
    parts = path.split("/")
    return parts[1], parts[-1].removesuffix(".json")


def lookup_path(name: str, value: str) -> str:
    """Tree path of a lookup entry: the uids whose lookup ``name`` equals ``value``.

    All lookup kinds share one two-level bucket tree, so a save that updates a key entry and
    a hash entry rewrites as few trees as possible.

    Example:
        >>> lookup_path("artifact.key", "a.csv").startswith("lookup/")
        True
    """
    digest = hash_bytes(f"{name}\x00{value}".encode("utf-8", "surrogateescape"))[:40]
    return f"{LOOKUP}/{digest[:2]}/{digest[2:4]}/{digest}"


class LocalPaths:
    """Where the local, uncommitted parts of a repository live under ``ROOT/.lamingit``.

    Example:
        >>> LocalPaths(Path("mydata")).objects
        PosixPath('mydata/.lamingit/objects')
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.local = root / LOCAL_DIR
        self.gitdir = root / ".git"
        self.objects = self.local / "objects"
        self.index = self.local / "index"
        self.cache = self.local / "cache"
        self.config = self.local / "config.toml"
        self.write_lock = self.local / "write.lock"
        self.pack_lock = self.local / "pack.lock"
        """Held while git's packs are merged (one merge at a time; see pack_worker.py)."""
        self.pack_log = self.local / "pack.log"
        """What the last background pack merge printed (its errors, if it failed)."""
