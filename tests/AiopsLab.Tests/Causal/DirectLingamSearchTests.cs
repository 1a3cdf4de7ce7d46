using System.Numerics.Tensors;
using AiopsLab.Causal;
using AiopsLab.Datasets;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Preparation;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Causal;

/// <summary>
/// The branch-and-bound causal order (<see cref="DirectLingam.CausalOrder"/>) against <see cref="FullScanLingam"/>, the
/// implementation it replaced (every pair scored at every step), kept here only as the reference: the orders must be
/// identical and the coefficients equal within 1e-9, on generated data and on real PetShop and Nezha windows.
/// </summary>
public class DirectLingamSearchTests
{
    public static TheoryData<int, int, int, ulong> Generated => new()
    {
        { 30, 200, 0, 1 },   // sparse Laplace SEM, n > p
        { 25, 500, 1, 2 },   // uniform noise
        { 40, 25, 0, 3 },    // more variables than rows: residuals become rounding noise after 24 steps
        { 20, 300, 2, 4 },   // Gaussian noise: scores close together, little to prune
    };

    [Theory]
    [MemberData(nameof(Generated))]
    public void The_order_and_the_coefficients_equal_the_full_scans_on_generated_data(int nodes, int rows, int noise, ulong seed)
    {
        var kind = noise switch { 0 => SemNoise.Laplace, 1 => SemNoise.Uniform, _ => SemNoise.Gaussian };
        var d = SemSimulator.Linear(nodes, 3.0 / nodes, rows, new Rng(seed), kind);
        var columns = d.Columns.ToList();
        // A duplicated column and one that is a sum of two others: exact collinearity, residuals of zero.
        columns.Add((double[])columns[0].Clone());
        columns.Add(columns[1].Zip(columns[2], (a, b) => a + 2 * b).ToArray());
        AssertSameAsFullScan(columns, $"generated {nodes}x{rows} seed {seed}");
    }

    [DataFact("petshop")]
    public void The_order_and_the_coefficients_equal_the_full_scans_on_a_PetShop_window()
    {
        // The first 120 of the window's 248 columns (the full scan of all of them takes several seconds).
        var w = Window("petshop", "high_traffic/train/issue_0");
        Assert.Equal(248, w.Columns.Count);
        AssertSameAsFullScan(w.Columns.Take(120).ToList(), "petshop high_traffic/train/issue_0");
    }

    [DataFact("nezha")]
    public void The_order_and_the_coefficients_equal_the_full_scans_on_a_Nezha_window()
    {
        // Online Boutique, 134 columns x 8 rows: after 7 steps every residual is rounding noise, so only identical
        // arithmetic gives the same order.
        var w = Window("nezha", "2022-08-22/00");
        Assert.Equal(8, w.RowCount);
        AssertSameAsFullScan(w.Columns, "nezha 2022-08-22/00");
    }

    private static PreparedWindow Window(string dataset, string id)
    {
        var ds = DatasetCatalog.Open(dataset, TestData.DataRoot);
        var c = ds.Load(ds.Cases.Single(x => x.Id == id));
        return PreparedWindow.Of(new RcaProblem(c.Metrics, c.Label.InjectTime, c.CallGraph, c.Naming), WindowRecipe.Graph(300));
    }

    private static void AssertSameAsFullScan(IReadOnlyList<double[]> columns, string what)
    {
        var names = Enumerable.Range(0, columns.Count).Select(j => $"x{j}").ToArray();
        var (order, b) = FullScanLingam.Run(columns);
        foreach (int threads in new[] { 1, 2 })
        {
            var r = DirectLingam.Run(columns, names, new DirectLingamOptions { Parallelism = threads });
            int differs = Enumerable.Range(0, order.Length).FirstOrDefault(k => order[k] != r.CausalOrder[k], -1);
            Assert.True(differs < 0, $"{what}, {threads} thread(s): the order differs at position {differs}");
            Assert.Equal(order.Length, r.CausalOrder.Count);
            AssertSameCoefficients(b, r.Coefficients, $"{what}, {threads} thread(s)");
        }
    }

    /// <summary>Same non-zero pattern, and every coefficient within 1e-9 of the reference's, relative to max(1, |b|).</summary>
    internal static void AssertSameCoefficients(double[,] expected, double[,] actual, string what)
    {
        int p = expected.GetLength(0), nonzero = 0;
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
            {
                double e = expected[i, j], a = actual[i, j];
                Assert.True((e != 0) == (a != 0), $"{what}: b[{i},{j}] is {a} where the reference has {e}");
                Assert.True(Math.Abs(e - a) <= 1e-9 * Math.Max(1, Math.Abs(e)), $"{what}: b[{i},{j}] {a} vs {e}");
                if (e != 0) nonzero++;
            }
        Assert.True(nonzero > 0, $"{what}: no edge at all, nothing compared");
    }

    [DataFact("nezha")]
    public void The_coefficients_equal_the_reference_regressions_on_a_whole_Nezha_Train_Ticket_window()
    {
        // 525 columns x 15 rows: from the 15th position on, every regression has more predictors than rows.
        var w = Window("nezha", "2023-01-29/04");
        AssertSameRegressions(w.Columns, "nezha 2023-01-29/04");
    }

    private static void AssertSameRegressions(IReadOnlyList<double[]> columns, string what)
    {
        var names = Enumerable.Range(0, columns.Count).Select(j => $"x{j}").ToArray();
        var r = DirectLingam.Run(columns, names, new DirectLingamOptions { Parallelism = 2 });
        AssertSameCoefficients(FullScanLingam.Regressions(columns, r.CausalOrder.ToArray()), r.Coefficients, what);
    }
}

/// <summary>
/// DirectLiNGAM as AiopsLab computed it before the branch-and-bound search (commit cae1211): at every step every pair's
/// ΔI is scored and the candidate with the smallest Σ min(0, ΔI)² taken, then the adaptive-lasso regressions run one
/// after the other, each standardising its columns and building its Gram matrices from the samples, with the LARS of
/// <see cref="ReferenceLassoLars"/> (a fresh Cholesky factor at every step). The reference for <see cref="DirectLingamSearchTests"/>; not used anywhere else.
/// </summary>
internal static class FullScanLingam
{
    public static (int[] Order, double[,] B) Run(IReadOnlyList<double[]> columns)
    {
        var order = Order(columns);
        return (order, Regressions(columns, order));
    }

    /// <summary>Step 3: each variable's adaptive lasso on its predecessors in <paramref name="order"/>.</summary>
    public static double[,] Regressions(IReadOnlyList<double[]> columns, int[] order)
    {
        int p = columns.Count;
        var b = new double[p, p];
        for (int k = 1; k < p; k++)
        {
            int target = order[k];
            var predictors = order.Take(k).ToArray();
            var xs = predictors.Select(j => Standardize(columns[j])).ToArray();
            var ys = Standardize(columns[target]);
            var weight = Ols.Fit(xs, ys).Coefficients.Select(Math.Abs).ToArray();
            var lasso = ReferenceLassoLars.FitBic(xs.Select((c, a) => c.Select(v => v * weight[a]).ToArray()).ToArray(), ys);
            var keep = Enumerable.Range(0, k).Where(a => Math.Abs(lasso[a] * weight[a]) > 0).ToArray();
            if (keep.Length == 0) continue;
            var refit = Ols.Fit(keep.Select(a => columns[predictors[a]]).ToArray(), columns[target]);
            for (int t = 0; t < keep.Length; t++) if (Math.Abs(refit.Coefficients[t]) > 0) b[target, predictors[keep[t]]] = refit.Coefficients[t];
        }
        return b;
    }

    private static int[] Order(IReadOnlyList<double[]> columns)
    {
        int p = columns.Count;
        var x = columns.Select(c => (double[])c.Clone()).ToArray();
        var remaining = Enumerable.Range(0, p).ToList();
        var order = new List<int>(p);
        while (remaining.Count > 0)
        {
            int m;
            if (remaining.Count == 1) m = remaining[0];
            else
            {
                int r = remaining.Count;
                var z = remaining.Select(i => Standardize(x[i])).ToArray();
                var h = z.Select(u => DirectLingam.Entropy(u)).ToArray();
                var score = new double[r];
                for (int a = 0; a < r; a++)
                    for (int c = a + 1; c < r; c++)
                    {
                        double d = PairDifference(z[a], z[c], h[a], h[c]);
                        double da = Math.Min(0, d), dc = Math.Min(0, -d);
                        score[a] += da * da;
                        score[c] += dc * dc;
                    }
                int best = 0;
                for (int a = 1; a < r; a++) if (score[a] < score[best]) best = a;
                m = remaining[best];
            }
            foreach (var i in remaining)
                if (i != m) x[i] = Residual(x[i], x[m]);
            order.Add(m);
            remaining.Remove(m);
        }
        return order.ToArray();
    }

    private static double PairDifference(double[] xi, double[] xj, double hi, double hj)
    {
        int n = xi.Length;
        double rho = TensorPrimitives.Dot<double>(xi, xj) / n;
        double v = 1 - rho * rho;
        if (!(v > 1e-12)) return 0;
        double k = 1 / Math.Sqrt(v);
        var r = new double[n];
        TensorPrimitives.MultiplyAdd<double>(xj, -rho, xi, r);
        TensorPrimitives.Multiply<double>(r, k, r);
        double hri = DirectLingam.Entropy(r);
        TensorPrimitives.MultiplyAdd<double>(xi, -rho, xj, r);
        TensorPrimitives.Multiply<double>(r, k, r);
        double hrj = DirectLingam.Entropy(r);
        return hj + hri - hi - hrj;
    }

    private static double[] Standardize(double[] u)
    {
        double m = 0;
        foreach (var v in u) m += v;
        m /= u.Length;
        double ss = 0;
        foreach (var v in u) ss += (v - m) * (v - m);
        double sd = Math.Sqrt(ss / u.Length);
        return sd > 0 ? u.Select(v => (v - m) / sd).ToArray() : new double[u.Length];
    }

    private static double[] Residual(double[] xi, double[] xj)
    {
        double mi = xi.Average(), mj = xj.Average(), cov = 0, var = 0;
        for (int t = 0; t < xi.Length; t++) { cov += (xi[t] - mi) * (xj[t] - mj); var += (xj[t] - mj) * (xj[t] - mj); }
        double k = var > 0 ? cov / var : 0;
        return xi.Zip(xj, (a, c) => a - k * c).ToArray();
    }
}
