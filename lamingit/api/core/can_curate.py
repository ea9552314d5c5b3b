"""``CanCurate``, the curation verbs of every registry class; the work (in
``lamingit.api.core.curation.values``) loads on the first call, not with the class."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from lamingit.api.core.curation.values import InspectResult, Keep, Standardized


class CanCurate:
    """LaminDB's ``CanCurate`` on every registry class (mixed into ``Registry``)."""

    @classmethod
    def validate(
        cls, values: Any, field: Any = None, *, mute: bool = False
    ) -> npt.NDArray[np.bool_] | bool:
        """Which ``values`` are saved values of ``field`` (default: the name field), as a
        boolean array (exact matches only; ``inspect`` tells what the others stand for).

        Example:
            >>> ln.ULabel.validate(["DMSO", "IFNJ"])  # doctest: +SKIP
            array([ True, False])
        """
        from lamingit.api.core.curation.values import validate

        return validate(cls, values, field, mute)

    @classmethod
    def inspect(cls, values: Any, field: Any = None, *, mute: bool = False) -> InspectResult:
        """Validated and non-validated distinct ``values``, with the synonyms and case variants
        among them (``synonyms_mapper``) and "did you mean" suggestions.

        Example:
            >>> ln.ULabel.inspect(["DMSO", "dmso"]).non_validated  # doctest: +SKIP
            ['dmso']
        """
        from lamingit.api.core.curation.values import inspect

        return inspect(cls, values, field, mute)

    @classmethod
    def standardize(
        cls,
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
        """``values`` with synonyms and case/spelling variants replaced by the saved name.

        ``from_source`` (LaminDB 0.x: ``public_aware``) is accepted for LaminDB code;
        lamingit has no public ontologies.

        Example:
            >>> ln.Feature.standardize(["cell type"])  # doctest: +SKIP
            ['cell_type']
        """
        del from_source, public_aware
        from lamingit.api.core.curation.values import standardize

        return standardize(
            cls,
            values,
            field,
            return_field=return_field,
            return_mapper=return_mapper,
            case_sensitive=case_sensitive,
            mute=mute,
            keep=keep,
            synonyms_field=synonyms_field,
        )

    @classmethod
    def from_values(
        cls, values: Any, field: Any = None, create: bool = False, mute: bool = False
    ) -> list[Self]:
        """The saved records whose ``field`` is one of ``values``; ``create=True`` adds new
        unsaved records for the others (save them with ``ln.save``).

        Example:
            >>> ln.save(ln.ULabel.from_values(["DMSO", "IFNG"], create=True))  # doctest: +SKIP
        """
        from lamingit.api.core.curation.values import from_values

        return from_values(cls, values, field, create, mute)


__all__ = ["CanCurate"]
