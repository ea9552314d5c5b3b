"""Presenting records: describe() trees, lineage graphs, their SVG, the transform graph.

Records (duck-typed objects with ``_record`` and ``_obj_view``) in, text or a graph out; this
floor imports neither the API core nor any registry.
"""
