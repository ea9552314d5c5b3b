"""LaminDB's ``HasSynonyms`` (``add_synonym``/``remove_synonym``) and ``HasAbbr`` (``set_abbr``).

Synonyms are stored as LaminDB stores them: one text field, ``"T-cell|T lymphocyte"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from lamingit.api.core.curation.values import SEP, split_synonyms
from lamingit.errors import ValidationError

if TYPE_CHECKING:
    from lamingit.api.core.base import Registry


def _new_synonyms(synonym: Any) -> list[str]:
    if isinstance(synonym, str):
        listed = [synonym]
    elif isinstance(synonym, list | tuple | set):
        listed = [str(s) for s in synonym]
    else:
        raise ValidationError(f"a synonym is a str or a list of str, got {synonym!r}")
    listed = [s for s in dict.fromkeys(listed) if s]
    bad = [s for s in listed if SEP in s or s != s.strip()]
    if bad:
        raise ValidationError(
            f"a synonym can't contain '|' or surrounding spaces, got {bad[0]!r}; "
            "pass several synonyms as a list: add_synonym(['a', 'b'])"
        )
    return listed


def joined_synonyms(synonym: Any) -> str | None:
    """A constructor's ``synonyms=`` (text ``"a|b"`` or a list) as the stored text, or None.

    Example:
        >>> joined_synonyms(["cell type", "celltype"])
        'cell type|celltype'
    """
    if synonym is None:
        return None
    listed = split_synonyms(synonym) if isinstance(synonym, str) else _new_synonyms(synonym)
    return SEP.join(_new_synonyms(listed)) or None


class HasSynonyms:
    """Mixin for registries with a ``synonyms`` field (``ln.Feature``)."""

    _record: Any
    _saved: bool
    synonyms: str | None
    """Bar-separated (``|``) synonyms of the name."""

    def add_synonym(
        self, synonym: str | list[str], force: bool = False, save: bool | None = None
    ) -> None:
        """Add synonyms to this record (saved at once if the record is saved, one commit).

        A synonym another record of the registry already has is refused unless ``force=True``.

        Example:
            >>> ln.Feature.get(name="cell_type").add_synonym("cell type")  # doctest: +SKIP
        """
        new = _new_synonyms(synonym)
        if not new:
            return
        if not force:
            taken = {
                s: obj
                for obj in type(cast("Registry", self)).filter()
                if obj.uid != self._record.uid
                for s in split_synonyms(getattr(obj._record, "synonyms", None))
                if s in new
            }
            if taken:
                first = next(iter(taken))
                owner = taken[first]
                label = getattr(owner._record, "name", owner.uid)
                raise ValidationError(
                    f"synonym {first!r} already belongs to {type(owner).__name__} {label!r}; "
                    f"remove it there with .remove_synonym({first!r}) or pass force=True"
                )
        self._set_synonyms([*split_synonyms(self._record.synonyms), *new], save)

    def remove_synonym(self, synonym: str | list[str]) -> None:
        """Remove synonyms from this record (saved at once if the record is saved).

        Example:
            >>> ln.Feature.get(name="cell_type").remove_synonym("cell type")  # doctest: +SKIP
        """
        gone = set(_new_synonyms(synonym))
        kept = [s for s in split_synonyms(self._record.synonyms) if s not in gone]
        self._set_synonyms(kept, None)

    def _set_synonyms(self, synonyms: list[str], save: bool | None) -> None:
        text = SEP.join(dict.fromkeys(synonyms)) or None
        self.synonyms = text
        if self._saved if save is None else save:
            cast("Registry", self).save()


class HasAbbr:
    """Mixin for registries with an ``abbr`` field (``ln.Project``)."""

    _record: Any
    _saved: bool
    abbr: str | None
    """An abbreviation."""

    def set_abbr(self, value: str) -> None:
        """Set the abbreviation (and add it to ``synonyms`` where the registry has them);
        saved at once if the record is saved.

        Example:
            >>> ln.Project.get(name="Cancer Drug Screen").set_abbr("CDS")  # doctest: +SKIP
        """
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"an abbreviation is non-empty text, got {value!r}")
        self.abbr = value
        if isinstance(self, HasSynonyms) and value != getattr(self._record, "name", None):
            self.add_synonym(value, save=False)
        if self._saved:
            cast("Registry", self).save()


__all__ = ["HasAbbr", "HasSynonyms", "joined_synonyms"]
