"""Build the small repository the web tests browse (run as a script in an isolated HOME).

Prints a JSON object of the uids the tests need.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd

import lamingit as ln

XSS_KEY = "xss/<script>window.__pwned=1</script>.csv"


def png(width: int, height: int) -> bytes:
    """A valid PNG of one colour (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    row = b"\x00" + b"\x3b\x6e\xa8" * width
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def main(root: Path, work: Path, large: bool) -> None:
    ln.init(root)
    git = ["git", "-C", str(root)]
    cell_type = ln.Record(name="CellType", is_type=True).save()
    t_cell = ln.Record(name="T cell", type=cell_type).save()
    ln.Feature(name="cell_type", dtype=cell_type).save()
    ln.Feature(name="gc_content", dtype="float").save()
    ln.Project(name="atlas").save()
    raw = work / "raw.csv"
    raw.write_text("gene,count\nTP53,5\nBRCA1,7\n")
    first = ln.Artifact(raw, key="raw/counts.csv", description="raw counts v1").save()
    first.features.add_values({"gc_content": 0.41, "cell_type": "T cell"})
    subprocess.run([*git, "tag", "v1"], check=True)
    raw.write_text("gene,count\nTP53,6\nBRCA1,9\nMYC,2\n")
    second = ln.Artifact(raw, key="raw/counts.csv", description="raw counts v2").save()
    second.features.add_values({"gc_content": 0.55})
    # this script is the tracked transform (its source is stored, as for any script)
    ln.track(params={"lr": 0.01})
    ln.Artifact.get(key="raw/counts.csv").load()
    frame = pd.DataFrame({"gene": ["TP53", "MYC"], "score": [0.9, 0.1]})
    hits = ln.Artifact.from_dataframe(frame, key="results/hits.parquet", description="hits").save()
    adata = ad.AnnData(
        X=np.arange(6, dtype=np.float32).reshape(3, 2),
        obs=pd.DataFrame({"cell_type": ["T", "B", "T"]}, index=["c1", "c2", "c3"]),
        var=pd.DataFrame(index=["TP53", "MYC"]),
    )
    cells = ln.Artifact.from_anndata(adata, key="results/cells.h5ad", description="cells").save()
    image = work / "umap.png"
    image.write_bytes(png(40, 30))
    umap = ln.Artifact(image, key="figures/umap.png", description="umap plot").save()
    ln.finish()
    run = hits.run
    xss = work / "xss.csv"
    xss.write_text("a\n1\n")
    bad = ln.Artifact(xss, key=XSS_KEY, description="<img src=x onerror=window.__pwned=2>").save()
    many = []
    for i in range(55):
        path = work / f"s{i:02d}.txt"
        path.write_text(f"sample {i}\n")
        many.append(ln.Artifact(path, key=f"samples/s{i:02d}.txt", description=f"sample {i}"))
    ln.save(many)
    if large:
        # Big enough that a download outlasts the socket buffers (the disconnect test).
        big = work / "big.bin"
        big.write_bytes(np.random.default_rng(0).bytes(48 << 20))
        uids_large = ln.Artifact(big, key="big/blob.bin", description="a large file").save().uid
    uids = {
        "first": first.uid,
        "second": second.uid,
        "hits": hits.uid,
        "cells": cells.uid,
        "umap": umap.uid,
        "run": run.uid,
        "transform": run.transform.uid,
        "xss": bad.uid,
        "large": uids_large if large else "",
        "t_cell": t_cell.uid,
    }
    print(json.dumps(uids))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), "--large" in sys.argv[3:])
