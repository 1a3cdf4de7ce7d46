using AiopsLab.Detection;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>Each detector against textbook values or properties computed independently of its implementation.</summary>
public class DetectorTests
{
    private static double[] Normal(int n, ulong seed, double mean = 0, double sd = 1)
    {
        var rng = Rng.For(seed, "detector-tests");
        return Enumerable.Range(0, n).Select(_ => mean + sd * rng.NextNormal()).ToArray();
    }

    // ---- n-sigma -------------------------------------------------------------------------------------------------------

    [Fact]
    public void NSigma_matches_the_rule_computed_by_brute_force()
    {
        var x = Normal(500, 1, mean: 1e6, sd: 3);   // a large offset would expose cancellation in running sums
        foreach (int window in new[] { 0, 37 })
        {
            var s = new NSigmaDetector(new() { Window = window, MinHistory = 5 }).Score(x);
            for (int t = 0; t < x.Length; t++)
            {
                int from = window == 0 ? 0 : Math.Max(0, t - window);
                var past = x[from..t];
                if (past.Length < 5) { Assert.Equal(0, s[t]); continue; }
                double mu = past.Average(), sd = Math.Sqrt(past.Select(v => (v - mu) * (v - mu)).Average());
                Assert.Equal(Math.Abs(x[t] - mu) / sd, s[t], 6);
            }
        }
    }

    // ---- robust z ------------------------------------------------------------------------------------------------------

    [Fact]
    public void Mad_of_the_textbook_example()
    {
        // {1, 1, 2, 2, 4, 6, 9}: median 2, absolute deviations {1, 1, 0, 0, 2, 4, 7}, MAD 1.
        double[] x = [1, 1, 2, 2, 4, 6, 9];
        Assert.Equal(1, RobustZDetector.MadSorted(x, 2));
        // Even count: {1, 2, 3, 4}: median 2.5, deviations {1.5, 0.5, 0.5, 1.5}, MAD 1.
        Assert.Equal(1, RobustZDetector.MadSorted([1, 2, 3, 4], 2.5));
        // 1.4826 makes the MAD estimate σ: 1/Φ⁻¹(0.75).
        Assert.Equal(1 / 0.6744897501960817, RobustZDetector.MadToSigma, 12);
    }

    [Fact]
    public void Robust_z_is_the_modified_z_score_of_the_window()
    {
        var x = Normal(300, 2);
        x[200] = 9;
        var s = new RobustZDetector(new() { Window = 50 }).Score(x);
        for (int t = 50; t < x.Length; t++)
        {
            var past = x[(t - 50)..t].OrderBy(v => v).ToArray();
            double med = (past[24] + past[25]) / 2;
            var dev = past.Select(v => Math.Abs(v - med)).OrderBy(v => v).ToArray();
            double mad = (dev[24] + dev[25]) / 2;
            // Iglewicz & Hoaglin: M = 0.6745 (x − median) / MAD.
            Assert.Equal(0.6744897501960817 * Math.Abs(x[t] - med) / mad, s[t], 9);
        }
        // IQR scale: numpy's linear quartiles of 1..10 are 3.25 and 7.75.
        var iqr = new RobustZDetector(new() { Window = 10, Scale = RobustScale.Iqr }).Score([.. Enumerable.Range(1, 10).Select(i => (double)i), 20.0]);
        Assert.Equal((20 - 5.5) / (4.5 / RobustZDetector.NormalIqr), iqr[10], 9);
    }

    // ---- EWMA ----------------------------------------------------------------------------------------------------------

    [Fact]
    public void Ewma_reproduces_the_textbook_chart()
    {
        // Montgomery, Introduction to Statistical Quality Control, Example 9.2 (data of Table 9.1, μ₀ = 10, σ = 1, λ = 0.1, L = 2.7):
        // z₁ = 0.1·9.45 + 0.9·10 = 9.945, limits at t = 1: 10 ± 2.7·0.1 = 10 ± 0.27; asymptotic limits 10 ± 0.62.
        double[] x = [9.45, 7.99, 9.29, 11.66, 12.16];
        var s = new EwmaDetector(new() { Lambda = 0.1, L = 2.7, Mean = 10, Sigma = 1 }).Score(x);
        Assert.Equal(Math.Abs(9.945 - 10) / 0.1, s[0], 9);
        double z2 = 0.1 * 7.99 + 0.9 * 9.945;   // 9.7495
        Assert.Equal(9.7495, z2, 9);
        Assert.Equal(Math.Abs(z2 - 10) / EwmaDetector.LimitFactor(0.1, 2), s[1], 9);
        Assert.Equal(0.27 / 2.7, EwmaDetector.LimitFactor(0.1, 1), 12);
        Assert.Equal(0.62, 2.7 * Math.Sqrt(0.1 / 1.9), 2);
        Assert.Equal(0.62, 2.7 * EwmaDetector.LimitFactor(0.1, 10_000), 2);
    }

    // ---- GPD and SPOT ----------------------------------------------------------------------------------------------------

    private static double[] GpdSample(int n, double gamma, double sigma, ulong seed)
    {
        var rng = Rng.For(seed, "gpd");
        // Inverse CDF: y = σ/γ ((1 − U)^{−γ} − 1), or −σ ln(1 − U) when γ = 0.
        return Enumerable.Range(0, n).Select(_ =>
        {
            double u = rng.NextDouble();
            return gamma == 0 ? -sigma * Math.Log(1 - u) : sigma / gamma * (Math.Pow(1 - u, -gamma) - 1);
        }).ToArray();
    }

    [Theory]
    [InlineData(0.2, 1.0)]
    [InlineData(0.0, 2.0)]
    [InlineData(-0.2, 1.5)]
    public void Gpd_fit_recovers_known_parameters_and_is_a_likelihood_maximum(double gamma, double sigma)
    {
        var y = GpdSample(20_000, gamma, sigma, 7);
        var (g, s) = Gpd.Fit(y);
        Assert.InRange(g, gamma - 0.05, gamma + 0.05);
        Assert.InRange(s, sigma * 0.95, sigma * 1.05);
        // A maximum: no nearby (γ, σ) has a higher log-likelihood.
        double ll = Gpd.LogLikelihood(y, g, s);
        foreach (var (dg, ds) in new[] { (1e-3, 0.0), (-1e-3, 0.0), (0.0, 1e-3), (0.0, -1e-3) })
            Assert.True(Gpd.LogLikelihood(y, g + dg, s * (1 + ds)) <= ll + 1e-9);
    }

    [Fact]
    public void Gpd_quantile_has_the_requested_tail_probability()
    {
        // P(X > z_q) = (N_t/n)·S(z_q − t) must equal q (Siffer et al., Eq. 1).
        foreach (var (g, s) in new[] { (0.3, 1.2), (0.0, 0.7), (-0.25, 2.0) })
        {
            double z = Gpd.Quantile(5, g, s, 1e-4, 10_000, 200);
            Assert.Equal(1e-4, 200.0 / 10_000 * Gpd.Survival(z - 5, g, s), 12);
        }
    }

    [Fact]
    public void Peaks_over_threshold_estimate_the_extreme_quantile()
    {
        // EVT behind SPOT (Pickands–Balkema–de Haan): peaks over the 98% quantile of N(0,1) fitted by a GPD give the 10⁻³ quantile
        // Φ⁻¹(0.999) = 3.0902 (checked to within 0.05 on 100,000 points).
        var x = Normal(100_000, 3);
        var sorted = x.OrderBy(v => v).ToArray();
        double t = sorted[(int)(0.98 * x.Length)];
        var peaks = x.Where(v => v > t).Select(v => v - t).ToArray();
        var (g, s) = Gpd.Fit(peaks);
        Assert.InRange(Gpd.Quantile(t, g, s, 1e-3, x.Length, peaks.Length), 3.0902 - 0.05, 3.0902 + 0.05);
    }

    [Fact]
    public void Spot_alarm_rate_is_of_the_order_of_the_risk_on_iid_data()
    {
        // SPOT (Algorithm 1) does not learn from its own alarms, which truncates the peak sample at z_q and biases the tail short:
        // on N(0,1) the alarm rate lands above q — measured 2.1·q with 10,000 calibration points (docs/detection.md). The check
        // bounds it to [0.5q, 4q]: a broken fit or quantile (e.g. a wrong sign of γ) falls far outside.
        var x = Normal(100_000, 3);
        var spot = new Spot(new SpotOptions { Q = 1e-3, NInit = 10_000, Side = SpotSide.Upper });
        int alarms = spot.Score(x).Skip(10_000).Count(v => v > spot.AlarmThreshold);
        Assert.InRange(alarms, 45, 360);   // q·n = 90
    }

    [Fact]
    public void Dspot_follows_a_drift_that_spot_flags()
    {
        var x = Normal(3000, 4);
        for (int i = 0; i < x.Length; i++) x[i] += i * 0.01;   // drifts by 30σ
        x[2500] += 10;
        var o = new SpotOptions { Q = 1e-4, NInit = 500, Depth = 20, Side = SpotSide.Upper };
        var dspot = new DSpot(o).Score(x);
        var spot = new Spot(o).Score(x);
        double th = -Math.Log10(o.Q);
        Assert.True(dspot[2500] > th, "DSPOT must flag the spike.");
        Assert.True(dspot.Where((v, i) => i != 2500 && v > th).Count() <= 5, "DSPOT must follow the drift.");
        Assert.True(spot.Skip(1000).Count(v => v > th) > 1000, "plain SPOT flags the drifted level (why DSPOT exists).");
    }

    // ---- binary segmentation ---------------------------------------------------------------------------------------------

    [Fact]
    public void Binseg_first_split_is_the_best_single_change_point()
    {
        var y = Normal(200, 5);
        for (int i = 120; i < 200; i++) y[i] += 1.5;
        double Sse(IEnumerable<double> v) { var a = v.ToArray(); double m = a.Average(); return a.Sum(t => (t - m) * (t - m)); }
        int brute = Enumerable.Range(2, 197).OrderBy(t => Sse(y[..t]) + Sse(y[t..])).First();
        var first = BinarySegmentation.ChangePoints(y, penalty: 0, minSize: 2, maxChangePoints: 1);
        Assert.Equal(brute, first.Single().Index);
        Assert.Equal(Sse(y) - Sse(y[..brute]) - Sse(y[brute..]), first[0].Gain, 6);
    }

    [Fact]
    public void Binseg_agrees_with_pelt_on_well_separated_changes()
    {
        var y = Normal(600, 6);
        for (int i = 150; i < 600; i++) y[i] += 6;
        for (int i = 400; i < 600; i++) y[i] -= 10;
        double pen = Pelt.PenaltyFor(y, PeltPenalty.Bic, 1);
        Assert.Equal(Pelt.ChangePoints(y, pen), BinarySegmentation.ChangePoints(y, pen).Select(c => c.Index));
        Assert.Equal([150, 400], Pelt.ChangePoints(y, pen));
    }

    // ---- generalized ESD --------------------------------------------------------------------------------------------------

    /// <summary>NIST/SEMATECH e-Handbook §1.3.5.17.3, Rosner's example (54 values).</summary>
    private static readonly double[] Rosner =
    [
        -0.25, 0.68, 0.94, 1.15, 1.20, 1.26, 1.26, 1.34, 1.38, 1.43, 1.49, 1.49, 1.55, 1.56, 1.58, 1.65, 1.69, 1.70, 1.76, 1.77,
        1.81, 1.91, 1.94, 1.96, 1.99, 2.06, 2.09, 2.10, 2.14, 2.15, 2.23, 2.24, 2.26, 2.35, 2.37, 2.40, 2.47, 2.54, 2.62, 2.64,
        2.90, 2.92, 2.92, 2.93, 3.21, 3.26, 3.30, 3.59, 3.68, 4.30, 4.64, 5.34, 5.42, 6.01,
    ];

    [Fact]
    public void Generalized_esd_reproduces_the_nist_example()
    {
        var r = GeneralizedEsd.Test(Rosner, 10, 0.05);
        Assert.Equal(10, r.Steps.Count);
        // NIST's table lists R_i and λ_i truncated to three decimals: ours must lie in [listed, listed + 0.001).
        double[] nistR = [3.118, 2.942, 3.179, 2.810, 2.815, 2.848, 2.279, 2.310, 2.101, 2.067];
        double[] nistL = [3.158, 3.151, 3.143, 3.136, 3.128, 3.120, 3.111, 3.103, 3.094, 3.085];
        for (int i = 0; i < 10; i++)
        {
            Assert.InRange(r.Steps[i].R, nistR[i], nistR[i] + 0.001);
            Assert.InRange(r.Steps[i].Lambda, nistL[i], nistL[i] + 0.001);
        }
        Assert.Equal(3, r.Outliers);
        Assert.Equal(new[] { 6.01, 5.42, 5.34 }, r.Steps.Take(3).Select(s => Rosner[s.Index]));
        // As a detector: exactly those three score above 1.
        var scores = new GeneralizedEsd(new() { MaxOutliers = 10 }).Score(Rosner);
        Assert.Equal(new[] { 51, 52, 53 }, Enumerable.Range(0, Rosner.Length).Where(i => scores[i] > 1));
    }

    // ---- isolation forest ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Isolation_forest_normaliser_and_reference_score()
    {
        // c(n) = 2H(n − 1) − 2(n − 1)/n with H(i) = ln i + γ_Euler: c(256) = 10.2448.
        Assert.Equal(10.2448, IsolationForest.C(256), 4);
        Assert.Equal(1, IsolationForest.C(2));
        Assert.Equal(0, IsolationForest.C(1));
        // Identical points cannot be isolated: E[h] = c(ψ), so s = 0.5 exactly (Liu et al., §2).
        var forest = IsolationForest.Fit(Enumerable.Repeat(1.0, 300).ToArray(), 300, 1, 20, 256, 1);
        Assert.Equal(0.5, forest.Score([1.0]), 12);
    }

    [Fact]
    public void Isolation_forest_isolates_a_multivariate_outlier_and_is_seeded()
    {
        // Two correlated columns; one row breaks the correlation and lies beyond both columns' ranges.
        var rng = Rng.For(9, "iforest");
        int n = 500;
        var a = new double[n]; var b = new double[n];
        for (int i = 0; i < n; i++) { a[i] = rng.NextNormal(); b[i] = a[i] + 0.05 * rng.NextNormal(); }
        a[321] = 6; b[321] = -6;
        var frame = new AiopsLab.Data.MetricFrame(Enumerable.Range(0, n).Select(i => (long)i).ToArray(), ["a", "b"], [a, b]);
        var det = new IsolationForest(new() { Window = 1, Seed = 3 });
        var s = det.ScoreFrame(frame);
        Assert.Equal(321, Array.IndexOf(s, s.Max()));
        Assert.Equal(s, det.ScoreFrame(frame));
        Assert.NotEqual(s, new IsolationForest(new() { Window = 1, Seed = 4 }).ScoreFrame(frame));
    }
}
