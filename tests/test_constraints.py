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
    unpinned: set[str] = set()  # "# not pinned: NAME — why": a bound the lowest run leaves out
    for line in (ROOT / "constraints" / "lowest.txt").read_text().splitlines():
        if match := re.match(r"#\s*not pinned:\s*([A-Za-z0-9_.-]+)\s+\S", line):
            unpinned.add(_name(match.group(1)))
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pinned[_name(name)] = version
    assert not unpinned & pinned.keys(), f"both pinned and not pinned: {unpinned & pinned.keys()}"
    assert pinned.keys() | unpinned == declared.keys()
    for name, bound in declared.items():
        if name not in unpinned:
            assert Version(pinned[name]) == Version(bound), f"{name}: {pinned[name]} vs >={bound}"
    script = (ROOT / "scripts" / "test_lowest.sh").read_text()
    assert "-c constraints/lowest.txt" in script
    # every pinned bound is installed by the lowest run (its extras, and the extras they name)
    extras = project["optional-dependencies"]
    installed = re.search(r'-e "\.\[([^\]]*)\]" -c constraints/lowest\.txt', script)
    assert installed, "test_lowest.sh installs the project with extras against the pins"
    todo, seen = installed.group(1).split(","), set()
    covered = {_name(re.split(r"[\[>=]", s)[0]) for s in project["dependencies"]}
    while todo:
        extra = todo.pop()
        seen.add(extra)
        for spec in extras[extra]:
            name, _, inner = spec.partition("[")
            if _name(name) == _name(project["name"]):
                todo += [e for e in inner.rstrip("]").split(",") if e not in seen]
            else:
                covered.add(_name(re.split(r"[\[>=]", spec)[0]))
    assert pinned.keys() <= covered, f"pinned but not installed: {pinned.keys() - covered}"
