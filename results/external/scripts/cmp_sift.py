# cmp_sift.py REF.json OURS_rankings.jsonl METHOD_PREFIX: kept sets of the authors' MetricSifter vs ours, per case.
import json, sys
ref = json.load(open(sys.argv[1])); ours = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r["method"].startswith(sys.argv[3]): ours[r["case"].replace("/", "_")] = r
eq = 0; js = []
for case, rr in sorted(ref.items()):
    o = ours[case]; a = set(rr["kept"]); b = set(x[0] for x in o["ranking"])
    if o["diagnostics"].get("metrics_after") == o["diagnostics"].get("metrics_before") and not a: b = set()
    j = len(a & b) / len(a | b) if a | b else 1.0; js.append(j)
    if a == b: eq += 1
    else: print(case, "only ref", sorted(a - b), "only ours", sorted(b - a))
print(f"equal {eq}/{len(ref)}, mean Jaccard {sum(js)/len(js):.3f}")
