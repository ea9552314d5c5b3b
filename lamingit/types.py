"""NewTypes that name what a string holds: a record uid, a git/content oid, a user key."""

from __future__ import annotations

from typing import NewType

Uid = NewType("Uid", str)
"""A record id: base62, 8-20 characters depending on the registry."""

Oid = NewType("Oid", str)
"""A content id: a git object id or a blob's blake3 hex digest."""

Key = NewType("Key", str)
"""A user's logical POSIX path for an artifact."""
