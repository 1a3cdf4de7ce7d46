using AiopsLab.Data;

namespace AiopsLab.Causal;

/// <summary>How an estimated graph compares with the true DAG (see <see cref="GraphMetrics.Compare(CausalGraph, CausalGraph)"/>).</summary>
public sealed record GraphComparison(
    double SkeletonPrecision, double SkeletonRecall, double SkeletonF1,
    double ArrowPrecision, double ArrowRecall, double ArrowF1,
    int Shd, int TrueEdges, int EstimatedAdjacencies);

/// <summary>
/// Structure-recovery metrics of an estimated graph against a known DAG, as RCAEval reports them (Pham et al., ASE 2024,
/// §3.3 and <c>RCAEval/benchmark/metrics.py</c>):
/// <list type="bullet">
/// <item><b>Arrows</b> (RCAEval's "F1"): precision, recall and F1 over directed edges, where an undirected (or mutual)
/// estimated edge counts as both directions, so at most one of its two marks can be right.</item>
/// <item><b>Skeleton</b> ("F1-S"): the same over unordered adjacent pairs, ignoring direction.</item>
/// <item><b>SHD</b>, the structural Hamming distance (Tsamardinos, Brown &amp; Aliferis, Machine Learning 65, 2006,
/// §5.2): over all unordered pairs, +1 for an edge missing from the estimate, +1 for an extra edge, +1 for an edge
/// present in both but with a different mark pattern (reversed, or undirected against directed).</item>
/// </list>
/// Precision (recall) is 0 when there is no true positive, as in RCAEval.
/// </summary>
public static class GraphMetrics
{
    /// <summary>Compares <paramref name="estimate"/> with <paramref name="truth"/> over the estimate's node names.</summary>
    public static GraphComparison Compare(CausalGraph truth, CausalGraph estimate)
    {
        int n = estimate.Count;
        var map = new int[n];
        for (int i = 0; i < n; i++)
        {
            map[i] = truth.IndexOf(estimate.Names[i]);
            if (map[i] < 0) throw new ArgumentException($"node '{estimate.Names[i]}' of the estimate is not in the true graph.");
        }
        bool T(int i, int j) => truth.HasArrow(map[i], map[j]);
        bool E(int i, int j) => estimate.HasArrow(i, j);

        int tpArrow = 0, trueArrows = 0, estArrows = 0;
        int tpSkel = 0, trueSkel = 0, estSkel = 0, shd = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j) continue;
                if (T(i, j)) trueArrows++;
                if (E(i, j)) estArrows++;
                if (T(i, j) && E(i, j)) tpArrow++;
                if (j < i) continue;
                bool ta = T(i, j) || T(j, i), ea = E(i, j) || E(j, i);
                if (ta) trueSkel++;
                if (ea) estSkel++;
                if (ta && ea) tpSkel++;
                if (ta != ea) shd++;
                else if (ta && (T(i, j) != E(i, j) || T(j, i) != E(j, i))) shd++;
            }
        var (sp, sr, sf) = Prf(tpSkel, estSkel, trueSkel);
        var (ap, ar, af) = Prf(tpArrow, estArrows, trueArrows);
        return new GraphComparison(sp, sr, sf, ap, ar, af, shd, trueArrows, estSkel);
    }

    /// <summary>Compares an estimate with a true <see cref="DirectedGraph"/> (e.g. <see cref="FaultCase.TrueCausalGraph"/>).</summary>
    public static GraphComparison Compare(DirectedGraph truth, CausalGraph estimate) =>
        Compare(CausalGraph.FromDirectedGraph(truth, estimate.Names), estimate);

    private static (double P, double R, double F) Prf(int tp, int est, int truth)
    {
        if (tp == 0) return (0, 0, 0);
        double p = (double)tp / est, r = (double)tp / truth;
        return (p, r, 2 * p * r / (p + r));
    }
}
