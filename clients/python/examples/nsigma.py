"""N-Sigma in plain Python (RCAEval's NSigma; Pham et al., "Root Cause Analysis for Microservices based on Causal
Inference: How Far Are We?", ASE 2024, section III-B): each metric's score is the largest z = (x - mean) / std of its
anomalous window against the mean and population std of its normal window (std 0 counts as 1). Mirrors AiopsLab's
``nsigma`` (src/AiopsLab/Rca/NSigma.cs) option for option; a test checks that the rankings are equal."""

from rcaeval_windows import mean_std, result, windows
from aiopslab_client import method


@method("py-nsigma")
def nsigma(frame, anomaly_time, graph, options):
    kept, dropped = windows(frame, options.get("window", 0), set(options.get("exclude-kinds", [])))
    absolute = options.get("absolute", False)
    aggregate = options.get("aggregate", "max")
    scores = {}
    for name, _kind, normal, anomalous in kept:
        mu, sd = mean_std(normal)
        if not sd > 0:
            sd = 1.0
        zs = [abs((v - mu) / sd) if absolute else (v - mu) / sd for v in anomalous]
        if aggregate == "max":
            scores[name] = max(zs)
        else:
            total = 0.0
            for z in zs:
                total += z
            scores[name] = total / len(zs)
    return result(scores, dropped)


if __name__ == "__main__":
    nsigma.serve()
