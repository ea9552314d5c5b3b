"""Small synthetic stand-ins for the Schmidt et al. 2022 data (no network), and a PNG writer."""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

GENES = [f"GENE{i:03d}" for i in range(60)] + ["IFNG", "IL2RA", "VAV1", "CD5", "LCP2", "TCF7"]


def crispra_screen(path: Path, seed: int = 7) -> Path:
    """A genome-wide CRISPRa screen result: one row per gene, sgRNA counts in two bins."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    low = rng.poisson(200, len(GENES))
    high = rng.poisson(200, len(GENES))
    boosted = [GENES.index(g) for g in ("IFNG", "IL2RA", "VAV1", "CD5", "LCP2")]
    high[boosted] *= 6
    frame = pd.DataFrame({"id": GENES, "count_low": low, "count_high": high})
    frame.to_csv(path, index=False)
    return path


def fastq(path: Path, read: int, n: int = 40, seed: int = 3) -> Path:
    """A gzipped FASTQ file of ``n`` random reads."""
    import numpy as np

    rng = np.random.default_rng(seed + read)
    lines = []
    for i in range(n):
        seq = "".join(rng.choice(list("ACGT"), 28 if read == 1 else 90))
        lines += [f"@read{i}/{read}", seq, "+", "I" * len(seq)]
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def feature_matrix(directory: Path, n_cells: int = 50, seed: int = 5) -> Path:
    """A Cell Ranger ``filtered_feature_bc_matrix/`` (barcodes, features, sparse counts)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    barcodes = [f"{''.join(rng.choice(list('ACGT'), 16))}-1" for _ in range(n_cells)]
    with gzip.open(directory / "barcodes.tsv.gz", "wt") as fh:
        fh.write("\n".join(barcodes) + "\n")
    with gzip.open(directory / "features.tsv.gz", "wt") as fh:
        fh.write("\n".join(f"ENSG{i:011d}\t{g}\tGene Expression" for i, g in enumerate(GENES)))
        fh.write("\n")
    counts = rng.poisson(0.8, (len(GENES), n_cells))
    rows, cols = np.nonzero(counts)
    with gzip.open(directory / "matrix.mtx.gz", "wt") as fh:
        fh.write("%%MatrixMarket matrix coordinate integer general\n")
        fh.write(f"{len(GENES)} {n_cells} {len(rows)}\n")
        for r, c in zip(rows, cols, strict=True):
            fh.write(f"{r + 1} {c + 1} {counts[r, c]}\n")
    return directory


def write_png(path: Path, pixels: list[list[tuple[int, int, int]]]) -> Path:
    """Write an RGB image (rows of (r, g, b)) as a valid PNG, with zlib only."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def heat(value: float) -> tuple[int, int, int]:
    """A white → red colour for a value in [0, 1]."""
    v = max(0.0, min(1.0, value))
    return (255, int(255 * (1 - v)), int(255 * (1 - v)))
