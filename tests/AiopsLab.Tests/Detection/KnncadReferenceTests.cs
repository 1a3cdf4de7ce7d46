using AiopsLab.Detection;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>
/// kNN-CAD (Burnaev &amp; Ishimtsev 2016, §3, as NAB runs it) against a straightforward re-computation from its definition: lists
/// of lag vectors, Σ = (TᵀT)⁻¹ through the textbook Cholesky factor re-fitted twice per probationary period, every distance
/// recomputed from the raw vectors, a full sort for the k smallest. The detector's optimisations (dimension-major storage,
/// SIMD lanes over training vectors, kept transformed vectors, rings, partial selection) must give the same scores to the bit.
/// </summary>
public class KnncadReferenceTests
{
    private static double[] Reference(double[] x, int p, int k, int dim, double alarmLevel)
    {
        var train = new List<double[]>();
        var calib = new List<double[]>();
        var scores = new List<double>();
        double[,]? l = null;
        int pred = -1;
        var result = new double[x.Length];
        double[] T(double[] v)
        {
            if (l is null) return (double[])v.Clone();
            var y = new double[dim];
            for (int i = 0; i < dim; i++)
            {
                double s = v[i];
                for (int m = 0; m < i; m++) s -= l[i, m] * y[m];
                y[i] = s / l[i, i];
            }
            return y;
        }
        double Ncm(double[] v, bool self)
        {
            var tv = T(v);
            var d = train.Select(t =>
            {
                var tt = T(t);
                double s = 0;
                for (int j = 0; j < dim; j++) s += (tv[j] - tt[j]) * (tv[j] - tt[j]);
                return s;
            }).ToArray();
            Array.Sort(d);
            return d.Take(Math.Min(k + (self ? 1 : 0), d.Length)).Sum();
        }
        for (int n = 1; n <= x.Length; n++)
        {
            if (n < dim) continue;
            var item = x[(n - dim)..n];
            if (n < p) { train.Add(item); continue; }
            if (train.Count == 0) continue;
            if (n % p == 0 || n % p == p / 2) l = Cholesky(train, dim) ?? l;
            if (scores.Count == 0) scores.AddRange(train.Select(t => Ncm(t, true)));
            double score = Ncm(item, false);
            double r = (double)scores.Count(c => c < score) / scores.Count;
            if (n >= 2 * p) { train.RemoveAt(0); train.Add(calib[0]); calib.RemoveAt(0); }
            scores.RemoveAt(0); scores.Add(score);
            calib.Add(item);
            if (pred > 0) { pred--; result[n - 1] = 0.5; continue; }
            if (r >= alarmLevel) pred = p / 5;
            result[n - 1] = r;
        }
        return result;
    }

    /// <summary>Lower-triangular L with LLᵀ = TᵀT (Cholesky–Banachiewicz), or null when TᵀT is not positive definite.</summary>
    private static double[,]? Cholesky(List<double[]> train, int dim)
    {
        var g = new double[dim, dim];
        foreach (var t in train)
            for (int a = 0; a < dim; a++)
                for (int b = 0; b <= a; b++) g[a, b] += t[a] * t[b];
        var l = new double[dim, dim];
        for (int j = 0; j < dim; j++)
        {
            double s = g[j, j];
            for (int m = 0; m < j; m++) s -= l[j, m] * l[j, m];
            if (!(s > 0)) return null;
            l[j, j] = Math.Sqrt(s);
            for (int i = j + 1; i < dim; i++)
            {
                double v = g[i, j];
                for (int m = 0; m < j; m++) v -= l[i, m] * l[j, m];
                l[i, j] = v / l[j, j];
            }
        }
        return l;
    }

    public static TheoryData<string, int, int, int> Cases => new()
    {
        { "noisy-sine", 1500, 27, 19 },     // NAB's k and dim, probation 225
        { "noisy-sine", 701, 5, 7 },        // training set not a multiple of the SIMD width
        { "square-wave", 1200, 27, 19 },    // exact repeats (many equal distances, tied calibration scores), then a new level
        { "spikes", 2000, 3, 4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scores_equal_a_straightforward_computation_to_the_bit(string shape, int n, int k, int dim)
    {
        var rng = Rng.For(11, "knncad-ref-" + shape);
        var x = Enumerable.Range(0, n).Select(i => shape switch
        {
            "noisy-sine" => 5 + Math.Sin(i / 9.0) + 0.1 * rng.NextNormal(),
            "square-wave" => (i / 16) % 2 == 0 ? 1.0 : i < 900 ? 3.0 : 4.0,
            _ => rng.NextNormal() + (i % 397 == 396 ? 12 : 0),
        }).ToArray();
        int p = NabSeriesSetup.ProbationOf(n);
        var ours = new Knncad(new() { K = k, Dim = dim }).Score(x);
        var reference = Reference(x, p, k, dim, 0.9965);
        Assert.True(ours.Skip(p).Distinct().Count() > 1, "the scores must vary for the comparison to mean something");
        for (int i = 0; i < n; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(reference[i]) == BitConverter.DoubleToInt64Bits(ours[i]), $"{shape} point {i}: {ours[i]:R} vs reference {reference[i]:R}");
    }
}
