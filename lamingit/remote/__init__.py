"""Collaboration and audit: git remotes (git CLI), blob remotes, sync verbs, record history."""
