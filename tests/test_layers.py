"""The import layers of DESIGN.md hold, and `import lamingit` stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "lamingit"

# module prefix → layer; a module may import only its own layer or lower ones.
LAYERS: list[tuple[str, int]] = [
    ("lamingit.errors", 0),
    ("lamingit.types", 0),
    ("lamingit._util", 0),
    ("lamingit._log", 0),
    ("lamingit.models", 1),
    ("lamingit.storage", 1),
    ("lamingit.layout", 2),
    ("lamingit.records", 2),
    ("lamingit.query", 2),
    ("lamingit.index", 2),
    ("lamingit.feature_values", 2),
    ("lamingit.blob_settings", 2),
    ("lamingit.merge", 2),
    ("lamingit.router", 2),
    ("lamingit.repo", 3),
    ("lamingit.session", 3),
    ("lamingit.fsck", 3),
    ("lamingit.gc", 3),
    ("lamingit.pack_worker", 3),
    ("lamingit.auto_pack", 3),
    ("lamingit.remote", 3),
    ("lamingit.tracking", 4),
    ("lamingit.api", 5),
    ("lamingit.cli", 6),
    ("lamingit.web", 6),
    ("lamingit", 7),
]
ENGINES = {
    "pygit2": "lamingit.storage.git",
    "polars": "lamingit.index",
    "watchdog": "lamingit.tracking",
    "graphviz": "lamingit.api.present.lineage_digraph",
}


def layer_of(module: str) -> int:
    for prefix, layer in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return layer
    raise AssertionError(f"{module} is not assigned to a layer in tests/test_layers.py")


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        out.append((name, path))
    return out


def imported(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_imports_point_down_only() -> None:
    problems = []
    for name, path in modules():
        if name == "lamingit":
            continue
        own = layer_of(name)
        for target in imported(path):
            if target.startswith("lamingit") and target != "lamingit" and layer_of(target) > own:
                problems.append(f"{name} (layer {own}) imports {target} (layer {layer_of(target)})")
    assert not problems, "\n".join(problems)


def test_one_module_per_engine() -> None:
    problems = []
    for name, path in modules():
        for target in imported(path):
            root = target.split(".")[0]
            owner = ENGINES.get(root)
            if owner is not None and not (name == owner or name.startswith(owner + ".")):
                problems.append(f"{name} imports {root}; only {owner} may")
    assert not problems, "\n".join(problems)


def test_import_lamingit_is_light() -> None:
    code = (
        "import sys, lamingit; "
        "heavy = [m for m in ('polars', 'pyarrow', 'pandas', 'anndata', 'zarr', 'pygit2') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_tracked_process_does_not_import_watchdog() -> None:
    """watchdog runs in the watcher process (lamingit/tracking/watch_child.py), not here."""
    code = (
        "import sys, lamingit.api.track, lamingit.tracking.watcher, lamingit.tracking.watch_child; "
        "print('watchdog' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cli_startup_does_not_import_dataframe_libraries() -> None:
    code = (
        "import sys; from lamingit.cli.main import cli; "
        "print(','.join(m for m in ('polars', 'pyarrow', 'pandas', 'anndata') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_import_linter_contracts_are_kept() -> None:
    """The contracts in pyproject.toml: the house layers, and no import cycle below the api
    (function-local imports count; imports for type checking only do not)."""
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(no_cache=True, no_logo=True))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
