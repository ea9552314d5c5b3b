"""Collaboration: git remotes for the metadata (git CLI), blob remotes for the bytes, sync verbs."""
