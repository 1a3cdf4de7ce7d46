using AiopsLab.Datasets;
using AiopsLab.Detection;
using AiopsLab.Numerics;
using AiopsLab.Methods;
using AiopsLab.Reduction;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Reduction;

/// <summary>
/// The vectorised, pooled PELT search (<c>Detection/PeltSearch.cs</c>) and the parallel step 1 of MetricSifter must not
/// change a single change point or kept set. Two independent references are kept here: the scalar pruned loop as it stood
/// before (session 4, frozen below) and the unpruned optimal-partitioning recursion it prunes (Jackson et al., "An
/// algorithm for optimal partitioning of data on an interval", IEEE SPL 12(2), 2005; Killick et al. 2012, eq. 3),
/// F(t) = min over every τ of F(τ) + C(y_{τ..t−1}) + β, ties to the earliest τ, with the same centred prefix sums.
/// </summary>
public class MetricSifterIdentityTests
{
    /// <summary>Optimal partitioning without any pruning: every admissible τ competes at every t.</summary>
    private static int[] OptimalPartitioning(double[] y, double penalty, int minSize)
    {
        int n = y.Length;
        if (n < 2 * minSize) return [];
        var (s1, s2) = CentredSums(y);
        var f = new double[n + 1];
        var last = new int[n + 1];
        f[0] = -penalty;
        for (int t = minSize; t <= n; t++)
        {
            double best = double.PositiveInfinity; int arg = -1;
            for (int a = 0; a <= t - minSize; a = a == 0 ? minSize : a + 1)
                if (Cost(s1, s2, f, a, t, penalty) is var c && c < best) { best = c; arg = a; }
            f[t] = best; last[t] = arg;
        }
        return Backtrack(last, n);
    }

    /// <summary>The scalar PELT loop with functional pruning as it was before the vectorised search (frozen copy).</summary>
    private static int[] FrozenPelt(double[] y, double penalty, int minSize)
    {
        int n = y.Length;
        if (n < 2 * minSize) return [];
        var (s1, s2) = CentredSums(y);
        double maxAbs = 0, mean = 0;
        foreach (var v in y) mean += v;
        mean /= n;
        foreach (var v in y) maxAbs = Math.Max(maxAbs, Math.Abs(v - mean));
        double margin = 1e-10 * (s2[n] + n * penalty), widen = 1e-9 * maxAbs;
        var f = new double[n + 1];
        var last = new int[n + 1];
        f[0] = -penalty;
        var tau = new int[n + 1]; var lo = new double[n + 1]; var hi = new double[n + 1];
        int count = 1;
        lo[0] = double.NegativeInfinity; hi[0] = double.PositiveInfinity;
        for (int t = minSize; t <= n; t++)
        {
            int s = t - minSize;
            if (s >= minSize)
            {
                int kept = 0;
                for (int k = 0; k < count; k++)
                {
                    int a = tau[k], len = s - a;
                    double sum = s1[s] - s1[a];
                    double c = s2[s] - s2[a] - sum * sum / len;
                    double d = f[s] - f[a] - c + margin;
                    if (d < 0) continue;
                    double r = Math.Sqrt(d / len), m = sum / len, w = widen + 1e-9 * r;
                    double l = Math.Max(lo[k], m - r - w), h = Math.Min(hi[k], m + r + w);
                    if (l > h) continue;
                    tau[kept] = a; lo[kept] = l; hi[kept] = h; kept++;
                }
                tau[kept] = s; lo[kept] = double.NegativeInfinity; hi[kept] = double.PositiveInfinity;
                count = kept + 1;
            }
            double best = double.PositiveInfinity; int arg = -1;
            for (int k = 0; k < count; k++)
                if (Cost(s1, s2, f, tau[k], t, penalty) is var c && c < best) { best = c; arg = tau[k]; }
            f[t] = best; last[t] = arg;
        }
        return Backtrack(last, n);
    }

    /// <summary>F(a) + C(y_{a..t−1}) + β from the centred prefix sums, the cost clipped at 0 (the loop's arithmetic).</summary>
    private static double Cost(double[] s1, double[] s2, double[] f, int a, int t, double penalty)
    {
        double sum = s1[t] - s1[a];
        double seg = s2[t] - s2[a] - sum * sum / (t - a);
        return f[a] + (seg > 0 ? seg : 0) + penalty;
    }

    private static (double[] S1, double[] S2) CentredSums(double[] y)
    {
        double mean = 0;
        foreach (var v in y) mean += v;
        mean /= y.Length;
        var s1 = new double[y.Length + 1]; var s2 = new double[y.Length + 1];
        for (int i = 0; i < y.Length; i++) { double v = y[i] - mean; s1[i + 1] = s1[i] + v; s2[i + 1] = s2[i] + v * v; }
        return (s1, s2);
    }

    private static int[] Backtrack(int[] last, int n)
    {
        var cps = new List<int>();
        for (int t = last[n]; t > 0; t = last[t]) cps.Add(t);
        cps.Reverse();
        return cps.ToArray();
    }

    /// <summary>Step 1 from first principles: trim the missing ends, interpolate inner gaps, segment, add gap starts.</summary>
    private static int[] ReferenceChangePoints(double[] x, Func<double[], double, int, int[]> segment)
    {
        int left = 0, right = x.Length - 1;
        while (left <= right && double.IsNaN(x[left])) left++;
        while (right >= left && double.IsNaN(x[right])) right--;
        var set = new SortedSet<int>();
        for (int i = 0; i < x.Length; i++) if (double.IsNaN(x[i]) && (i == 0 || !double.IsNaN(x[i - 1]))) set.Add(i);
        if (right - left + 1 >= 2)
        {
            var core = x[left..(right + 1)];
            for (int i = 0; i < core.Length; i++)
            {
                if (!double.IsNaN(core[i])) continue;
                int b = i; while (double.IsNaN(core[b])) b++;
                for (int k = i; k < b; k++) core[k] = core[i - 1] + (core[b] - core[i - 1]) * (k - (i - 1)) / (b - (i - 1));
                i = b;
            }
            foreach (var cp in segment(core, Pelt.PenaltyFor(core, PeltPenalty.Bic, 2.0), 2)) set.Add(cp + left);
        }
        return set.ToArray();
    }

    [DataFact("rcd-sockshop")]
    public void Change_points_and_kept_sets_are_those_of_the_unpruned_recursion_on_all_50_sockshop_cases()
    {
        var ds = DatasetCatalog.Open("rcd-sockshop", TestData.DataRoot);
        int cases = 0, metrics = 0, withChange = 0;
        foreach (var c in ds.Cases)
        {
            var l = ds.Load(c);
            var p = new RcaProblem(l.Metrics, l.Label.InjectTime, l.CallGraph, l.Naming);
            var names = new List<string>();
            var reference = new List<int[]>();
            for (int j = 0; j < p.Metrics.ColumnCount; j++)
            {
                var x = p.Metrics.Column(j).ToArray();
                if (!MetricSifter.CanChange(x)) continue;
                var op = ReferenceChangePoints(x, OptimalPartitioning);
                Assert.Equal(op, ReferenceChangePoints(x, FrozenPelt));
                Assert.Equal(op, MetricSifter.ChangePoints(x));
                names.Add(p.Metrics.Names[j]); reference.Add(op);
                metrics++; if (op.Length > 0) withChange++;
            }
            foreach (var after in new[] { false, true })
            {
                int? minRow = after ? (int)p.AnomalyRow - (int)Math.Ceiling(3 * 2.5) : null;
                var expected = MetricSifter.SelectDensest(reference, p.Metrics.RowCount, 2.5, true, minRow).Select(i => names[i]);
                Assert.Equal(expected, new MetricSifter(new MetricSifter.Options { AfterAnomaly = after }).Reduce(p));
            }
            cases++;
        }
        Assert.Equal(50, cases);
        Assert.True(metrics > 1500 && withChange > 1000, $"{metrics} metrics, {withChange} with a change point");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Pelt_matches_the_unpruned_recursion_on_plateaus_ties_and_every_length(int minSize)
    {
        // Plateaus of exactly equal values (the ties the pruning must not break), rounded noise, spikes, and lengths
        // 1..80 so that the four-wide SIMD blocks end at every offset.
        var rng = new Rng(40 + (ulong)minSize);
        for (int trial = 0; trial < 400; trial++)
        {
            int n = rng.NextInt(1, 81);
            var y = new double[n];
            double level = 0;
            for (int i = 0; i < n; i++)
            {
                if (rng.NextDouble() < 0.08) level = Math.Round(rng.NextNormal(0, 5), 1);
                y[i] = trial % 3 == 0 ? level : level + Math.Round(rng.NextNormal(0, 1), trial % 2);
                if (rng.NextDouble() < 0.02) y[i] += 20;
            }
            double beta = trial % 4 == 0 ? rng.Uniform(0, 0.5) : Pelt.PenaltyFor(y, PeltPenalty.Bic, rng.Uniform(0.2, 3));
            var expected = OptimalPartitioning(y, beta, minSize);
            Assert.Equal(expected, FrozenPelt(y, beta, minSize));
            Assert.Equal(expected, Pelt.ChangePoints(y, beta, minSize));
        }
    }
}
