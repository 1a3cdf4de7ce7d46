# Generates small multivariate cases and the metrics the authors' MetricSifter keeps on them (ai4sre/metricsifter
# v0.2.0, Sifter() defaults; ruptures 1.1.9 built from source). Usage:
#   PYTHONPATH=<metricsifter v0.2.0>:<ruptures/src> python3 generate.py <out-dir>
# Each case: 240 rows, 12 metrics; a fault at row 160 shifts 4 metrics (some with a lag of 1-3 rows), a workload swing
# at a random earlier row moves 3 others, the rest are noise, one is piecewise constant with rare steps, one has gaps.
import json, os, sys, numpy as np, pandas as pd
from metricsifter.sifter import Sifter
out = sys.argv[1]
rng = np.random.default_rng(20261201)
for k in range(6):
    n, p = 240, 12
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.uniform(0, 50, p)
    for j, lag in zip(range(4), rng.integers(0, 4, 4)):
        X[160 + lag:, j] += rng.uniform(3, 8) * rng.choice([-1, 1])
    swing = int(rng.integers(40, 120))
    for j in range(4, 7):
        X[swing:swing + 30, j] += rng.uniform(2, 5)
    X[:, 7] = np.repeat(rng.integers(0, 3, n // 40), 40).astype(float)
    X[rng.integers(20, 220, 5), 8] = np.nan
    X = np.round(X, 6)
    df = pd.DataFrame(X, columns=[f"m{j:02d}" for j in range(p)])
    df.index.name = "row"
    kept = list(Sifter().run(df).columns)
    df.to_csv(os.path.join(out, f"case{k}.csv"), float_format="%.6f")
    json.dump({"kept": kept}, open(os.path.join(out, f"case{k}.json"), "w"))
    print(k, kept)
