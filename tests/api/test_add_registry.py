"""Adding a registry is a struct plus one class (docs/architecture.md, "How to add a
registry"): the new registry is saved, queried through its links, searched, looked up and
bound in ``ln.at``, with no other file changed. It runs in its own interpreter, so the new
struct does not leak into the other tests' STRUCTS."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = '''"""A registry added the documented way (a struct + one class), used end to end."""

from __future__ import annotations

import sys
from typing import ClassVar

from lamingit.models.structs import BaseRecord  # the struct comes first, as in structs.py


class KeywordRecord(BaseRecord, frozen=True):
    """A free-text label."""

    registry: ClassVar[str] = "keyword"
    to_many: ClassVar[dict[str, str]] = {"parents": "keyword"}
    name: str
    parents: list[str] = []
    trashed: bool = False

    def lookups(self) -> set[tuple[str, str]]:
        """See ``BaseRecord.lookups``."""
        return set() if self.trashed else {("keyword.name", self.name)}


import lamingit as ln  # noqa: E402
from lamingit._util import random_base62  # noqa: E402
from lamingit.api.core.base import Registry  # noqa: E402
from lamingit.api.core.commit import new_record_fields  # noqa: E402
from lamingit.api.core.relations import Link, RelatedManager, forward, related  # noqa: E402


class Keyword(Registry):
    _registry: ClassVar[str] = "keyword"
    _struct = KeywordRecord
    _uid_length: ClassVar[int] = 8
    _links: ClassVar[dict[str, Link]] = {
        "parents": forward("keyword", "parents", "keyword", no_self=True)
    }

    def __init__(self, name: str) -> None:
        self._init_record(KeywordRecord(**new_record_fields(random_base62(8)), name=name))

    @property
    def parents(self) -> RelatedManager[Keyword]:
        return related(self, "parents")


ln.connect(sys.argv[1])
tissue = Keyword("tissue").save()
liver = Keyword("liver").save()
liver.parents.add(tissue)
print(ln.Keyword is Keyword)
print(ln.Keyword.filter(parents__name="tissue").one().name)
print(ln.Keyword.get(name="liver").uid == liver.uid)
print(ln.Keyword.search("liv").first().name)
print(ln.at("HEAD").Keyword.filter().count())
print(sorted(ln.Keyword.lookup().dict()))
'''


def test_a_registry_is_a_struct_and_one_class(repo: Path, tmp_path: Path) -> None:
    script = tmp_path / "add_registry.py"
    script.write_text(SCRIPT)
    out = subprocess.run(
        [sys.executable, str(script), str(repo)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:6] == [
        "True",
        "liver",
        "True",
        "liver",
        "2",
        "['liver', 'tissue']",
    ]
