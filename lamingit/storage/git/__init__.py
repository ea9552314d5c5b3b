"""git as the record database: the only pygit2 package, and the only runner of the git command.

``store`` (GitStore: open, read) with its jobs beside it: ``backends``, ``writer``, ``refs``,
``history``, ``maintenance``, ``bulk``; ``command`` runs ``git`` with one environment policy.
"""
