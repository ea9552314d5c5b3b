""".ci/run installs the project and runs the tests exactly as README's test command says."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("Install with the test tools and run the test suite", 1)[1]
    block = re.search(r"```bash\n(.*?)\n```", section, re.DOTALL)
    assert block, "README's set-up section has the test command in a bash block"
    # python3 -m venv .venv && . .venv/bin/activate && pip install … && python -m pytest
    steps = [s.strip() for s in block.group(1).split("&&")]
    assert steps[:2] == ["python3 -m venv .venv", ". .venv/bin/activate"]
    install, test = " && ".join(steps[2:-1]), steps[-1]
    assert install.startswith("pip install -e ") and test == "python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert "python3 -m venv .venv" in ci and ". .venv/bin/activate" in ci
    wanted = install.replace("pip install", "python -m pip install -q", 1) + f" && {test}"
    assert wanted in ci, f".ci/run does not run README's command: {wanted}"
