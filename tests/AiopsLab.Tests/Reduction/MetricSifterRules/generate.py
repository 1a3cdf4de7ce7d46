# Generates cases where one of MetricSifter's finer rules decides the kept set, and what the authors' code keeps
# (ai4sre/metricsifter v0.2.0, Sifter() defaults; ruptures 1.1.9 built from source). Usage:
#   PYTHONPATH=<metricsifter v0.2.0>:<ruptures/src> python3 generate.py <out-dir>
# Every CSV is read back with float_precision="round_trip" before the authors' code runs, so it sees exactly the values
# AiopsLab parses. Kinds (file prefix):
#  boundary_*: a change point lies exactly on an inner minimum of the KDE, and counting it in both neighbouring segments
#              (the authors' rule) keeps a different set than counting it in the later one only. Found by search over
#              seeded random cases (step shifts at random rows); the search itself uses the authors' functions.
#  tie_*:      two segments of exactly equal weight (the same number of metrics, one change point each); the authors'
#              max() keeps the earlier one.
#  constant_*: columns constant but for rounding noise (two values 1e-16 apart, kept distinct by pandas' parser). The
#              expected set is what the authors' code keeps with those columns removed: AiopsLab's step 0 treats a
#              spread within 1e-12 of the magnitude as constant, so it must keep exactly that.
import json, os, sys, numpy as np, pandas as pd, scipy.signal
from statsmodels.nonparametric.kde import KDEUnivariate
from metricsifter.sifter import Sifter

out = sys.argv[1]


def run(df):
    return sorted(Sifter().sift(df).selected_metrics)


def write(name, df, kept, note):
    path = os.path.join(out, name + ".csv")
    df.to_csv(path, float_format="%.17g")
    back = pd.read_csv(path, float_precision="round_trip").set_index("row")
    if kept is None:
        kept = run(back)
    json.dump({"kept": kept, "note": note}, open(os.path.join(out, name + ".json"), "w"))
    print(name, kept)
    return back


def frame(X):
    df = pd.DataFrame(np.round(X, 6), columns=[f"m{j:02d}" for j in range(X.shape[1])])
    df.index.name = "row"
    return df


def on_inner_minimum(df):
    """True when some change point equals an inner KDE minimum and the later-segment-only rule selects differently."""
    r = Sifter().sift(df)
    cps = r.metric_to_change_points
    x = np.array(sum(cps.values(), []), dtype=int)
    if len(x) == 0 or x.std() == 0:
        return False
    n = df.shape[0]
    d = KDEUnivariate(x); d.fit(kernel="gau", bw=2.5, fft=True)
    s = np.linspace(0, n - 1, n); e = d.evaluate(s)
    mi = scipy.signal.argrelextrema(e, np.less)[0]
    if not any(int(c) in set(int(m) for m in mi[1:]) for c in x):
        return False
    # later-only rule: label = number of minima <= cp
    seg = {}
    for m, cs in cps.items():
        for c in cs:
            seg.setdefault(int(np.searchsorted(mi, c, side="right")), set()).add(m)
    w = {k: sum(1 / len(cps[m]) for m in v) for k, v in seg.items()}
    best = max(sorted(w), key=lambda k: w[k])
    return sorted(seg[best]) != sorted(r.selected_metrics)


rng = np.random.default_rng(20261201)
found = 0
for trial in range(4000):
    if found == 3:
        break
    n, p = 120, 10
    X = rng.standard_normal((n, p)) * 0.3 + rng.uniform(0, 20, p)
    for j in range(p):
        for _ in range(int(rng.integers(1, 3))):
            t = int(rng.integers(10, n - 10))
            X[t:, j] += rng.uniform(2, 4) * rng.choice([-1, 1])
    df = frame(X)
    path = os.path.join(out, "tmp.csv")
    df.to_csv(path, float_format="%.17g")
    back = pd.read_csv(path, float_precision="round_trip").set_index("row")
    os.remove(path)
    if on_inner_minimum(back):
        write(f"boundary_{found}", df, None, f"search trial {trial}: a change point on an inner KDE minimum decides the set")
        found += 1

for k in range(2):
    n = 160
    X = rng.standard_normal((n, 6)) * 0.05 + rng.uniform(0, 10, 6)
    early, late = int(rng.integers(30, 60)), int(rng.integers(100, 130))
    X[early:, 0:2] += 3.0
    X[late:, 2:4] += 3.0
    write(f"tie_{k}", frame(X), None, f"two metrics shift at {early}, two at {late}; one change point each: equal weights")

for k in range(2):
    n = 200
    X = rng.standard_normal((n, 8)) * rng.uniform(0.5, 2, 8) + rng.uniform(0, 50, 8)
    fault = int(rng.integers(120, 160))
    X[fault:, 0:3] += rng.uniform(4, 8)
    X[int(rng.integers(30, 80)):, 3] += 5
    df = frame(X)
    noise = np.where(rng.random(n) < 0.5, 0.00495, 0.0049499999999999)
    noise2 = np.where(rng.random(n) < 0.3, 12.5, 12.500000000000002)
    full = df.copy(); full["noise_a"] = noise; full["noise_b"] = noise2
    path = os.path.join(out, "tmp.csv"); df.to_csv(path, float_format="%.17g")
    without = pd.read_csv(path, float_precision="round_trip").set_index("row"); os.remove(path)
    back = write(f"constant_{k}", full, run(without), "expected = the authors' set with noise_a, noise_b removed")
    print("   authors' code on the full case keeps", run(back))
