"""Bytes-level storage: content hashing, the blob store and blob remotes, and git (``git/``)."""
