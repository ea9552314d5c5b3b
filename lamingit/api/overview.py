"""``ln.view()``: the newest records of every registry, as LaminDB prints them."""

from __future__ import annotations

from lamingit.api.core import catalog


def view(
    limit: int = 7, registries: list[str] | None = None, return_str: bool = False
) -> str | None:
    """Print the ``limit`` newest records of each registry that has any (as DataFrames).

    ``registries`` narrows it to class names (``["Artifact", "ULabel"]``).

    Example:
        >>> ln.view(limit=3)  # doctest: +SKIP
    """
    classes = catalog.classes()
    names = registries if registries is not None else sorted(classes)
    unknown = [n for n in names if n not in classes]
    if unknown:
        from lamingit.errors import InvalidArgument

        raise InvalidArgument(
            f"unknown registry {unknown[0]!r}; registries: {', '.join(sorted(classes))}"
        )
    parts = []
    for name in names:
        qs = classes[name].filter().order_by("-created_at")
        if not qs.exists():
            continue
        frame = qs.to_dataframe(limit=limit)
        parts.append(f"{name}\n{frame.to_string(max_colwidth=40)}")
    text = "\n\n".join(parts) or "the repository holds no records yet"
    if return_str:
        return text
    print(text)
    return None


__all__ = ["view"]
