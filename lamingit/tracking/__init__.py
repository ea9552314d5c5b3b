"""Run tracking: the active run context, read auditing and environment capture."""
