"""The normal and anomalous windows as AiopsLab's PreparedWindow prepares them (after RCAEval, Pham et al., ASE 2024):
forward fill (leading gaps become 0), rows before the anomaly time are normal, rows from it on anomalous (optionally
only ``window`` rows on each side), columns whose kind is excluded are left out, and a column constant (up to a
relative spread of 1e-12) in either window is dropped and ranked last with no score.

Arithmetic is spelled out (sequential sums, the same quantile formula) rather than taken from ``statistics``: that
module's ``fmean`` and ``median`` round differently in the last bit, and exact ties between metrics must come out the
same as in AiopsLab for the rankings to be equal.
"""

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from aiopslab_client import Ranking, rank  # noqa: E402


def forward_fill(values, leading=0.0):
    out, last = [], leading
    for v in values:
        if math.isfinite(v):
            last = v
        out.append(last)
    return out


def numerically_constant(values, tolerance=1e-12):
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return True
    lo, hi = min(finite), max(finite)
    return hi - lo <= tolerance * max(abs(lo), abs(hi))


def is_memory(kind):
    k = kind.lower()
    return k == "mem" or "memory" in k


def windows(frame, window=0, exclude_kinds=(), memory_divisor=1.0):
    """Returns the kept columns as (name, kind, normal, anomalous) and the dropped names. Memory kinds are divided by
    ``memory_divisor`` after filling and before the constancy check (RCAEval's ``convert_mem_mb``)."""
    a = frame.anomaly_row
    if a == 0:
        raise ValueError("no rows before the anomaly time %d: there is no normal window to compare with." % frame.anomaly_time)
    if a >= frame.rows:
        raise ValueError("no rows at or after the anomaly time %d: there is no anomalous window." % frame.anomaly_time)
    n0 = max(0, a - window) if window > 0 else 0
    n1 = min(frame.rows, a + window) if window > 0 else frame.rows
    kept, dropped = [], []
    for j, name in enumerate(frame.names):
        kind = frame.kind[j] if j < len(frame.kind) else ""
        if kind in exclude_kinds:
            continue
        filled = forward_fill(frame.columns[j])
        if memory_divisor != 1 and is_memory(kind):
            filled = [v / memory_divisor for v in filled]
        normal, anomalous = filled[n0:a], filled[a:n1]
        if numerically_constant(normal) or numerically_constant(anomalous):
            dropped.append(name)
            continue
        kept.append((name, kind, normal, anomalous))
    return kept, dropped


def result(scores, dropped):
    """Kept columns by score, then dropped ones with no score, as AiopsLab's PreparedWindow.Result does."""
    all_scores = dict(scores)
    for name in dropped:
        all_scores[name] = math.nan
    return Ranking(rank(all_scores), {"dropped_constant": len(dropped)})


def mean_std(values):
    """Mean and population standard deviation, in two passes (as AiopsLab's Stats.MeanStd)."""
    s = 0.0
    for v in values:
        s += v
    m = s / len(values)
    ss = 0.0
    for v in values:
        ss += (v - m) * (v - m)
    return m, math.sqrt(ss / len(values))


def quantile_sorted(xs, q):
    """Linear interpolation between order statistics (Hyndman & Fan definition 7, numpy's default)."""
    h = (len(xs) - 1) * q
    lo = math.floor(h)
    if lo >= len(xs) - 1:
        return xs[-1]
    return xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo])
