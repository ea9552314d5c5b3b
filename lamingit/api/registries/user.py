"""User: who saved what; one record per handle, its uid derived from the handle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from lamingit.api.core.base import Registry
from lamingit.api.core.commit import new_record_fields
from lamingit.api.core.relations import CREATOR, Link, RelatedManager, related, reverse_one
from lamingit.errors import NotARepository
from lamingit.models import UserRecord
from lamingit.session import current_identity, user_uid

if TYPE_CHECKING:
    from lamingit.api.registries.artifact import Artifact
    from lamingit.api.registries.collection import Collection
    from lamingit.api.registries.run import Run
    from lamingit.api.registries.transform import Transform


class User(Registry):
    """A person acting on the repository (``ln.User.get(handle="testuser1")``).

    Example:
        >>> ln.User.lookup().testuser1  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "user"
    _struct = UserRecord
    _uid_length: ClassVar[int] = 8
    _links: ClassVar[dict[str, Link]] = {
        f"created_{plural}": reverse_one(registry, "created_by", "user", fixed=CREATOR)
        for registry, plural in (
            ("artifact", "artifacts"),
            ("collection", "collections"),
            ("run", "runs"),
            ("transform", "transforms"),
        )
    }
    _record: UserRecord

    def __init__(self, handle: str, name: str | None = None, email: str | None = None) -> None:
        fields = new_record_fields(user_uid(handle))
        fields["created_by"] = fields["uid"]
        # Every clone derives a user's uid from the handle: the id is derived too (from the
        # uid), so two clones that create the same user agree on both.
        del fields["id"]
        self._init_record(
            UserRecord(
                **fields, handle=handle, name=name, email=email or f"{handle}@lamingit.local"
            )
        )

    @property
    def created_artifacts(self) -> RelatedManager[Artifact]:
        """The artifacts this user created (read-only).

        Example:
            >>> ln.User.get(handle="testuser1").created_artifacts.count()  # doctest: +SKIP
        """
        return related(self, "created_artifacts")

    @property
    def created_collections(self) -> RelatedManager[Collection]:
        """The collections this user created (read-only).

        Example:
            >>> ln.User.get(handle="testuser1").created_collections.count()  # doctest: +SKIP
        """
        return related(self, "created_collections")

    @property
    def created_runs(self) -> RelatedManager[Run]:
        """The runs this user created (read-only).

        Example:
            >>> ln.User.get(handle="testuser1").created_runs.count()  # doctest: +SKIP
        """
        return related(self, "created_runs")

    @property
    def created_transforms(self) -> RelatedManager[Transform]:
        """The transforms this user created (read-only).

        Example:
            >>> ln.User.get(handle="testuser1").created_transforms.count()  # doctest: +SKIP
        """
        return related(self, "created_transforms")

    @classmethod
    def _get_fast(cls, fields: dict[str, Any]) -> User | None:
        if set(fields) == {"handle"} and isinstance(fields["handle"], str):
            return cls._from_lookup("user.handle", fields["handle"])
        return None

    @classmethod
    def _current(cls) -> User:
        """The acting user (their record may not be committed until their first save)."""
        ident = current_identity()
        try:
            found = cls._get_by_uid(ident.uid)
        except NotARepository:
            found = None  # logging in does not need a repository
        return found if found is not None else cls(ident.handle, ident.name, ident.email)
