#!/usr/bin/python3
"""Is DEEP-VOICE's row order the order of the windows in time? Within each class it prints:
the median distance between consecutive rows against that between random pairs of rows of the
class (features standardised on all rows), the largest |lag-1 autocorrelation| of a feature, and
how often a row's nearest neighbour (same class) is the row just before or after it, against
the count expected if the order were random. If consecutive rows were neighbouring 1-second
windows of one recording, they would be closer than random pairs and often nearest neighbours.

    /usr/bin/python3 scripts/deepvoice_order.py [../shared/data/deep-voice/DATASET-balanced.csv]
"""
import csv
import sys

import numpy as np


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/deep-voice/DATASET-balanced.csv"
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    label = header.index("LABEL")
    x = np.array([[float(v) for i, v in enumerate(r) if i != label] for r in body])
    y = np.array([r[label] for r in body])
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    changes = int((y[1:] != y[:-1]).sum())
    print(f"{path}: {len(y)} rows, {z.shape[1]} features; the label changes {changes} time(s) down the file")
    g = np.random.default_rng(1)
    for c in sorted(set(y)):
        zc = z[y == c]
        n = len(zc)
        consecutive = np.linalg.norm(zc[1:] - zc[:-1], axis=1)
        a, b = g.integers(0, n, 200000), g.integers(0, n, 200000)
        keep = a != b
        random_pairs = np.linalg.norm(zc[a[keep]] - zc[b[keep]], axis=1)
        r = [abs(np.corrcoef(zc[1:, j], zc[:-1, j])[0, 1]) for j in range(zc.shape[1])]
        sq = (zc**2).sum(axis=1)
        nearest = np.empty(n, dtype=int)
        for s in range(0, n, 1000):  # blocks of rows, to bound memory
            d = sq[s:s + 1000, None] - 2 * zc[s:s + 1000] @ zc.T + sq[None, :]
            d[np.arange(d.shape[0]), np.arange(s, s + d.shape[0])] = np.inf
            nearest[s:s + 1000] = d.argmin(axis=1)
        adjacent = int((np.abs(nearest - np.arange(n)) == 1).sum())
        expected = (2 * (n - 2) + 2) / (n - 1)  # interior rows have 2 adjacent rows of n - 1 candidates
        print(f"{c}: {n} rows; median distance consecutive {np.median(consecutive):.2f}, random pairs "
              f"{np.median(random_pairs):.2f}; max |lag-1 autocorrelation| {max(r):.3f}; nearest neighbour "
              f"adjacent in the file for {adjacent} rows (random order: {expected:.1f} expected)")


if __name__ == "__main__":
    main()
