"""AnnDataCurator: validate an AnnData slot by slot (``obs``, ``var``, ``var.T``), save it."""

from __future__ import annotations

from typing import Any

from lamingit.api.core import catalog
from lamingit.api.core.curation.rules import Validation, raise_if_invalid, var_names_report
from lamingit.api.curators.dataframe import Curator, DataFrameCurator
from lamingit.errors import InvalidArgument
from lamingit.models import SchemaRecord


class AnnDataCurator(Curator):
    """Validate an AnnData against a Schema with slots; ``curator.slots["obs"]`` is a
    DataFrameCurator of ``adata.obs`` (with ``.cat.standardize`` / ``.cat.add_new_from``).

    Example:
        >>> schema = ln.Schema(otype="AnnData", slots={"obs": obs_schema, "var.T": var_schema}).save()  # doctest: +SKIP
        >>> curator = ln.curators.AnnDataCurator(adata, schema)  # doctest: +SKIP
        >>> artifact = curator.save_artifact(key="scrna/pbmc.h5ad")  # doctest: +SKIP
    """

    _from = "from_anndata"

    def __init__(self, dataset: Any, schema: Any) -> None:
        super().__init__(dataset, schema)
        if type(self._dataset).__name__ != "AnnData":
            raise InvalidArgument(
                f"AnnDataCurator takes an AnnData, got {type(self._dataset).__name__}"
            )
        if not self._schema_record.slots:
            raise InvalidArgument(
                "an AnnData schema needs slots: ln.Schema(otype='AnnData', "
                "slots={'obs': obs_schema, 'var.T': var_schema}).save()"
            )
        schema_cls = catalog.registry_class("schema")
        self._slots: dict[str, Any] = {}
        for slot, uid in self._schema_record.slots.items():
            component = schema_cls.get(uid)
            if slot == "obs":
                self._slots[slot] = DataFrameCurator(self._dataset.obs, component, slot="obs")
            elif slot == "var":
                self._slots[slot] = DataFrameCurator(self._dataset.var, component, slot="var")
            else:
                self._slots[slot] = component

    @property
    def slots(self) -> dict[str, Any]:
        """Slot → its curator (``obs``, ``var``) or schema (``var.T``)."""
        return dict(self._slots)

    def validate(self) -> None:
        """Raise one ``ln.errors.ValidationError`` naming every problem of every slot.

        Example:
            >>> curator.validate()  # doctest: +SKIP
        """
        validation = Validation()
        snapshot = self._snapshot()
        for slot, part in self._slots.items():
            if isinstance(part, DataFrameCurator):
                validation.reports[slot] = part._check()
            else:
                record = part._record
                assert isinstance(record, SchemaRecord)
                names = [str(n) for n in self._dataset.var_names]
                validation.reports[slot] = var_names_report(snapshot, record, names)
        self._is_validated = False
        raise_if_invalid(validation, "the AnnData")
        self._is_validated = True


__all__ = ["AnnDataCurator"]
