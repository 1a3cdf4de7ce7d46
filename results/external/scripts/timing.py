# Per-case wall time: RCAEval's Python (time.perf_counter around the method call, run_ref.py / run_sifter.py) vs
# AiopsLab (the CLI's own per-run "seconds" in rankings.jsonl). Writes the CSV and prints medians and ratios.
import json, statistics as st, sys
pairs = [("baro", "out/ss_baro.json", "ours_time", "baro("), ("nsigma", "out/ss_nsigma.json", "ours_time", "nsigma("),
         ("circa(rcaeval=true)", "out/ss_circa.json", "ours_time", "circa("), ("pc-pagerank(rcaeval=true)", "out/ss_pc_pagerank.json", "ours_time", "pc-pagerank("),
         ("metricsifter(after-anomaly=false)", "out/ss_sifter.json", "ours_time", "metricsifter(after-anomaly=false)")]
rows = ["method,case,python_seconds,aiopslab_seconds"]
for name, ref, ours, pref in pairs:
    r = json.load(open(ref)); o = {}
    for l in open(ours + "/rankings.jsonl"):
        d = json.loads(l)
        if d["method"].startswith(pref): o[d["case"].replace("/", "_")] = d["seconds"]
    py, cs = [], []
    for case in sorted(r):
        rows.append(f"{name},{case},{r[case]['seconds']:.6f},{o[case]:.6f}"); py.append(r[case]["seconds"]); cs.append(o[case])
    mp, mc = st.median(py), st.median(cs)
    print(f"| `{name}` | {mp*1000:.1f} ms | {mc*1000:.2f} ms | {mp/mc:.0f}× |")
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
