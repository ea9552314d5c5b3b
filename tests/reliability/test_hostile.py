"""Hostile input gets a clear LamingitError and changes nothing; nothing runs code from data."""

from __future__ import annotations

import ast
import json
import os
import pickle
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lamingit as ln
from lamingit.api.core.keys import BIDI_CONTROLS, MAX_KEY_BYTES, validate_key
from lamingit.errors import IntegrityError, InvalidArgument, InvalidKey, LamingitError
from lamingit.layout import record_path
from lamingit.models import encode
from lamingit.records import replace
from lamingit.session import SESSION

PACKAGE = Path(__file__).resolve().parents[2] / "lamingit"
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

_segment_chars = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\\x00" + "".join(BIDI_CONTROLS)
)
_segment = st.text(_segment_chars, min_size=1, max_size=20).filter(
    lambda s: s not in (".", "..", ".lamingit", ".git")
)
valid_keys = st.lists(_segment, min_size=1, max_size=4).map(lambda parts: "/".join(parts) + ".txt")


def _state() -> tuple[str | None, list[str]]:
    repo = SESSION.repository()
    return repo.git.head(), sorted(repo.blobs.iter_oids())


@st.composite
def invalid_keys(draw: st.DrawFn) -> str:
    base = draw(valid_keys)
    parts = base.split("/")
    at = draw(st.integers(0, len(parts)))
    bad = draw(st.sampled_from(["..", ".", "", ".lamingit", ".git", "a\x00b", "a\\b", "x\x01y"]))
    how = draw(st.sampled_from(["segment", "absolute", "long", "segment"]))
    if how == "absolute":
        return "/" + base
    if how == "long":
        return "a/" * (MAX_KEY_BYTES // 2) + base
    return "/".join(parts[:at] + [bad] + parts[at:])


@FUZZ
@given(key=valid_keys)
def test_valid_keys_round_trip(repo: Path, key: str) -> None:
    stored = unicodedata.normalize("NFC", key)  # keys are stored in NFC (docs/artifacts.md)
    assert validate_key(key, ".txt") == stored
    path = Path("content.txt")
    path.write_text(f"content for {key!r}")
    saved = ln.Artifact(path, key=key).save()
    assert ln.Artifact.get(key=stored).uid == saved.uid
    assert ln.Artifact.get(saved.uid).key == stored


@FUZZ
@given(key=invalid_keys())
def test_invalid_keys_are_refused_and_nothing_is_written(repo: Path, key: str) -> None:
    path = Path("content.txt")
    path.write_text("some content")
    before = _state()
    with pytest.raises(InvalidKey):
        ln.Artifact(path, key=key).save()
    assert _state() == before


def test_very_long_and_unicode_keys(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidKey, match="at most"):
        validate_key("a" * 2000 + ".txt")
    with pytest.raises(InvalidKey, match="longer than"):
        validate_key("b" * 300 + ".txt")
    key = "données/Zellkultur 🧫/样品.txt"
    assert ln.Artifact(write("u.txt", "unicode"), key=key).save().key == key
    assert ln.Artifact.get(key=key).key == key


_FIELDS = [
    "key",
    "size",
    "suffix",
    "is_latest",
    "uid",
    "created_at",
    "created_by",
    "run",
    "n_files",
    "version",
    "description",
    "hash",
    "trashed",
    "projects",
    "nope",
    "run__key",
]
_OPS = [
    "",
    "__exact",
    "__gt",
    "__lte",
    "__in",
    "__range",
    "__contains",
    "__startswith",
    "__isnull",
    "__regex",
    "__iexact",
    "__bogus",
]
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.lists(st.one_of(st.integers(), st.text(max_size=4)), max_size=3),
    st.sampled_from(["(", "[a-", "*", ".*"]),
)


@FUZZ
@given(field=st.sampled_from(_FIELDS), op=st.sampled_from(_OPS), value=_VALUES)
def test_filter_fuzz_answers_or_raises_invalid_argument(
    repo: Path, field: str, op: str, value: Any
) -> None:
    if not ln.Artifact.filter().exists():
        Path("f.txt").write_text("one artifact")
        ln.Artifact(Path("f.txt"), key="f.txt", description="fuzz").save()
    try:
        count = ln.Artifact.filter(**{field + op: value}).count()
    except InvalidArgument:
        return
    assert 0 <= count <= 1


def test_filter_wrong_types_and_unknown_fields(repo: Path) -> None:
    for lookups in (
        {"size": "big"},
        {"size__gt": "abc"},
        {"key__regex": "("},
        {"size__range": [1]},
        {"key__foo": "x"},
        {"key__isnull": "yes"},
        {"nonexistent": 1},
        {"run__bogus": 1},
        {"created_by__handle__gt": 3},
        {"is_latest": "yes"},
    ):
        with pytest.raises(InvalidArgument):
            ln.Artifact.filter(**lookups).count()


def test_record_with_a_crafted_uid_is_refused(repo: Path, write) -> None:  # type: ignore[no-untyped-def]
    artifact = ln.Artifact(write("a.txt", "hello"), key="a.txt").save()
    store = SESSION.repository()
    evil = replace(artifact._record, uid="../../../../tmp/evil")
    commit = store.git.write_commit(
        store.git.head(), {record_path("artifact", artifact.uid): encode(evil)}, "x", ("e", "e@x")
    )
    store.git.set_branch(commit)
    with pytest.raises(IntegrityError, match="carries uid"):
        ln.Artifact.get(artifact.uid)
    assert ln.Artifact.filter().to_list() == []  # scans skip it with a warning


def test_crafted_manifest_cannot_write_outside_the_cache(repo: Path, write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    Path("d").mkdir()
    write("d/a.txt", "inside")
    directory = ln.Artifact(Path("d"), key="d").save()
    store = SESSION.repository()
    target = tmp_path / "escaped.txt"
    inner = store.blobs.put_bytes(b"payload")
    rel = os.path.relpath(target, store.paths.cache / directory.uid / "d")
    manifest = json.dumps([[rel, inner, 7]]).encode()
    oid = store.blobs.put_bytes(manifest)
    crafted = replace(directory._record, hash=oid)
    commit = store.git.write_commit(
        store.git.head(),
        {record_path("artifact", directory.uid): encode(crafted)},
        "x",
        ("e", "e@x"),
    )
    store.git.set_branch(commit)
    with pytest.raises(IntegrityError, match="outside the directory"):
        ln.Artifact.get(directory.uid).cache()
    assert not target.exists()


def test_symlinks_leading_out_of_a_directory_are_refused(repo: Path, write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours")
    outside_dir = tmp_path / "outside"
    outside_dir.mkdir()
    before = _state()
    Path("d1").mkdir()
    write("d1/ok.txt", "fine")
    (Path("d1") / "leak.txt").symlink_to(secret)
    with pytest.raises(InvalidArgument, match="outside the directory"):
        ln.Artifact(Path("d1"), key="d1").save()
    Path("d2").mkdir()
    write("d2/ok.txt", "fine")
    (Path("d2") / "leakdir").symlink_to(outside_dir)
    with pytest.raises(InvalidArgument, match="outside the directory"):
        ln.Artifact(Path("d2"), key="d2").save()
    assert _state() == before
    Path("d3").mkdir()
    write("d3/real.txt", "inside")
    (Path("d3") / "alias.txt").symlink_to("real.txt")
    saved = ln.Artifact(Path("d3"), key="d3").save()
    assert saved.n_files == 2


def test_non_utf8_file_names(repo: Path) -> None:
    name = b"caf\xe9-\xff.txt"
    Path(os.fsdecode(name)).write_bytes(b"latin-1 named file")
    saved = ln.Artifact(name, description="a file with a non-UTF-8 name").save()
    assert saved.suffix == ".txt" and saved.key is None
    assert ln.Artifact.get(saved.uid).cache().read_bytes() == b"latin-1 named file"
    before = _state()
    odd = os.fsdecode(b"data.\xff")
    Path(odd).write_bytes(b"odd suffix")
    with pytest.raises(InvalidArgument, match="UTF-8"):
        ln.Artifact(odd, description="odd").save()
    Path("dir").mkdir()
    (Path("dir") / os.fsdecode(b"\xfe.txt")).write_bytes(b"inside")
    with pytest.raises(InvalidArgument, match="UTF-8"):
        ln.Artifact(Path("dir"), key="dir").save()
    with pytest.raises(InvalidKey):
        ln.Artifact(Path(os.fsdecode(name)), key=os.fsdecode(name)).save()
    assert _state() == before


class _Boom:
    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, ("touch PWNED",))


def test_pickled_zarr_is_not_loaded(repo: Path) -> None:
    store = Path("evil.zarr")
    (store / "x").mkdir(parents=True)
    (store / ".zgroup").write_text(json.dumps({"zarr_format": 2}))
    (store / "x" / ".zarray").write_text(
        json.dumps(
            {
                "zarr_format": 2,
                "shape": [1],
                "chunks": [1],
                "dtype": "|O",
                "compressor": None,
                "fill_value": 0,
                "order": "C",
                "filters": [{"id": "pickle", "protocol": 5}],
            }
        )
    )
    (store / "x" / "0").write_bytes(pickle.dumps([_Boom()]))
    artifact = ln.Artifact(store, key="evil.zarr").save()
    with pytest.raises(IntegrityError, match="pickle"):
        ln.Artifact.get(artifact.uid).load()
    with pytest.raises(IntegrityError, match="pickle"):
        ln.Artifact.get(artifact.uid).open()
    assert not Path("PWNED").exists()


def test_no_module_unpickles_or_evaluates_data() -> None:
    """Static guard: no pickle/marshal/eval/exec, no read_pickle, no allow_pickle=True."""
    offenders: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if any(n.split(".")[0] in ("pickle", "marshal", "shelve", "dill") for n in names):
                    offenders.append(f"{path.name}:{node.lineno} imports {names}")
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("eval", "exec", "read_pickle", "load_pickle", "unsafe_load"):
                    offenders.append(f"{path.name}:{node.lineno} calls {name}")
                for kw in node.keywords:
                    if kw.arg == "allow_pickle" and not (
                        isinstance(kw.value, ast.Constant) and kw.value.value is False
                    ):
                        offenders.append(f"{path.name}:{node.lineno} allow_pickle")
    assert offenders == []


def test_every_hostile_error_is_a_lamingit_error() -> None:
    assert issubclass(InvalidKey, LamingitError) and issubclass(IntegrityError, LamingitError)
