"""The README's headline snippet runs as written in an empty directory and prints what it shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UID = re.compile(r"[0-9A-Za-z]{16}(?:[0-9A-Za-z]{4})?")


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def _pattern(shown: str) -> re.Pattern[str]:
    """A shown output line as a regex: uids and timings may differ, the rest must not."""
    parts = []
    for piece in re.split(r"([0-9A-Za-z]{16,20}|\d+\.\d+ s)", shown):
        if UID.fullmatch(piece):
            parts.append(r"[0-9A-Za-z]{16,20}")
        elif re.fullmatch(r"\d+\.\d+ s", piece):
            parts.append(r"\d+\.\d+ s")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))


def test_headline_snippet_runs_as_written(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    script = _blocks(readme, "python")[0]
    console = _blocks(readme, "console")[0]
    work = tmp_path / "empty"
    work.mkdir()
    (work / "pipeline.py").write_text(script)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    commands: list[tuple[str, list[str]]] = []
    for line in console.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line)
    assert [c for c, _ in commands][0] == "python pipeline.py"
    for command, shown in commands:
        argv = shlex.split(command)
        if argv[0] == "python":
            argv[0] = sys.executable
        out = subprocess.run(
            argv, cwd=work, env=env, capture_output=True, text=True, check=False, timeout=300
        )
        assert out.returncode == 0, f"{command}: {out.stderr}"
        printed = (out.stdout + out.stderr).splitlines()
        assert len(printed) == len(shown), f"{command} printed:\n" + "\n".join(printed)
        for expected, got in zip(shown, printed, strict=True):
            assert _pattern(expected).fullmatch(got), f"{command}: {got!r} != {expected!r}"
