"""A notebook as a transform sees it: the ``.ipynb`` without outputs (the versioned source),
the consecutiveness of its executed cells, and its HTML report (the only nbformat and
nbconvert user; both imported late).
"""

from __future__ import annotations

import copy
import json
import platform
import time
import warnings
from pathlib import Path
from typing import Any

from lamingit.errors import InvalidArgument

MAX_NOTEBOOK = 256 * 1024 * 1024
"""Bytes of an ``.ipynb`` read at most (outputs with images can be large)."""
KEPT_NOTEBOOK_METADATA = ("kernelspec",)
"""Notebook metadata kept in the source; the rest (papermill timings, widget state,
``language_info`` with the Python patch version) changes without the code changing."""
KEPT_CELL_METADATA = ("tags",)
"""Cell metadata kept in the source: tags (``parameters``) change what a runner does."""
FINISH_CALL = ".finish("
"""The cell calling ``finish()`` is left out of the consecutiveness check (as LaminDB)."""


def read_notebook(path: Path) -> dict[str, Any]:
    """The parsed ``.ipynb`` at ``path``; a one-line error when it is not a notebook.

    Example:
        >>> read_notebook(Path("analysis.ipynb"))["nbformat"]  # doctest: +SKIP
        4
    """
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK:
            raise InvalidArgument(
                f"{path} is {size} bytes; notebooks over {MAX_NOTEBOOK} bytes are not "
                "tracked (clear large outputs and save it again)"
            )
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InvalidArgument(f"cannot read notebook {path}: {err.strerror or err}") from None
    except ValueError as err:
        raise InvalidArgument(
            f"{path} is not a Jupyter notebook (invalid JSON: {err}); save it from Jupyter "
            "or pass ln.track(path=…) naming the .ipynb file"
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        raise InvalidArgument(f"{path} is not a Jupyter notebook (no list of cells)")
    return doc


def cell_source(cell: dict[str, Any]) -> str:
    """A cell's source as one string (nbformat stores a string or a list of lines).

    Example:
        >>> cell_source({"source": ["x = 1\\n", "y = 2"]})
        'x = 1\\ny = 2'
    """
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return str(source)


def strip_outputs(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``doc`` without outputs, execution counts and volatile metadata.

    Two saves of the same code give the same result, whatever ran in between (that is
    what the transform's version follows, as LaminDB's stripped ``.ipynb``).

    Example:
        >>> nb = {"cells": [{"cell_type": "code", "source": "1", "outputs": [{"x": 1}],
        ...        "execution_count": 3, "metadata": {"scrolled": True}}], "metadata": {}}
        >>> strip_outputs(nb)["cells"][0]
        {'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'outputs': [], 'source': '1'}
    """
    clean = copy.deepcopy(doc)
    meta = clean.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    clean["metadata"] = {k: meta[k] for k in KEPT_NOTEBOOK_METADATA if k in meta}
    cells = []
    for cell in clean.get("cells", []):
        if not isinstance(cell, dict):
            continue
        cell_meta = cell.get("metadata")
        cell_meta = cell_meta if isinstance(cell_meta, dict) else {}
        cell["metadata"] = {k: cell_meta[k] for k in KEPT_CELL_METADATA if k in cell_meta}
        cell["source"] = cell_source(cell)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(dict(sorted(cell.items())))
    clean["cells"] = cells
    return clean


def source_text(doc: dict[str, Any]) -> str:
    """The transform's source: the stripped notebook as stable JSON text.

    Example:
        >>> source_text({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
        '{\\n "cells": [],\\n "metadata": {},\\n "nbformat": 4,\\n "nbformat_minor": 5\\n}\\n'
    """
    text = json.dumps(strip_outputs(doc), indent=1, sort_keys=True, ensure_ascii=False)
    return text + "\n"


def title(doc: dict[str, Any]) -> str | None:
    """The first level-1 markdown heading (LaminDB's notebook title), or None.

    Example:
        >>> title({"cells": [{"cell_type": "markdown", "source": "# Hit calling\\ntext"}]})
        'Hit calling'
    """
    for cell in doc.get("cells", []):
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            for line in cell_source(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip(" .") or None
    return None


def violations(doc: dict[str, Any]) -> list[tuple[int | None, int | None]]:
    """Pairs ``(previous, this)`` of execution counts that do not increase by one.

    LaminDB's ``check_consecutiveness``: non-empty code cells in document order must
    have run as 1, 2, 3, …; the cell calling ``finish()`` is skipped, and a last cell
    that has not run yet (the one being executed) is no violation.

    Example:
        >>> cells = [{"cell_type": "code", "source": s, "execution_count": n}
        ...          for s, n in (("a", 1), ("b", 3), ("c", 2))]
        >>> violations({"cells": cells})
        [(1, 3), (3, 2)]
    """
    found: list[tuple[int | None, int | None]] = []
    previous: int | None = 0
    count: int | None = 0
    for cell in doc.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell_source(cell)
        if not source.strip() or FINISH_CALL in source:
            continue
        raw = cell.get("execution_count")
        count = raw if isinstance(raw, int) else None
        if count is None or previous is None or count - previous != 1:
            found.append((previous, count))
        previous = count
    if count is None and found:
        found.pop()
    return found


def save_shortcut() -> str:
    """The editor's save shortcut on this platform (LaminDB's wording).

    Example:
        >>> save_shortcut() in ("CMD + s", "CTRL + s")
        True
    """
    return "CMD + s" if platform.system() == "Darwin" else "CTRL + s"


def wait_for_save(path: Path, seconds: float, *, poll: float = 0.5) -> bool:
    """Wait up to ``seconds`` for ``path`` to be saved (its mtime within the last 2 s).

    Example:
        >>> wait_for_save(Path("analysis.ipynb"), 0)  # doctest: +SKIP
        False
    """
    deadline = time.time() + seconds
    while True:
        try:
            if time.time() - path.stat().st_mtime <= 2.0:
                return True
        except OSError:
            return False
        if time.time() >= deadline:
            return False
        time.sleep(poll)


def to_node(doc: dict[str, Any]) -> Any:
    """``doc`` as an nbformat v4 node (list sources joined, old notebooks upgraded).

    Example:
        >>> to_node({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).cells
        []
    """
    try:
        import nbformat
    except ImportError:
        raise InvalidArgument(
            "notebooks need nbformat and nbconvert: pip install 'lamingit[notebook]'"
        ) from None
    # A notebook without cell ids renders and runs the same; nbformat's warning is noise here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return nbformat.reads(json.dumps(doc), as_version=4)


def to_dict(node: Any) -> dict[str, Any]:
    """An nbformat node back as a plain JSON-like dict.

    Example:
        >>> to_dict(to_node({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))["cells"]
        []
    """
    import nbformat

    value = json.loads(nbformat.writes(node))
    assert isinstance(value, dict)
    return value


def report_html(doc: dict[str, Any]) -> str:
    """The notebook with its outputs as a standalone HTML page (nbconvert's lab template).

    Prompts are left out and so is the output of the ``finish()`` cell, as LaminDB does.

    Example:
        >>> report_html(read_notebook(Path("analysis.ipynb")))[:15]  # doctest: +SKIP
        '<!DOCTYPE html>'
    """
    node = to_node(doc)
    try:
        from nbconvert import HTMLExporter
        from traitlets.config import Config
    except ImportError:
        raise InvalidArgument(
            "notebook reports need nbconvert: pip install 'lamingit[notebook]'"
        ) from None
    for cell in node.cells:
        if cell.get("cell_type") == "code" and FINISH_CALL in cell_source(cell):
            cell["outputs"] = []
    config = Config()
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    exporter = HTMLExporter(config=config)
    html, _ = exporter.from_notebook_node(node)
    return str(html)
