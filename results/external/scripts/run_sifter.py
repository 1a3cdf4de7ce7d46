# run_sifter.py ROOT OUT.json: the authors' MetricSifter (ai4sre/metricsifter v0.2.0, Sifter() defaults) on every exported
# case's whole frame, with its change points per metric and its segments (for cmp_steps.py).
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
    r = Sifter().sift(data)
    secs = time.perf_counter() - st
    res[case] = {"kept": sorted(r.selected_metrics), "seconds": secs, "n": data.shape[1], "rows": data.shape[0],
                 "cps": r.metric_to_change_points, "dropped0": sorted(r.filtered_no_change),
                 "segments": [{"label": s.label, "start": s.start_index, "end": s.end_index, "score": s.score,
                               "metrics": sorted(s.metrics), "selected": s.selected} for s in r.segments]}
    print(case, f"{secs:.3f}s", len(r.selected_metrics), "of", data.shape[1], flush=True)
json.dump(res, open(out, "w"), indent=1)
