"""Reference outputs of RCAEval 0.1.6's circa code path for RcaevalCircaTests (issue 15).

Writes caseNN.csv (time + metric columns, a small linear SEM with a fault at one metric) and caseNN.expected
(inject time, then "name score" lines as RCAEval ranks them). Run once with Debian's python3 (numpy, scipy, sklearn,
pandas, networkx, statsmodels, graphviz from apt) and the sources of RCAEval (github phamquiluan/RCAEval) and
causal-learn 0.1.3.3 on PYTHONPATH; neither is part of AiopsLab:
    PYTHONPATH=/path/RCAEval:/path/causal-learn python3 generate.py
The preparation is rq2.py's (inf -> NaN, ffill, fillna(0), 300 rows each side), the body e2e/circa.py's.
A third field "degenerate" marks a score that is rounding noise: a parent constant over the training window (numpy's
mean of equal values is off by an ulp, so LinearRegression fits that ulp) or a fit exact but for rounding (piecewise-
linear grids of 60 s and 300 s data); its digits are not reproducible by any other implementation.
"""
import numpy as np, pandas as pd
from RCAEval.graph_heads.rht import rht
from RCAEval.graph_construction.pc import pc_default
from RCAEval.io.time_series import preprocess
from RCAEval.classes.data import DataLoader
from datetime import timedelta
from sklearn.linear_model import LinearRegression


def degenerate(adj, names, d2, inject):
    """Per node name: is RCAEval's RHT score rounding noise? (see the module doc)"""
    grid = {c: DataLoader.preprocess(list(zip(d2["time"], d2[c])), inject - 120, inject + 300, timedelta(seconds=1))
            for c in names}
    out = {}
    for i, c in enumerate(names):
        # rht turns PC's graph around: the parents of i are the j with an edge i -> j or i -- j.
        pa = [names[j] for j in range(len(names)) if adj[j, i] == 1 and adj[i, j] == -1 or adj[i, j] == adj[j, i] == -1]
        pa = [p for p in pa if len(set(grid[p])) > 1]
        if not pa:
            out[c] = False
            continue
        x = np.array([grid[p][:111] for p in pa]).T
        y = np.array(grid[c][:111])
        res = y - LinearRegression().fit(x, y).predict(x)
        out[c] = any(len(set(grid[p][:111])) == 1 for p in pa) or res.std() < 1e-9 * max(y.std(), 1e-300)
    return out

# (seed, sampling interval in seconds, root-cause column)
CASES = [(1, 1, "a_cpu"), (2, 60, "b_cpu"), (3, 300, "a_cpu"), (4, 60, "c_mem"), (5, 1, "c_mem")]
for n, (seed, step, root) in enumerate(CASES):
    rng = np.random.default_rng(seed)
    rows, t0 = 400, 1_700_000_000
    inject = t0 + 250 * step
    time = t0 + step * np.arange(rows)
    e = lambda: rng.normal(size=rows)
    a = 10 + e()
    b = 5 + 0.8 * a + e()
    c = 2e8 + 3e6 * b + 1e6 * e()          # bytes: RCAEval divides *_mem by 1e6
    d = 1 + 0.5 * b + 0.3 * c / 1e6 + e()
    lat = 0.2 + 0.05 * d + 0.01 * e()
    cols = {"a_cpu": a, "b_cpu": b, "c_mem": c, "d_cpu": d, "d_lat_90": lat}
    after = time >= inject
    cols[root] = cols[root] + after * (6 * (1e6 if root.endswith("_mem") else 1))
    df = pd.DataFrame({"time": time, **{k: np.round(v, 6) for k, v in cols.items()}})
    df.to_csv(f"case{n:02d}.csv", index=False)
    data = df.replace([np.inf, -np.inf], np.nan).fillna(method="ffill").fillna(0)
    data = pd.concat([data[data["time"] < inject].tail(300), data[data["time"] >= inject].head(300)], ignore_index=True)
    time_col = data["time"]
    d2 = preprocess(data=data, dataset="x", dk_select_useful=False)
    d2["time"] = time_col
    adj = pc_default(d2.drop(columns=["time"]), dataset="ob")
    ranks = sorted(rht(adj, inject, d2), key=lambda x: x[1], reverse=True)
    names = d2.columns.drop("time").to_list()
    deg = degenerate(adj, names, d2, inject)
    with open(f"case{n:02d}.expected", "w") as f:
        f.write(f"{inject}\n")
        for name, score in ranks:
            f.write(f"{name} {score!r} {'degenerate' if deg.get(name) else 'ok'}\n")
    print(n, step, root, ranks)
