# Service-level Avg@5 of RCAEval's output per fault group (rq2.py's service mapping: split("_")[0], "-db" removed).
import json, sys
ref = json.load(open(sys.argv[1])); root = sys.argv[2]
groups = {}
for case, r in ref.items():
    meta = json.load(open(f"{root}/{case}/case.json"))
    g = meta["fault_type"] if "sock" in meta["system"] else meta.get("fault_class")
    svcs = []
    for m in r["ranks"]:
        s = m.split("_")[0].replace("-db", "")
        if s not in svcs: svcs.append(s)
    rank = svcs.index(meta["root_cause"]) + 1 if meta["root_cause"] in svcs else 10**6
    groups.setdefault(g, []).append(rank)
for g, ranks in sorted(groups.items()):
    avg5 = sum(sum(1 for r in ranks if r <= k) / len(ranks) for k in range(1, 6)) / 5
    print(g, len(ranks), round(avg5, 3))
