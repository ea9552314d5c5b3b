"""Write the JSON Schemas of all record structs to ``schemas/`` (``python -m lamingit.models.export``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lamingit.models.codec import schema_for
from lamingit.models.structs import STRUCTS


def schema_files() -> dict[str, str]:
    """File name → JSON Schema text, one file per registry.

    Example:
        >>> sorted(schema_files())[0]
        'artifact.schema.json'
    """
    return {
        f"{name}.schema.json": json.dumps(schema_for(name), indent=2, sort_keys=True) + "\n"
        for name in sorted(STRUCTS)
    }


def main(target: Path) -> None:
    """Write every schema file into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name, text in schema_files().items():
        (target / name).write_text(text)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("schemas"))
