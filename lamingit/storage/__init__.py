"""Bytes-level storage: content hashing, the blob store, and the one pygit2 module."""
