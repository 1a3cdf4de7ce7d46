# Runs RCAEval 0.1.6's own method functions on cases exported by `aiopslab datasets export generic`, with rq2.py's
# preparation (sock-shop: drop _lat_50/_lat_99; inf->NaN, ffill, fillna(0); 300 rows before/after inject time).
# Usage: run_ref.py METHOD ROOT OUT.json [sockshop]; METHOD in pc_pagerank, circa, baro, nsigma.
import json, os, sys, time, warnings
import numpy as np, pandas as pd
warnings.filterwarnings("ignore")
import RCAEval.e2e as e2e
from RCAEval.e2e.pc_pagerank import pc_pagerank
from RCAEval.graph_heads.rht import rht
from RCAEval.graph_construction.pc import pc_default
from RCAEval.io.time_series import preprocess
method, root, out = sys.argv[1], sys.argv[2], sys.argv[3]
sock = len(sys.argv) > 4 and sys.argv[4] == "sockshop"
dataset = "sock-shop" if sock else "online-boutique"

def circa(data, t, dataset=None, **kw):
    # body of RCAEval/e2e/circa.py (its module import needs python 3.10); @rca-style fallback on error
    try:
        time_col = data["time"]
        d = preprocess(data=data, dataset=dataset, dk_select_useful=False)
        d["time"] = time_col
        adj = pc_default(d.drop(columns=["time"]), dataset=dataset)
        ranks = sorted(rht(adj, t, d), key=lambda x: x[1], reverse=True)
        return {"ranks": [r[0] for r in ranks], "scores": [float(r[1]) for r in ranks]}
    except Exception as e:
        return {"ranks": preprocess(data=data, dataset=dataset, dk_select_useful=False).columns.to_list(), "error": str(e)}

funcs = {"pc_pagerank": pc_pagerank, "circa": circa, "baro": e2e.robust_scaler, "nsigma": e2e.nsigma}
f = funcs[method]
res = {}
for case in sorted(os.listdir(root)):
    meta = json.load(open(os.path.join(root, case, "case.json")))
    data = pd.read_csv(os.path.join(root, case, meta.get("metrics", "metrics.csv")))
    if sock:
        data = data.loc[:, ~data.columns.str.endswith("_lat_50")]
        data = data.loc[:, ~data.columns.str.endswith("_lat_99")]
    data = data.replace([np.inf, -np.inf], np.nan).fillna(method="ffill").fillna(0)
    t = int(meta["inject_time"])
    data = pd.concat([data[data["time"] < t].tail(300), data[data["time"] >= t].head(300)], ignore_index=True)
    st = time.perf_counter()
    o = f(data, t, dataset=dataset, anomalies=None, dk_select_useful=False, sli=None, verbose=False, n_iter=len(data.columns) - 1)
    secs = time.perf_counter() - st
    r = {"ranks": list(o["ranks"]), "seconds": secs}
    if "error" in o: r["error"] = o["error"]
    if "scores" in o: r["scores"] = o["scores"]
    if o.get("adj") is not None and len(o.get("adj")) == 0: r["failed"] = True  # @rca wrapper's fallback
    res[case] = r
    print(case, f"{secs:.3f}s", r["ranks"][:3], flush=True)
json.dump(res, open(out, "w"), indent=1)
