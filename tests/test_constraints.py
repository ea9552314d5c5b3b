"""constraints/lowest.txt pins exactly the lower bounds pyproject.toml declares."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def test_lowest_constraints_match_the_declared_bounds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared: dict[str, str] = {}
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        # `lamingit[notebook]` in the test extra names our own extra, whose specs are read too
        specs += [s for s in extra if _name(s.partition("[")[0]) != _name(project["name"])]
    for spec in specs:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?>=([0-9][0-9A-Za-z.]*)", spec)
        assert match, f"{spec!r} does not declare a lower bound as NAME>=VERSION"
        declared[_name(match.group(1))] = match.group(2)
    pinned: dict[str, str] = {}
    for line in (ROOT / "constraints" / "lowest.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pinned[_name(name)] = version
    assert pinned.keys() == declared.keys()
    for name, bound in declared.items():
        assert Version(pinned[name]) == Version(bound), f"{name}: {pinned[name]} vs >={bound}"
    script = (ROOT / "scripts" / "test_lowest.sh").read_text()
    assert "-c constraints/lowest.txt" in script
