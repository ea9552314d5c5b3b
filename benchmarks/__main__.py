"""``python -m benchmarks``: run every benchmark script and print one table (see run_all)."""

from __future__ import annotations

import sys

from benchmarks.run_all import main

sys.exit(main())
