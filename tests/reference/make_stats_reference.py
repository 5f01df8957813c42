#!/usr/bin/python3
"""Writes tests/reference/stats_reference.csv with SciPy (Debian's python3-scipy) as the oracle
for qhybrid::stats: Student's t CDF and quantile, the binomial CDF, t intervals
(scipy.stats.t.interval), paired t tests (scipy.stats.ttest_rel) and McNemar's exact test
(scipy.stats.binomtest, two-sided, p = 1/2, on the discordant counts).

    /usr/bin/python3 tests/reference/make_stats_reference.py

Rows: kind,args...,value; vectors as space-separated numbers.
"""
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
rows = []

for dof in (1, 2, 3, 4, 5, 9, 29, 100, 2.5):
    for t in (-40, -3.5, -1, -0.1, 0, 0.3, 1.5, 2.776, 7, 60):
        rows.append(("t_cdf", f"{t!r}", f"{dof!r}", repr(float(stats.t.cdf(t, dof)))))
    for p in (0.0005, 0.025, 0.3, 0.5, 0.8, 0.975, 0.995, 0.9995):
        rows.append(("t_quantile", f"{p!r}", f"{dof!r}", repr(float(stats.t.ppf(p, dof)))))

for n, p in ((10, 0.5), (40, 0.5), (300, 0.1), (2356, 0.5), (1178, 0.62)):
    for k in sorted({0, 1, n // 4, n // 2, int(n * p), n - 1, n}):
        rows.append(("binomial_cdf", str(k), str(n), repr(p), repr(float(stats.binom.cdf(k, n, p)))))

rng = np.random.default_rng(18)
vectors = [rng.normal(0.97, 0.01, 5), rng.normal(0.5, 0.2, 2), rng.normal(0, 1, 9), rng.uniform(0.6, 1.0, 30)]
for v in vectors:
    for conf in (0.9, 0.95, 0.99):
        lo, hi = stats.t.interval(conf, len(v) - 1, loc=v.mean(), scale=stats.sem(v))
        rows.append(("t_interval", " ".join(repr(float(x)) for x in v), repr(conf), repr(float(lo)), repr(float(hi))))

for _ in range(6):
    n = int(rng.integers(3, 12))
    a = rng.normal(0.9, 0.05, n)
    b = a - rng.normal(float(rng.choice([0.0, 0.02])), 0.02, n)
    r = stats.ttest_rel(a, b)
    rows.append(("paired_t", " ".join(repr(float(x)) for x in a), " ".join(repr(float(x)) for x in b), repr(float(r.pvalue))))

for only_a, only_b in ((0, 0), (1, 0), (5, 5), (3, 12), (40, 61), (200, 150), (0, 9)):
    p = 1.0 if only_a + only_b == 0 else stats.binomtest(only_a, only_a + only_b, 0.5).pvalue
    rows.append(("mcnemar", str(only_a), str(only_b), repr(float(p))))

for correct, n, chance in ((600, 1178, 0.5), (620, 1178, 0.5), (640, 1178, 0.5), (35, 300, 0.1), (45, 300, 0.1), (60, 100, 0.5)):
    rows.append(("binomial_sf", str(correct), str(n), repr(chance), repr(float(stats.binom.sf(correct - 1, n, chance)))))

with open(os.path.join(HERE, "stats_reference.csv"), "w") as f:
    f.write("# written by make_stats_reference.py with scipy " + __import__("scipy").__version__ + "\n")
    for r in rows:
        f.write(",".join(r) + "\n")
print(len(rows), "rows")
