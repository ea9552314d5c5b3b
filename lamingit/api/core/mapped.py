"""Collection contents: concatenate loaded members, and the map-style dataset of ``.mapped()``.

``MappedCollection`` reads AnnData members backed (rows are read on access, never the whole
matrix) and is a plain sequence; PyTorch's ``DataLoader`` accepts it as a map-style dataset
when torch is installed (nothing here imports torch).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from lamingit.errors import InvalidArgument

# The accepted spellings of ``join``, typed as the literals pandas and anndata expect.
_JOINS: dict[str, Literal["outer", "inner"]] = {"outer": "outer", "inner": "inner"}


def concat_objects(objects: Sequence[Any], keys: Sequence[str], join: str = "outer") -> Any:
    """Concatenate loaded DataFrames or AnnDatas along rows (``collection.load()``).

    AnnData members get an ``obs["artifact_uid"]`` column naming where each row came from.

    Example:
        >>> import pandas as pd
        >>> concat_objects([pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [2]})], ["u1", "u2"]).a.tolist()
        [1, 2]
    """
    how = _JOINS.get(join)
    if how is None:
        raise InvalidArgument(f"join={join!r}: use 'outer' or 'inner'")
    import pandas as pd

    frames = [o for o in objects if isinstance(o, pd.DataFrame)]
    if frames and len(frames) == len(objects):
        return pd.concat(frames, join=how)
    kinds = sorted({type(o).__name__ for o in objects})
    if kinds == ["AnnData"]:
        import anndata as ad

        return ad.concat(
            list(objects), join=how, label="artifact_uid", keys=list(keys), index_unique=None
        )
    raise InvalidArgument(
        f"collection.load() concatenates DataFrame or AnnData members, got {', '.join(kinds)}; "
        "load the members one by one: [a.load() for a in collection.ordered_artifacts]"
    )


class MappedCollection:
    """Rows of several AnnData files as one indexable dataset (``collection.mapped()``).

    Item ``i`` is a dict: ``"X"`` (the row over the joint variables, float32 numpy array),
    one entry per ``obs_keys`` column (an int code if ``encode_labels`` else the label), and
    ``"_store_idx"`` (which member the row came from).

    Example:
        >>> ds = collection.mapped(obs_keys=["cell_type"])  # doctest: +SKIP
        >>> len(ds), ds[0]["cell_type"]  # doctest: +SKIP
        (1400, 3)
    """

    def __init__(
        self,
        paths: Sequence[Path],
        obs_keys: Sequence[str] | str | None = None,
        join: str | None = "inner",
        encode_labels: bool = True,
        layers_keys: str | None = None,
    ) -> None:
        import anndata as ad

        if join not in ("inner", None):
            raise InvalidArgument(f"mapped(join={join!r}): use 'inner' or None")
        self.obs_keys = [obs_keys] if isinstance(obs_keys, str) else list(obs_keys or [])
        self.layers_keys = layers_keys
        self.encode_labels = encode_labels
        self.storages = [ad.read_h5ad(p, backed="r") for p in paths]
        self._offsets = [0]
        for store in self.storages:
            self._offsets.append(self._offsets[-1] + store.n_obs)
        for key in self.obs_keys:
            missing = [
                str(p) for p, s in zip(paths, self.storages, strict=True) if key not in s.obs
            ]
            if missing:
                self.close()
                raise InvalidArgument(
                    f"obs column {key!r} is missing in {len(missing)} member(s); "
                    "pass obs_keys that every member has"
                )
        self.var_joint, self._var_index = self._joint_vars(join)
        self._labels = {key: self._label_values(key) for key in self.obs_keys}
        self.encoders: dict[str, dict[str, int]] = {
            key: {label: code for code, label in enumerate(sorted(set(values)))}
            for key, values in self._labels.items()
        }

    def _joint_vars(self, join: str | None) -> tuple[list[str], list[Any]]:
        names = [list(map(str, s.var_names)) for s in self.storages]
        if join is None:
            if any(n != names[0] for n in names):
                self.close()
                raise InvalidArgument(
                    "the members have different variables; use mapped(join='inner')"
                )
            return names[0], [None] * len(names)
        common = set(names[0]).intersection(*names[1:]) if names else set()
        joint = [v for v in names[0] if v in common]
        index = []
        for member in names:
            position = {v: i for i, v in enumerate(member)}
            order = [position[v] for v in joint]
            index.append(None if order == list(range(len(member))) else order)
        return joint, index

    def _label_values(self, key: str) -> list[str]:
        values: list[str] = []
        for store in self.storages:
            values.extend(str(v) for v in store.obs[key].tolist())
        return values

    def __len__(self) -> int:
        return self._offsets[-1]

    @property
    def n_obs(self) -> int:
        """The number of rows over all members."""
        return len(self)

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, joint variables)``."""
        return len(self), len(self.var_joint)

    def _locate(self, idx: int) -> tuple[int, int]:
        import bisect

        if idx < 0:
            idx += len(self)
        if not 0 <= idx < len(self):
            raise IndexError(f"index {idx} out of range for {len(self)} rows")
        store = bisect.bisect_right(self._offsets, idx) - 1
        return store, idx - self._offsets[store]

    def __getitem__(self, idx: int) -> dict[str, Any]:
        import numpy as np

        store_idx, row = self._locate(int(idx))
        store = self.storages[store_idx]
        matrix = store.layers[self.layers_keys] if self.layers_keys else store.X
        values = matrix[row]
        values = values.toarray() if hasattr(values, "toarray") else np.asarray(values)
        values = values.reshape(-1)
        order = self._var_index[store_idx]
        if order is not None:
            values = values[order]
        item: dict[str, Any] = {"X": values.astype(np.float32), "_store_idx": store_idx}
        for key in self.obs_keys:
            label = self._labels[key][self._offsets[store_idx] + row]
            item[key] = self.encoders[key][label] if self.encode_labels else label
        return item

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    def get_label_weights(self, obs_keys: str | Sequence[str]) -> Any:
        """A weight per row, inversely proportional to its label's frequency (for samplers).

        Example:
            >>> weights = ds.get_label_weights("cell_type")  # doctest: +SKIP
        """
        import numpy as np

        keys = [obs_keys] if isinstance(obs_keys, str) else list(obs_keys)
        unknown = [k for k in keys if k not in self._labels]
        if unknown:
            raise InvalidArgument(f"{unknown[0]!r} is not one of obs_keys {self.obs_keys}")
        combined = [
            "\x1f".join(parts) for parts in zip(*(self._labels[k] for k in keys), strict=True)
        ]
        counts: dict[str, int] = {}
        for label in combined:
            counts[label] = counts.get(label, 0) + 1
        return np.array([1.0 / counts[label] for label in combined])

    def close(self) -> None:
        """Close the members' backed files."""
        for store in getattr(self, "storages", []):
            file = getattr(store, "file", None)
            if file is not None:
                file.close()

    def __enter__(self) -> MappedCollection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["MappedCollection", "concat_objects"]
