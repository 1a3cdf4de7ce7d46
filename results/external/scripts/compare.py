# compare.py REF.json OURS_rankings.jsonl METHOD_PREFIX [-v]: per-case top-1 agreement of ours vs RCAEval's output.
import json, sys, re, statistics as st
ref = json.load(open(sys.argv[1])); pref = sys.argv[3]; ours = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r["method"].startswith(pref): ours[r["case"].replace("/", "_")] = r
def svc(m):
    return re.sub(r"-(db|mongodb|mysql|redis)$", "", m.split("_")[0])
n = agree = agree_m = same = 0; bad = []
for case, rr in ref.items():
    if case not in ours: continue
    o = ours[case]; orank = [x[0] for x in (o["ranking"] or []) if x[1] is not None and x[1] == x[1]]
    n += 1
    a = bool(orank) and svc(orank[0]) == svc(rr["ranks"][0]); agree += a
    agree_m += bool(orank) and orank[0] == rr["ranks"][0]
    same += orank == rr["ranks"][:len(orank)] and len(orank) == len(rr["ranks"])
    if not a or "-v" in sys.argv:
        bad.append(case)
        print(case, "ref", rr["ranks"][:4], [round(s,4) for s in rr.get("scores", [])[:4]], "| ours", [(x[0], round(x[1],4) if x[1] is not None else None) for x in (o["ranking"] or [])[:4]], rr.get("error", ""), "FAILED" if rr.get("failed") else "")
print(f"cases {n}: top-1 service agree {agree} ({agree/max(n,1):.2f}), top-1 metric {agree_m}, identical rankings {same}")
