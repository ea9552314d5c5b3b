"""The ``lamingit`` logger: short info lines on stderr, like LaminDB's messages."""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("lamingit")
if not logger.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("→ %(message)s"))
    logger.addHandler(_handler)
    logger.setLevel(logging.INFO)
