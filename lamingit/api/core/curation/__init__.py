"""Validating datasets against schemas at the record level: the engine and the schema's rules."""
