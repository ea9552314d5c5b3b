"""Turn the Cell Ranger matrix into an AnnData ("perturbseq counts")."""

import gzip

import anndata as ad
import numpy as np
import pandas as pd
import scipy.io
import scipy.sparse

import lamingit as ln

ln.track()
files = {
    a.key.rsplit("/", 1)[-1]: a.cache()
    for a in ln.Artifact.filter(key__startswith="perturbseq/filtered_feature_bc_matrix/")
}
with gzip.open(files["matrix.mtx.gz"]) as fh:
    matrix = scipy.sparse.csr_matrix(scipy.io.mmread(fh).T)
barcodes = pd.read_csv(files["barcodes.tsv.gz"], header=None)[0].tolist()
features = pd.read_csv(files["features.tsv.gz"], header=None, sep="\t")
adata = ad.AnnData(
    X=matrix.astype(np.float32),
    obs=pd.DataFrame(index=barcodes),
    var=pd.DataFrame({"gene_ids": features[0].tolist()}, index=features[1].tolist()),
)
adata.obs["cluster"] = [f"c{i % 4}" for i in range(adata.n_obs)]
ln.Artifact.from_anndata(
    adata, key="schmidt22_perturbseq.h5ad", description="perturbseq counts"
).save()
ln.finish()
