# Runs the authors' MetricSifter (ai4sre/metricsifter v0.2.0, Sifter() defaults) on every exported case's whole frame.
import json, os, sys, time, warnings
import pandas as pd
warnings.filterwarnings("ignore")
from metricsifter.sifter import Sifter
root, out = sys.argv[1], sys.argv[2]
res = {}
for case in sorted(os.listdir(root)):
    meta = json.load(open(os.path.join(root, case, "case.json")))
    data = pd.read_csv(os.path.join(root, case, meta.get("metrics", "metrics.csv"))).set_index("time")
    st = time.perf_counter()
    kept = Sifter().run(data)
    secs = time.perf_counter() - st
    res[case] = {"kept": list(kept.columns), "seconds": secs, "n": data.shape[1]}
    print(case, f"{secs:.3f}s", len(kept.columns), "of", data.shape[1], flush=True)
json.dump(res, open(out, "w"), indent=1)
