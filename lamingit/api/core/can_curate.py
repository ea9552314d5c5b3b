"""``CanCurate``, the curation verbs of every registry class and of a QuerySet; the work (in
``lamingit.api.core.curation.values``) loads on the first call, not with the class."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from lamingit.api.core.curation.values import InspectResult, Keep, Standardized

# Each verb takes its target first: a registry class (bound as a classmethod by CanCurate) or a
# QuerySet (bound as a method, comparing with its results only), as LaminDB offers both.


def validate(
    target: Any, values: Any, field: Any = None, *, mute: bool = False
) -> npt.NDArray[np.bool_] | bool:
    """Which ``values`` are saved values of ``field`` (default: the name field), as a
    boolean array (exact matches only; ``inspect`` tells what the others stand for). On a
    QuerySet, only its results count.

    Example:
        >>> ln.ULabel.validate(["DMSO", "IFNJ"])  # doctest: +SKIP
        array([ True, False])
    """
    from lamingit.api.core.curation import values as curation

    return curation.validate(target, values, field, mute)


def inspect(target: Any, values: Any, field: Any = None, *, mute: bool = False) -> InspectResult:
    """Validated and non-validated distinct ``values``, with the synonyms and case variants
    among them (``synonyms_mapper``) and "did you mean" suggestions. On a QuerySet, only its
    results count.

    Example:
        >>> ln.ULabel.inspect(["DMSO", "dmso"]).non_validated  # doctest: +SKIP
        ['dmso']
    """
    from lamingit.api.core.curation import values as curation

    return curation.inspect(target, values, field, mute)


def standardize(
    target: Any,
    values: Any,
    field: Any = None,
    *,
    return_field: Any = None,
    return_mapper: bool = False,
    case_sensitive: bool = False,
    mute: bool = False,
    from_source: bool = True,
    keep: Keep = "first",
    synonyms_field: str | None = "synonyms",
    public_aware: bool = True,
) -> Standardized:
    """``values`` with synonyms and case/spelling variants replaced by the saved name (on a
    QuerySet, among its results only).

    ``from_source`` (LaminDB 0.x: ``public_aware``) is accepted for LaminDB code;
    lamingit has no public ontologies.

    Example:
        >>> ln.Feature.standardize(["cell type"])  # doctest: +SKIP
        ['cell_type']
    """
    del from_source, public_aware
    from lamingit.api.core.curation import values as curation

    return curation.standardize(
        target,
        values,
        field,
        return_field=return_field,
        return_mapper=return_mapper,
        case_sensitive=case_sensitive,
        mute=mute,
        keep=keep,
        synonyms_field=synonyms_field,
    )


class CanCurate:
    """LaminDB's ``CanCurate`` on every registry class (mixed into ``Registry``)."""

    validate = classmethod(validate)
    inspect = classmethod(inspect)
    standardize = classmethod(standardize)

    @classmethod
    def from_values(
        cls, values: Any, field: Any = None, create: bool = False, mute: bool = False
    ) -> list[Self]:
        """The saved records whose ``field`` is one of ``values``; ``create=True`` adds new
        unsaved records for the others (save them with ``ln.save``).

        Example:
            >>> ln.save(ln.ULabel.from_values(["DMSO", "IFNG"], create=True))  # doctest: +SKIP
        """
        from lamingit.api.core.curation import values as curation

        return curation.from_values(cls, values, field, create, mute)


__all__ = ["CanCurate", "inspect", "standardize", "validate"]
