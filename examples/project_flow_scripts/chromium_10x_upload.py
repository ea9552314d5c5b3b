"""Upload the sequencer's FASTQ files (run by testuser1 as a script)."""

import tempfile
from pathlib import Path

from synthetic import fastq

import lamingit as ln

ln.track()
work = Path(tempfile.mkdtemp())
for read in (1, 2):
    path = fastq(work / f"perturbseq_R{read}_001.fastq.gz", read)
    ln.Artifact(path, key=f"fastq/{path.name}").save()
ln.finish()
