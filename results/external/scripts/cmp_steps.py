# cmp.py REF.json OURS.json [ignore,...]: kept sets and per-metric change points, case by case.
import json, sys
ref = json.load(open(sys.argv[1])); ours = json.load(open(sys.argv[2]))
ign = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else set()
eq = eqi = 0
for case in sorted(ref):
    a, b = set(ref[case]["kept"]), set(ours[case]["kept"])
    if a == b: eq += 1
    if a - ign == b - ign: eqi += 1; continue
    print(case, "only ref", sorted(a - b), "only ours", sorted(b - a))
    rc, oc = ref[case]["cps"], ours[case]["cps"]
    for m in sorted(set(rc) | set(oc)):
        if m in ign: continue
        if rc.get(m) != oc.get(m): print("   ", m, "ref", rc.get(m), "ours", oc.get(m))
print(f"identical {eq}/{len(ref)}; ignoring {sorted(ign)}: {eqi}/{len(ref)}")
