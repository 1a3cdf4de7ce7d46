# Why RCAEval's pc_pagerank fails on nezha: the exception its @rca wrapper swallows, per case.
import json, os, sys, warnings, collections
import numpy as np, pandas as pd
warnings.filterwarnings("ignore")
from causallearn.search.ConstraintBased.PC import pc
from RCAEval.io.time_series import preprocess
root = sys.argv[1]; errs = collections.Counter(); out = {}
for case in sorted(os.listdir(root)):
    meta = json.load(open(os.path.join(root, case, "case.json")))
    data = pd.read_csv(os.path.join(root, case, "metrics.csv"))
    data = data.replace([np.inf, -np.inf], np.nan).fillna(method="ffill").fillna(0)
    t = int(meta["inject_time"])
    data = pd.concat([data[data["time"] < t].tail(300), data[data["time"] >= t].head(300)], ignore_index=True)
    d = preprocess(data=data, dataset="online-boutique", dk_select_useful=False)
    try:
        pc(d.to_numpy(), show_progress=False); msg = "ok"
    except Exception as e:
        msg = type(e).__name__ + ": " + str(e)
    errs[msg] += 1; out[case] = {"rows": d.shape[0], "cols": d.shape[1], "error": msg}
    print(case, d.shape, msg, flush=True)
print(errs)
json.dump(out, open(sys.argv[2], "w"), indent=1)
