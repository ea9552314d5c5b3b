"""Artifact key rules and suffix detection (compound suffixes count as one)."""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath

from lamingit.errors import InvalidKey

COMPOUND_SUFFIXES: tuple[str, ...] = (
    ".anndata.zarr",
    ".spatialdata.zarr",
    ".ome.zarr",
    ".ome.tiff",
    ".csv.gz",
    ".tsv.gz",
    ".mtx.gz",
    ".fastq.gz",
    ".fq.gz",
    ".fasta.gz",
    ".fa.gz",
    ".vcf.gz",
    ".bed.gz",
    ".gtf.gz",
    ".json.gz",
    ".txt.gz",
    ".tar.gz",
    ".tar.bz2",
    ".tar.xz",
)
MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255
# Bidirectional embeddings, overrides, isolates and marks: they make a key display differently
# from what it is ("Trojan Source"), so a reviewer could not trust what `lamingit ls` shows.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def suffix_of(name: str) -> str:
    """The suffix of a file or key name, with known compound suffixes kept whole.

    Example:
        >>> suffix_of("reads/R1.fastq.gz"), suffix_of("a.b.parquet"), suffix_of("README")
        ('.fastq.gz', '.parquet', '')
    """
    base = PurePosixPath(name).name
    lower = base.lower()
    for compound in COMPOUND_SUFFIXES:
        if lower.endswith(compound) and len(base) > len(compound):
            return base[-len(compound) :]
    suffix = PurePosixPath(base).suffix
    return suffix


def validate_key(key: str, suffix: str | None = None) -> str:
    """Return ``key`` in Unicode NFC if it is a valid logical POSIX path (matching ``suffix``).

    Two normal forms of one name are one key (macOS file names arrive decomposed); control
    characters (C0, DEL, C1) and bidirectional overrides are refused.

    Example:
        >>> validate_key("raw/batch1.csv", ".csv")
        'raw/batch1.csv'
        >>> validate_key("cafe\u0301.csv") == "caf\u00e9.csv"
        True
    """
    if not isinstance(key, str):
        raise InvalidKey(f"a key must be a string, got {type(key).__name__}")
    if not key:
        raise InvalidKey("a key must not be empty; pass key='folder/name.ext' or leave it out")
    if "\x00" in key:
        raise InvalidKey(f"key {key!r} contains a NUL character; remove it")
    if "\\" in key:
        raise InvalidKey(f"key {key!r} contains a backslash; keys use '/' as separator")
    if key.startswith("/"):
        raise InvalidKey(f"key {key!r} is absolute; drop the leading '/' (keys are relative)")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise InvalidKey(f"key is {len(key.encode())} bytes long; keys are at most {MAX_KEY_BYTES}")
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidKey(f"key {key!r} is not valid UTF-8; rename it") from None
    key = unicodedata.normalize("NFC", key)
    bad = next((c for c in key if unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS), None)
    if bad is not None:
        kind = "a bidirectional override" if bad in BIDI_CONTROLS else "a control character"
        raise InvalidKey(f"key {key!r} contains {kind} (U+{ord(bad):04X}); remove it")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidKey(
                f"key {key!r} has an empty, '.' or '..' segment; write it as a plain path like 'a/b.csv'"
            )
        if segment == ".lamingit" or segment == ".git":
            raise InvalidKey(f"key {key!r} uses the reserved folder name {segment!r}; rename it")
        if len(segment.encode()) > MAX_SEGMENT_BYTES:
            raise InvalidKey(
                f"a segment of key {key[:40]!r}… is longer than {MAX_SEGMENT_BYTES} bytes"
            )
    if suffix is not None:
        key_suffix = suffix_of(key)
        if key_suffix.lower() != suffix.lower():
            raise InvalidKey(
                f"key {key!r} has suffix {key_suffix or '(none)'!r} but the data has "
                f"{suffix or '(none)'!r}; use a key ending in {suffix or 'no suffix'!r}"
            )
    return key
