#!/usr/bin/python3
"""Writes tests/reference/kmeans_reference.csv: Lloyd's k-means from given initial centroids, run
by scipy (scipy.cluster.vq.kmeans2, minit='matrix') and by a plain numpy loop that must agree
with it; test_cluster_holdout.cpp runs data::lloyd from the same centroids and compares.

Cases (5 columns each): "blobs", four well-separated clusters; "overlap", three overlapping
Gaussians cut into six clusters (many iterations); "empty", a starting centroid far from every
row, whose cluster stays empty and keeps its centroid (scipy's missing='warn' rule).

Rows of the CSV: case, role, index, v0..v4 with role
  data       a row of the data
  init       an initial centroid
  centroid   a final centroid
  label      v0 = the final cluster of row `index`
  objective  v0 = sum of squared distances after assignment step `index` (1-based)
  iterations v0 = assignment steps until none changed a label (the last step included)

    /usr/bin/python3 tests/reference/make_kmeans_reference.py
"""
import os
import warnings

import numpy as np
from scipy.cluster.vq import kmeans2, vq

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = 5


def rounded(a):
    """Values with 6 decimals, so the CSV text holds them exactly as Python computes with them."""
    return np.round(np.asarray(a, dtype=np.float64), 6)


def cases():
    g = np.random.default_rng(20261122)
    centres = np.array([[0, 0, 0, 0, 0], [20, 0, 0, 0, 0], [0, 20, 0, 0, 0], [0, 0, 20, 20, 0]], dtype=float)
    blobs = rounded(np.concatenate([c + g.normal(size=(40, COLUMNS)) for c in centres]))
    yield "blobs", blobs, blobs[[0, 1, 2, 3]]          # three starts in the first blob: Lloyd must move them
    means = np.array([[0, 0, 0, 0, 0], [2, 1, 0, 0, 0], [0, 2, 1, 0, 0]], dtype=float)
    overlap = rounded(np.concatenate([m + g.normal(size=(100, COLUMNS)) for m in means]))
    yield "overlap", overlap, overlap[:6]
    empty = rounded(g.normal(size=(50, COLUMNS)))
    yield "empty", empty, rounded(np.concatenate([empty[:2], np.full((1, COLUMNS), 100.0)]))


def numpy_lloyd(data, init, cap=1000):
    """Assignment (ties to the lower index), then means; stops when no label changes."""
    centroids, labels, objective = init.copy(), None, []
    for step in range(1, cap + 1):
        d = ((data[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        new = d.argmin(axis=1)
        objective.append(d[np.arange(len(data)), new].sum())
        if labels is not None and (new == labels).all():
            return centroids, labels, objective, step
        labels = new
        for j in range(len(centroids)):
            if (labels == j).any():
                centroids[j] = data[labels == j].mean(axis=0)
    raise RuntimeError("no convergence")


def main():
    with open(os.path.join(HERE, "kmeans_reference.csv"), "w") as f:
        f.write("case,role,index," + ",".join(f"v{c}" for c in range(COLUMNS)) + "\n")

        def row(case, role, index, values):
            values = list(values) + [0.0] * (COLUMNS - len(values))
            f.write(f"{case},{role},{index}," + ",".join(repr(float(v)) for v in values) + "\n")

        for case, data, init in cases():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the "empty" case warns about its empty cluster, by design
                centroids, labels = kmeans2(data, init, iter=1000, minit="matrix", missing="warn")
            mine, my_labels, objective, steps = numpy_lloyd(data, init)
            assert (labels == my_labels).all() and (vq(data, centroids)[0] == labels).all(), case
            assert np.abs(centroids - mine).max() < 1e-12, case
            for i, r in enumerate(data):
                row(case, "data", i, r)
            for i, r in enumerate(init):
                row(case, "init", i, r)
            for i, r in enumerate(centroids):
                row(case, "centroid", i, r)
            for i, l in enumerate(labels):
                row(case, "label", i, [l])
            for i, o in enumerate(objective, start=1):
                row(case, "objective", i, [o])
            row(case, "iterations", 0, [steps])
            print(f"{case}: {len(data)} rows, k = {len(init)}, {steps} steps, sizes {np.bincount(labels, minlength=len(init)).tolist()}")


if __name__ == "__main__":
    main()
