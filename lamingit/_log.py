"""The ``lamingit`` logger: short info lines on stderr, like LaminDB's messages."""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("lamingit")
if not logger.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("→ %(message)s"))
    logger.addHandler(_handler)
if logger.level == logging.NOTSET:
    # ``import lamingit`` is lazy: this module may load after the user quieted the logger.
    logger.setLevel(logging.INFO)
