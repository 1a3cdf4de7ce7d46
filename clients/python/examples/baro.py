"""BARO's RobustScorer in plain Python (Pham, Ha & Zhang, "BARO: Robust Root Cause Analysis for Microservices via
Multivariate Bayesian Online Change Point Detection", FSE 2024, section 3.3, eq. 5-6): each metric's score is the
largest z = (x - median) / IQR of its anomalous window against the median and interquartile range of its normal window
(IQR 0 counts as 1; memory kinds divided by ``memory-unit-divisor`` when the window is prepared, as RCAEval
converts to MB). Mirrors
AiopsLab's ``baro`` (src/AiopsLab/Rca/Baro.cs); a test checks that the rankings are equal."""

from rcaeval_windows import quantile_sorted, result, windows
from aiopslab_client import method


@method("py-baro")
def baro(frame, anomaly_time, graph, options):
    kept, dropped = windows(frame, options.get("window", 0), set(options.get("exclude-kinds", [])),
                            options.get("memory-unit-divisor", 1e6))
    absolute = options.get("absolute", False)
    scores = {}
    for name, _kind, normal, anomalous in kept:
        xs = sorted(normal)
        med = quantile_sorted(xs, 0.5)
        iqr = quantile_sorted(xs, 0.75) - quantile_sorted(xs, 0.25)
        if iqr == 0:
            iqr = 1.0
        zs = [(v - med) / iqr for v in anomalous]
        scores[name] = max(abs(z) for z in zs) if absolute else max(zs)
    return result(scores, dropped)


if __name__ == "__main__":
    baro.serve()
