"""Execute a notebook's code cells in an IPython shell, as a Jupyter kernel would.

The seed runs its notebooks with ``nbproject_test.execute_notebooks``; here the cells run in
an ``InteractiveShell`` whose ``__session__`` is the notebook's path, so ``ln.track()``
sees a notebook (key = the .ipynb file, kind "notebook").

Usage: python run_notebook.py NOTEBOOK.ipynb
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell


def main() -> int:
    path = Path(sys.argv[1]).resolve()
    shell = InteractiveShell.instance()
    shell.user_ns["__session__"] = str(path)
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        result = shell.run_cell("".join(cell["source"]), store_history=True)
        if not result.success:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
