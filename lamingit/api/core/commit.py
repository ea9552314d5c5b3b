"""One commit per save: the locked transaction, the acting user's record, new record stamps."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lamingit._util import utcnow_iso
from lamingit.api.core.view import View
from lamingit.models import UserRecord, new_record_id
from lamingit.records import ChangeSet, replace
from lamingit.session import current_identity
from lamingit.tracking import context as run_context

if TYPE_CHECKING:
    from lamingit.repo import Repository


def commit(build: Callable[[ChangeSet], None], view: View, what: str) -> Repository:
    """Run ``build`` in one locked transaction on the view's repository (one commit).

    The acting user's record is created in the same commit if it does not exist yet.

    Example:
        >>> commit(lambda changes: changes.put(record, "update"), LIVE, "update")  # doctest: +SKIP
    """
    repo = view.writable_repository(what)
    ident = current_identity()
    ctx = run_context.active()
    trailer = {"Lamingit-Run": ctx.run_uid} if ctx is not None else None

    def wrapped(changes: ChangeSet) -> None:
        build(changes)
        if changes:
            ensure_user(changes)

    repo.transact(wrapped, author=ident.author, trailer=trailer)
    return repo


def ensure_user(changes: ChangeSet) -> str:
    """Make sure the acting user has a record in this commit; return their uid.

    Example:
        >>> ensure_user(changes)  # doctest: +SKIP
        'DzTjkKse'
    """
    ident = current_identity()
    existing = changes.get("user", ident.uid)
    if existing is None:
        now = utcnow_iso()
        changes.put(
            UserRecord(
                uid=ident.uid,
                handle=ident.handle,
                name=ident.name,
                email=ident.email,
                created_at=now,
                created_by=ident.uid,
                updated_at=now,
            ),
            f"create user {ident.uid} ({ident.handle})",
        )
    elif ident.name and isinstance(existing, UserRecord) and existing.name != ident.name:
        changes.put(replace(existing, name=ident.name, updated_at=utcnow_iso()))
    return ident.uid


def new_record_fields(uid: str) -> dict[str, Any]:
    """``uid``, ``id`` (random), ``created_at``, ``created_by`` for a record being created now."""
    now = utcnow_iso()
    return {
        "uid": uid,
        "id": new_record_id(),
        "created_at": now,
        "created_by": current_identity().uid,
        "updated_at": now,
    }


__all__ = ["commit", "ensure_user", "new_record_fields"]
