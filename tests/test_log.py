"""The ``lamingit`` logger: info by default, and a level the user set is kept."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import logging
import lamingit as ln
{before}
from lamingit._log import logger
print(logging.getLevelName(logger.level))
"""


def _level_after(before: str) -> str:
    # A fresh interpreter: this process has loaded the logger module already.
    code = PROGRAM.format(before=before)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_default_level_is_info() -> None:
    assert _level_after("") == "INFO"


def test_a_level_set_right_after_import_is_kept() -> None:
    # ``import lamingit`` loads its modules lazily, so the logger module loads after this line.
    assert _level_after("logging.getLogger('lamingit').setLevel(logging.WARNING)") == "WARNING"
