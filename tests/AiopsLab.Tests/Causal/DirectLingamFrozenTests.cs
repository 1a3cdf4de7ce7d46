using System.Security.Cryptography;
using System.Text;
using AiopsLab.Causal;
using AiopsLab.Datasets;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Preparation;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Causal;

/// <summary>
/// DirectLiNGAM after the session-6 speed work (hints of 32 partners in the order search, LARS correlations four columns
/// at a time, BIC points skipped by a lower bound) against main as it was before it (commit cab8aba), bit for bit:
/// <see cref="FrozenLassoLars"/> is a copy of that LARS and BIC selection, and <c>LingamReference/</c> holds the causal
/// order and every coefficient's bits of whole windows as that build computed them.
/// </summary>
public class DirectLingamFrozenTests
{
    private static string Dir => Path.Combine(TestData.RepoRoot, "tests", "AiopsLab.Tests", "Causal", "LingamReference");

    [Theory]
    [InlineData(8, 60, 0.0, 11UL)]
    [InlineData(30, 200, 0.9, 12UL)]
    [InlineData(60, 80, 0.95, 13UL)]  // columns leave the path (lasso modification)
    [InlineData(40, 45, 0.5, 14UL)]   // barely more rows than columns
    [InlineData(120, 305, 0.99, 15UL)]
    public void The_path_and_the_BIC_point_equal_the_frozen_code_bit_for_bit(int p, int n, double correlation, ulong seed)
    {
        var (g, xty, yty, sigma2) = Problem(p, n, correlation, seed);
        var expected = FrozenLassoLars.Path(g, xty, yty);
        var actual = LassoLars.Path(g, xty, yty);
        Assert.Equal(expected.Count, actual.Count);
        for (int s = 0; s < expected.Count; s++)
            for (int j = 0; j < p; j++)
                Assert.True(Bits(expected[s][j]) == Bits(actual[s][j]), $"point {s}, column {j}: {actual[s][j]:R} vs {expected[s][j]:R}");
        var eb = FrozenLassoLars.SelectBic(g, xty, yty, n, sigma2);
        var ab = LassoLars.SelectBic(g, xty, yty, n, sigma2);
        Assert.Equal(eb.Select(Bits), ab.Select(Bits));
        Assert.Contains(eb, v => v != 0);
    }

    [Theory]
    [InlineData(30, 200, 0, 1UL)]
    [InlineData(25, 500, 1, 2UL)]
    [InlineData(40, 25, 0, 3UL)]   // more variables than rows
    [InlineData(60, 305, 2, 4UL)]
    public void The_coefficients_equal_the_frozen_regressions_bit_for_bit_on_generated_data(int nodes, int rows, int noise, ulong seed)
    {
        var kind = noise switch { 0 => SemNoise.Laplace, 1 => SemNoise.Uniform, _ => SemNoise.Gaussian };
        var columns = SemSimulator.Linear(nodes, 3.0 / nodes, rows, new Rng(seed), kind).Columns.ToList();
        columns.Add(columns[1].Zip(columns[2], (a, b) => a + 2 * b).ToArray());
        var names = Enumerable.Range(0, columns.Count).Select(j => $"x{j}").ToArray();
        foreach (int threads in new[] { 1, 2 })
        {
            var r = DirectLingam.Run(columns, names, new DirectLingamOptions { Parallelism = threads });
            var expected = FrozenRegressions(columns, r.CausalOrder.ToArray());
            int nonzero = 0;
            for (int i = 0; i < columns.Count; i++)
                for (int j = 0; j < columns.Count; j++)
                {
                    Assert.True(Bits(expected[i, j]) == Bits(r.Coefficients[i, j]), $"{threads} thread(s): b[{i},{j}] {r.Coefficients[i, j]:R} vs {expected[i, j]:R}");
                    if (expected[i, j] != 0) nonzero++;
                }
            Assert.True(nonzero > 0);
        }
    }

    [DataFact("petshop")]
    public void The_order_and_every_coefficient_equal_main_on_a_whole_PetShop_window()
    {
        var lines = File.ReadAllLines(Path.Combine(Dir, "petshop_high_traffic_train_issue_0.txt")).Where(l => !l.StartsWith('#')).ToArray();
        var order = lines[0].Split(',').Select(int.Parse).ToArray();
        var w = Window("petshop", "high_traffic/train/issue_0");
        int p = w.Columns.Count;
        var expected = new long[p, p];
        foreach (var l in lines.Skip(1))
        {
            var f = l.Split(' ');
            expected[int.Parse(f[0]), int.Parse(f[1])] = Convert.ToInt64(f[2], 16);
        }
        foreach (int threads in new[] { 1, 2 })
        {
            var r = DirectLingam.Run(w.Columns, w.Names, new DirectLingamOptions { Parallelism = threads });
            Assert.Equal(order, r.CausalOrder);
            for (int i = 0; i < p; i++)
                for (int j = 0; j < p; j++)
                    Assert.True(expected[i, j] == Bits(r.Coefficients[i, j]), $"{threads} thread(s): b[{i},{j}]");
        }
        Assert.True(lines.Length > 1000); // the window has 1,122 non-zero coefficients
        // Also the frozen step 3 on that order (the regressions alone, independent of the fixture).
        var frozen = FrozenRegressions(w.Columns, order);
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                Assert.True(expected[i, j] == Bits(frozen[i, j]), $"frozen regressions: b[{i},{j}]");
    }

    [DataTheory("petshop")]
    [InlineData("petshop", "high_traffic/train/issue_1", "89231b36d62fdf00d13683839ef752b7523e2cd0403adfd206ad40bbb523509f")]
    public void The_digest_of_the_order_and_the_coefficients_equals_mains_on_PetShop(string dataset, string id, string sha256) =>
        AssertDigest(dataset, id, sha256);

    [DataTheory("nezha")]
    [InlineData("nezha", "2023-01-29/04", "23856249a73a96ece744d87a71de97a50a50743d42b03a618108427c979af1d4")]
    [InlineData("nezha", "2022-08-22/00", "a8437499e4a30b14acdb11403f689227d078e3e8b08e628bbb1ccd9755d0749e")]
    public void The_digest_of_the_order_and_the_coefficients_equals_mains_on_Nezha(string dataset, string id, string sha256) =>
        AssertDigest(dataset, id, sha256);

    /// <summary>SHA-256 of the order (comma-separated, newline) and of each row of B as hex IEEE bits (comma-separated, newline each), as main computed them.</summary>
    private static void AssertDigest(string dataset, string id, string sha256)
    {
        var w = Window(dataset, id);
        foreach (int threads in new[] { 1, 2 })
        {
            var r = DirectLingam.Run(w.Columns, w.Names, new DirectLingamOptions { Parallelism = threads });
            var sb = new StringBuilder();
            sb.Append(string.Join(",", r.CausalOrder)).Append('\n');
            int p = w.Columns.Count;
            for (int i = 0; i < p; i++)
                sb.Append(string.Join(",", Enumerable.Range(0, p).Select(j => Bits(r.Coefficients[i, j]).ToString("x")))).Append('\n');
            Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(sb.ToString()))));
        }
    }

    private static long Bits(double v) => BitConverter.DoubleToInt64Bits(v);

    private static PreparedWindow Window(string dataset, string id)
    {
        var ds = DatasetCatalog.Open(dataset, TestData.DataRoot);
        var c = ds.Load(ds.Cases.Single(x => x.Id == id));
        return PreparedWindow.Of(new RcaProblem(c.Metrics, c.Label.InjectTime, c.CallGraph, c.Naming), WindowRecipe.Graph(300));
    }

    /// <summary>Centred Gram inputs of a random problem with equicorrelated columns, and σ̂² of its least-squares fit.</summary>
    private static (double[,] G, double[] Xty, double Yty, double Sigma2) Problem(int p, int n, double correlation, ulong seed)
    {
        var rng = new Rng(seed);
        var common = Enumerable.Range(0, n).Select(_ => rng.NextNormal()).ToArray();
        var x = Enumerable.Range(0, p).Select(_ => Enumerable.Range(0, n).Select(t => correlation * common[t] + Math.Sqrt(1 - correlation * correlation) * rng.NextNormal()).ToArray()).ToArray();
        var y = Enumerable.Range(0, n).Select(t => 0.8 * x[0][t] - 0.5 * x[Math.Min(3, p - 1)][t] + 0.3 * x[p / 2][t] + 0.5 * rng.NextNormal()).ToArray();
        var xc = x.Select(c => { double m = c.Average(); return c.Select(v => v - m).ToArray(); }).ToArray();
        double my = y.Average();
        var yc = y.Select(v => v - my).ToArray();
        var g = new double[p, p];
        var xty = new double[p];
        for (int j = 0; j < p; j++)
        {
            xty[j] = Dot(xc[j], yc);
            for (int k = 0; k <= j; k++) g[j, k] = g[k, j] = Dot(xc[j], xc[k]);
        }
        var ols = Ols.Fit(xc, yc, intercept: false);
        return (g, xty, Dot(yc, yc), ols.Rss / (n - p - 1));
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (u, v) => u * v).Sum();

    /// <summary>Step 3 as main computed it (DirectLingam.AdaptiveLasso at cab8aba), with <see cref="FrozenLassoLars"/>.</summary>
    private static double[,] FrozenRegressions(IReadOnlyList<double[]> columns, int[] order)
    {
        int p = columns.Count, n = columns[0].Length;
        var b = new double[p, p];
        var z = new NestedOls(order.Select(j => Standardize(columns[j])).ToArray());
        for (int k = 1; k < p; k++)
        {
            int target = order[k];
            var predictors = order.Take(k).ToArray();
            var ols = z.Fit(k);
            var weight = ols.Coefficients.Select(Math.Abs).ToArray();
            bool[] selected;
            double sigma2 = ols.Rss / (n - k - 1);
            if (n - k - 1 <= 0 || !(sigma2 > 0)) selected = weight.Select(v => v > 0).ToArray();
            else
            {
                var g = new double[k, k];
                var xty = new double[k];
                for (int a = 0; a < k; a++)
                {
                    xty[a] = weight[a] * z.CentredCross(a, k);
                    for (int c = 0; c <= a; c++) g[a, c] = g[c, a] = weight[a] * weight[c] * z.CentredCross(a, c);
                }
                var lasso = FrozenLassoLars.SelectBic(g, xty, z.CentredCross(k, k), n, sigma2);
                selected = lasso.Select((v, a) => Math.Abs(v * weight[a]) > 0).ToArray();
            }
            var keep = Enumerable.Range(0, k).Where(a => selected[a]).ToArray();
            if (keep.Length == 0) continue;
            var refit = Ols.Fit(keep.Select(a => columns[predictors[a]]).ToArray(), columns[target]);
            for (int t = 0; t < keep.Length; t++)
                if (Math.Abs(refit.Coefficients[t]) > 0) b[target, predictors[keep[t]]] = refit.Coefficients[t];
        }
        return b;
    }

    private static double[] Standardize(double[] u)
    {
        int n = u.Length;
        double m = 0;
        foreach (var v in u) m += v;
        m /= n;
        double ss = 0;
        foreach (var v in u) ss += (v - m) * (v - m);
        double sd = Math.Sqrt(ss / n);
        var r = new double[n];
        if (!(sd > 0)) return r;
        for (int t = 0; t < n; t++) r[t] = (u[t] - m) / sd;
        return r;
    }
}

/// <summary>
/// <c>LassoLars.Path(double[,], double[], double)</c> and <c>LassoLars.SelectBic</c> exactly as main had them at commit
/// cab8aba (before the correlations were computed four columns at a time and BIC points skipped by a bound); the
/// reference for <see cref="DirectLingamFrozenTests"/>, not used anywhere else.
/// </summary>
internal static class FrozenLassoLars
{
    public static double[] SelectBic(double[,] g, double[] xty, double yty, int n, double sigma2)
    {
        int p = xty.Length;
        var path = Path(g, xty, yty);
        double best = double.PositiveInfinity;
        double[] bestBeta = path[0];
        var nonzero = new List<int>(p);
        foreach (var beta in path)
        {
            nonzero.Clear();
            for (int j = 0; j < p; j++) if (beta[j] != 0) nonzero.Add(j);
            double rss = yty;
            foreach (int j in nonzero)
            {
                rss -= 2 * beta[j] * xty[j];
                foreach (int k in nonzero) rss += beta[j] * g[j, k] * beta[k];
            }
            rss = Math.Max(rss, 0);
            int df = nonzero.Count;
            double bic = n * Math.Log(2 * Math.PI * sigma2) + rss / sigma2 + Math.Log(n) * df;
            if (double.IsPositiveInfinity(best) || bic < best - 1e-12 * Math.Abs(best)) { best = bic; bestBeta = beta; }
        }
        return bestBeta;
    }

    public static List<double[]> Path(double[,] g, double[] xty, double yty)
    {
        int p = xty.Length;
        var beta = new double[p];
        var path = new List<double[]> { (double[])beta.Clone() };
        var active = new List<int>();
        var inActive = new bool[p];
        var dead = new bool[p]; // columns that are zero or linearly dependent on the active set
        int deadCount = 0;
        for (int j = 0; j < p; j++) if (g[j, j] <= 1e-300) { dead[j] = true; deadCount++; }
        const double tiny = 1e-12;
        double scale = Math.Max(1, Math.Sqrt(Math.Max(yty, 0)));
        int maxSteps = 8 * Math.Max(1, p) + 8;
        int drop = -1;
        var c = new double[p];
        var chol = new UpdatableCholesky(p);
        var column = new double[p];
        var s = new double[p];
        var w = new double[p];
        var nonzero = new List<int>(p);
        for (int step = 0; step < maxSteps; step++)
        {
            nonzero.Clear();
            for (int k = 0; k < p; k++) if (beta[k] != 0) nonzero.Add(k);
            for (int j = 0; j < p; j++)
            {
                double v = xty[j];
                foreach (int k in nonzero) v -= g[j, k] * beta[k];
                c[j] = v;
            }
            double cMax = 0;
            for (int j = 0; j < p; j++) if (!dead[j]) cMax = Math.Max(cMax, Math.Abs(c[j]));
            if (cMax <= tiny * scale) break;
            bool factorOk = true;
            if (drop < 0)
            {
                // Add the inactive column with the largest absolute correlation.
                int enter = -1;
                double bestC = -1;
                for (int j = 0; j < p; j++)
                    if (!inActive[j] && !dead[j] && Math.Abs(c[j]) > bestC) { bestC = Math.Abs(c[j]); enter = j; }
                if (enter < 0) break;
                for (int a = 0; a < active.Count; a++) column[a] = g[enter, active[a]];
                active.Add(enter);
                inActive[enter] = true;
                factorOk = chol.Append(column, g[enter, enter]);
            }
            drop = -1;
            int kA = active.Count;
            // A pivot far below the columns' scale means the new column is (numerically) in the span of the others.
            if (factorOk)
            {
                double maxDiagonal = 0;
                foreach (int j in active) maxDiagonal = Math.Max(maxDiagonal, g[j, j]);
                factorOk = chol.LogDeterminant() - kA * Math.Log(Math.Max(1e-300, maxDiagonal)) > -60;
                if (!factorOk) chol.RemoveLast();
            }
            if (!factorOk)
            {
                int last = active[^1];
                active.RemoveAt(active.Count - 1);
                inActive[last] = false;
                dead[last] = true;
                deadCount++;
                continue;
            }
            // Equiangular direction: w = A·G_A⁻¹·s (Efron et al. eqs. 2.5–2.6).
            for (int a = 0; a < kA; a++) s[a] = c[active[a]] < 0 ? -1 : 1;
            chol.Solve(s, w);
            double sGs = 0;
            for (int a = 0; a < kA; a++) sGs += s[a] * w[a];
            double aa = 1 / Math.Sqrt(Math.Max(sGs, 1e-300));
            for (int a = 0; a < kA; a++) w[a] *= aa;
            // Step length: next column to join (eq. 2.13), or a coefficient crossing zero (lasso modification, eq. 3.6).
            double cA = 0;
            foreach (var j in active) cA = Math.Max(cA, Math.Abs(c[j]));
            double gamma = cA / aa; // reaches the least-squares fit of the active set
            for (int j = 0; j < p; j++)
            {
                if (inActive[j] || dead[j]) continue;
                double aj = 0;
                for (int a = 0; a < kA; a++) aj += g[j, active[a]] * w[a];
                double g1 = (cA - c[j]) / (aa - aj), g2 = (cA + c[j]) / (aa + aj);
                if (g1 > tiny && g1 < gamma) gamma = g1;
                if (g2 > tiny && g2 < gamma) gamma = g2;
            }
            int dropAt = -1;
            for (int a = 0; a < kA; a++)
            {
                int j = active[a];
                if (w[a] == 0 || beta[j] == 0) continue;
                double gz = -beta[j] / w[a];
                if (gz > tiny && gz < gamma) { gamma = gz; drop = j; dropAt = a; }
            }
            for (int a = 0; a < kA; a++) beta[active[a]] += gamma * w[a];
            if (drop >= 0)
            {
                beta[drop] = 0;
                active.RemoveAt(dropAt);
                inActive[drop] = false;
                chol.Delete(dropAt);
            }
            path.Add((double[])beta.Clone());
            if (drop < 0 && active.Count >= p - deadCount && gamma >= cA / aa * (1 - 1e-12)) break;
        }
        return path;
    }

}
