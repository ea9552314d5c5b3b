"""``ln.settings``: per-process switches (run-input tracking, durability) and storage info."""

from __future__ import annotations

from pathlib import Path

from lamingit._util import atomic_write, dump_toml, read_toml
from lamingit.session import SESSION


class StorageSettings:
    """Where the current repository keeps its data (``ln.settings.storage.root``)."""

    @property
    def root(self) -> Path:
        """The root directory of the current repository."""
        return SESSION.repository().root


class CreationSettings:
    """How new records are created (``ln.settings.creation``, LaminDB's names).

    Example:
        >>> ln.settings.creation.artifact_silence_missing_run_warning = True  # doctest: +SKIP
    """

    def __init__(self) -> None:
        # LaminDB warns "no run & transform got linked" for an artifact made outside a run.
        self.artifact_silence_missing_run_warning: bool = False


class Settings:
    """Process settings; ``fsync`` is also persisted in the repository's local config.

    Example:
        >>> ln.settings.track_run_inputs = False  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self.track_run_inputs: bool = True
        # Files/directories whose reads by any process a tracked run watches (docs/tracking.md).
        self.watch: list[str] = []
        self.watch_cache: bool = True
        self.match_reads_by_hash: bool = True
        self.storage = StorageSettings()
        self.creation = CreationSettings()

    @property
    def branch(self) -> str:
        """The current branch's name; setting it switches (``ln.setup.switch``)."""
        from lamingit.api.core import branches

        return branches.current()

    @branch.setter
    def branch(self, value: object) -> None:
        from lamingit.api.core import branches

        branches.switch(str(getattr(value, "name", value)))

    @property
    def fsync(self) -> bool:
        """Whether saves are flushed to disk before returning (survive power loss)."""
        return SESSION.repository().fsync

    @fsync.setter
    def fsync(self, value: bool) -> None:
        repo = SESSION.repository()
        data = read_toml(repo.paths.config)
        data.setdefault("core", {})["fsync"] = "true" if value else "false"
        atomic_write(repo.paths.config, dump_toml(data))
        repo.set_fsync(bool(value))


settings = Settings()
"""The one settings object of this process."""
