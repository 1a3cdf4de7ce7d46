using AiopsLab.Methods;
using MathNet.Numerics.Distributions;

namespace AiopsLab.Detection;

/// <summary>
/// The generalized extreme Studentized deviate (ESD) test for up to r outliers (Rosner, "Percentage points for a generalized ESD
/// many-outlier procedure", Technometrics 25(2), 1983; NIST/SEMATECH e-Handbook of Statistical Methods §1.3.5.17.3). Step i = 1..r
/// removes the value farthest from the mean of the remaining ones, R_i = max |x − x̄| / s (s the sample standard deviation), and
/// compares it with λ_i = (n − i) t_{p, n−i−1} / √((n − i − 1 + t²_{p, n−i−1})(n − i + 1)), p = 1 − α / (2(n − i + 1)). The number of
/// outliers is the largest i with R_i &gt; λ_i.
/// </summary>
/// <remarks>
/// <b>Score</b> (batch detector <c>generalized-esd</c>): the value removed at step i scores max_{j ≥ i} R_j / λ_j, so exactly the
/// test's outliers score above 1 (<see cref="AlarmThreshold"/>); a value never removed scores its |x − x̄| / s against the r-times
/// reduced sample, divided by λ_{r+1} and capped at the smallest removed score, so the order of scores follows the test's order.
/// NaN points are left out and score 0; fewer than 3 values, or a constant series, score 0.
/// </remarks>
[Method("generalized-esd", Summary = "Rosner's generalized ESD test for up to r outliers (batch); score R_i/λ_i, outliers above 1.", Citation = "Rosner, Technometrics 1983")]
public sealed class GeneralizedEsd : IAnomalyDetector, IAlarmThreshold
{
    public sealed record Options
    {
        /// <summary>Upper bound r on the number of outliers; 0 = 10% of the points (at least 1).</summary>
        public int MaxOutliers { get; set; }
        /// <summary>Significance level α of the test.</summary>
        public double Alpha { get; set; } = 0.05;
    }

    /// <summary>One step of the procedure: the removed point (index into the input), R_i and λ_i.</summary>
    public readonly record struct Step(int Index, double R, double Lambda);

    /// <summary>The steps and the number of outliers (the first <see cref="Outliers"/> steps' points).</summary>
    public sealed record Result(IReadOnlyList<Step> Steps, int Outliers);

    private readonly Options _o;

    public GeneralizedEsd() : this(new Options()) { }

    public GeneralizedEsd(Options options)
    {
        DetectorOptions.Require(options.MaxOutliers >= 0, Name, "max-outliers", "must be ≥ 0 (0 = 10% of the points)");
        DetectorOptions.Require(options.Alpha > 0 && options.Alpha < 1, Name, "alpha", "must be in (0, 1)");
        _o = options;
    }

    public string Name => "generalized-esd";

    public double AlarmThreshold => 1;

    /// <summary>Rosner's critical value λ_i for n points at step i (1-based).</summary>
    public static double Lambda(int n, int i, double alpha)
    {
        double p = 1 - alpha / (2.0 * (n - i + 1));
        int dof = n - i - 1;
        double t = StudentT.InvCDF(0, 1, dof, p);
        return (n - i) * t / Math.Sqrt((dof + t * t) * (n - i + 1));
    }

    /// <summary>Runs the test on the finite values of <paramref name="x"/> (indices refer to <paramref name="x"/>).</summary>
    public static Result Test(ReadOnlySpan<double> x, int maxOutliers, double alpha)
    {
        var idx = new List<int>(x.Length);
        for (int i = 0; i < x.Length; i++) if (double.IsFinite(x[i])) idx.Add(i);
        int n = idx.Count;
        int r = Math.Min(maxOutliers, n - 3);
        var steps = new List<Step>();
        if (r < 1) return new Result(steps, 0);
        var alive = new bool[n];
        Array.Fill(alive, true);
        double shift = x[idx[0]], s1 = 0, s2 = 0;
        foreach (var i in idx) { double v = x[i] - shift; s1 += v; s2 += v * v; }
        int m = n, outliers = 0;
        for (int step = 1; step <= r; step++)
        {
            double mean = s1 / m, var = (s2 - s1 * s1 / m) / (m - 1);
            double sd = Math.Sqrt(Math.Max(var, 0));
            if (!(sd > 0)) break;
            int arg = -1; double far = -1;
            for (int k = 0; k < n; k++)
            {
                if (!alive[k]) continue;
                double d = Math.Abs(x[idx[k]] - shift - mean);
                if (d > far) { far = d; arg = k; }
            }
            double lambda = Lambda(n, step, alpha);
            steps.Add(new Step(idx[arg], far / sd, lambda));
            if (far / sd > lambda) outliers = step;
            alive[arg] = false;
            double v = x[idx[arg]] - shift;
            s1 -= v; s2 -= v * v; m--;
        }
        return new Result(steps, outliers);
    }

    public double[] Score(ReadOnlySpan<double> series)
    {
        var score = new double[series.Length];
        int n = 0;
        foreach (var v in series) if (double.IsFinite(v)) n++;
        int r = _o.MaxOutliers > 0 ? _o.MaxOutliers : Math.Max(1, n / 10);
        var res = Test(series, r, _o.Alpha);
        if (res.Steps.Count == 0) return score;
        double running = 0, minRemoved = double.PositiveInfinity;
        var removed = new HashSet<int>();
        for (int k = res.Steps.Count - 1; k >= 0; k--)
        {
            var st = res.Steps[k];
            running = Math.Max(running, st.R / st.Lambda);
            score[st.Index] = running;
            minRemoved = Math.Min(minRemoved, running);
            removed.Add(st.Index);
        }
        // The rest: against the reduced sample.
        double s1 = 0, s2 = 0; int m = 0;
        for (int i = 0; i < series.Length; i++)
            if (double.IsFinite(series[i]) && !removed.Contains(i)) { s1 += series[i]; s2 += series[i] * series[i]; m++; }
        if (m < 3) return score;
        double mean = s1 / m, sd = Math.Sqrt(Math.Max((s2 - s1 * s1 / m) / (m - 1), 0));
        if (!(sd > 0)) return score;
        double lam = Lambda(n, res.Steps.Count + 1, _o.Alpha);
        for (int i = 0; i < series.Length; i++)
            if (double.IsFinite(series[i]) && !removed.Contains(i))
                score[i] = Math.Min(minRemoved, Math.Abs(series[i] - mean) / sd / lam);
        return score;
    }
}
