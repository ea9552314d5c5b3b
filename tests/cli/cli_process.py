"""Run the ``lamingit`` command line as a real subprocess, acting as user ``clitester``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def lamingit(
    *args: str, cwd: Path, env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LAMINGIT_USER": "clitester", **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "lamingit.cli.main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
