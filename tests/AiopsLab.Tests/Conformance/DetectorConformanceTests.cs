using AiopsLab.Detection;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using Xunit;
using AiopsLab.Catalog;

namespace AiopsLab.Tests.Conformance;

/// <summary>
/// The battery every registered anomaly detector runs through, with its default options; a detector registered in the catalog is
/// picked up with no further wiring. The planted-anomaly checks compare the scores in a short region right after the planted
/// spike or level shift (from 5 points before a shift, which a batch detector may mark early) with every score before it (after a warm-up of 100 points, which every default respects): the planted
/// anomaly must score strictly higher than anything in the normal stretch. A detector that declares a longer warm-up
/// (<see cref="IWarmup"/>) is compared from the end of it, which must leave at least 50 normal points before the shift. This is the property a detector exists for; it holds
/// with a wide margin for a +8σ spike and a +5σ shift, so it does not depend on the seed.
/// </summary>
public class DetectorConformanceTests
{
    public static TheoryData<string> Detectors()
    {
        var d = new TheoryData<string>();
        foreach (var m in MethodCatalog.OfKind(MethodKind.Detector)) d.Add(m.Name);
        return d;
    }

    /// <summary>Detectors that score outlying points: all but the change-point detectors (<see cref="IChangePointDetector"/>).</summary>
    public static TheoryData<string> PointDetectors()
    {
        var d = new TheoryData<string>();
        foreach (var m in MethodCatalog.OfKind(MethodKind.Detector))
            if (MethodCatalog.CreateDetector(m.Name) is not IChangePointDetector) d.Add(m.Name);
        return d;
    }

    public static TheoryData<string> ChangePointDetectors()
    {
        var d = new TheoryData<string>();
        foreach (var m in MethodCatalog.OfKind(MethodKind.Detector))
            if (MethodCatalog.CreateDetector(m.Name) is IChangePointDetector) d.Add(m.Name);
        return d;
    }

    private const int Length = 400, DefaultWarmup = 100;

    /// <summary>Where a detector's comparable scores begin: after 100 points, or after its declared warm-up (<see cref="IWarmup"/>).</summary>
    private static int Warmup(string name) => Math.Max(DefaultWarmup, (MethodCatalog.CreateDetector(name) as IWarmup)?.Warmup ?? 0);

    private static double[] Noise(ulong seed)
    {
        var rng = Rng.For(seed, "detector-conformance");
        var x = new double[Length];
        for (int i = 0; i < x.Length; i++) x[i] = 10 + rng.NextNormal();
        return x;
    }

    private static double Max(double[] s, int from, int to) => s.AsSpan(from, to - from).ToArray().Max();

    [Theory, MemberData(nameof(Detectors))]
    public void Default_warm_up_leaves_room_for_the_planted_anomalies(string name) =>
        Assert.True(Warmup(name) <= 195, $"{name}: a warm-up of {Warmup(name)} points is too long for the conformance series.");

    [Theory, MemberData(nameof(Detectors))]
    public void Scores_have_the_input_length_and_are_finite(string name)
    {
        foreach (int n in new[] { Length, 1 })
        {
            var s = MethodCatalog.CreateDetector(name).Score(Noise(1).AsSpan(0, n));
            Assert.Equal(n, s.Length);
            Assert.All(s, v => Assert.True(double.IsFinite(v), $"{name} gave a non-finite score {v}."));
        }
        Assert.Empty(MethodCatalog.CreateDetector(name).Score([]));
    }

    /// <summary>
    /// For a detector with coarse scores (<see cref="ICoarseScore"/>: 0/1 decisions, ranks), a tie at the top is no failure: the
    /// planted region must reach the series' top score and at most 5 % of the normal stretch may reach it. False for others.
    /// </summary>
    private static bool CoarseTopIsRare(string name, double[] s, double planted, int from, int to)
    {
        if (MethodCatalog.CreateDetector(name) is not ICoarseScore) return false;
        Assert.True(planted >= s.Max(), $"{name}: the planted region's max {planted} is below the series' top score {s.Max()}.");
        int atTop = s.AsSpan(from, to - from).ToArray().Count(v => v >= planted);
        Assert.True(atTop <= 0.05 * (to - from), $"{name}: {atTop} of {to - from} normal points reach the planted anomaly's score {planted}.");
        return true;
    }

    [Theory, MemberData(nameof(PointDetectors))]
    public void A_planted_spike_gets_the_highest_score(string name)
    {
        var x = Noise(2);
        x[300] += 8;
        var s = MethodCatalog.CreateDetector(name).Score(x);
        double planted = Max(s, 300, 303), before = Max(s, Warmup(name), 300);
        if (CoarseTopIsRare(name, s, planted, Warmup(name), 300)) return;
        Assert.True(planted > before, $"{name}: spike region max {planted} is not above the normal stretch's max {before}.");
    }

    /// <summary>For change-point detectors, the spike's counterpart: a transient +5σ shift of 10 points (two change points).</summary>
    [Theory, MemberData(nameof(ChangePointDetectors))]
    public void A_planted_transient_shift_gets_the_highest_score(string name)
    {
        var x = Noise(2);
        for (int i = 300; i < 310; i++) x[i] += 5;
        var s = MethodCatalog.CreateDetector(name).Score(x);
        double planted = Max(s, 298, 312), before = Max(s, Warmup(name), 298);
        Assert.True(planted > before, $"{name}: transient-shift region max {planted} is not above the normal stretch's max {before}.");
    }

    [Theory, MemberData(nameof(Detectors))]
    public void A_planted_level_shift_gets_the_highest_score(string name)
    {
        var x = Noise(3);
        for (int i = 250; i < x.Length; i++) x[i] += 5;
        var s = MethodCatalog.CreateDetector(name).Score(x);
        // A batch detector sees both sides of the edge and may mark it a few points early: the region starts 5 points before.
        double planted = Max(s, 245, 270), before = Max(s, Warmup(name), 245);
        if (CoarseTopIsRare(name, s, planted, Warmup(name), 245)) return;
        Assert.True(planted > before, $"{name}: level-shift region max {planted} is not above the normal stretch's max {before}.");
    }

    [Theory, MemberData(nameof(Detectors))]
    public void Same_input_gives_the_same_scores_and_the_input_is_not_mutated(string name)
    {
        var x = Noise(4);
        x[200] += 6;
        var copy = x.ToArray();
        var a = MethodCatalog.CreateDetector(name).Score(x);
        var b = MethodCatalog.CreateDetector(name).Score(x);
        Assert.Equal(copy, x);
        Assert.Equal(a.Select(BitConverter.DoubleToInt64Bits), b.Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory, MemberData(nameof(Detectors))]
    public void NaN_constant_and_short_input_give_a_defined_result(string name)
    {
        var det = MethodCatalog.CreateDetector(name);
        var withNaN = Noise(5);
        for (int i = 120; i < 140; i++) withNaN[i] = double.NaN;
        var s = det.Score(withNaN);
        Assert.Equal(withNaN.Length, s.Length);
        Assert.All(s, v => Assert.True(double.IsFinite(v), $"{name} gave {v} on a series with NaN."));
        for (int i = 120; i < 140; i++) Assert.Equal(0, s[i]);

        var constant = Enumerable.Repeat(3.0, 300).ToArray();
        var c = det.Score(constant);
        Assert.All(c, v => Assert.True(double.IsFinite(v), $"{name} gave {v} on a constant series."));
        // A constant series has nothing anomalous: no point may alarm at the detector's own threshold.
        if (det is IAlarmThreshold t)
            Assert.True(c.Max() <= t.AlarmThreshold, $"{name} alarms on a constant series (max score {c.Max()} > {t.AlarmThreshold}).");

        foreach (int n in new[] { 2, 3, 5 })
        {
            var shortS = det.Score(Noise(6).AsSpan(0, n));
            Assert.Equal(n, shortS.Length);
            Assert.All(shortS, v => Assert.True(double.IsFinite(v)));
        }
        var allNaN = det.Score(Enumerable.Repeat(double.NaN, 50).ToArray());
        Assert.All(allNaN, v => Assert.Equal(0, v));
    }

    [Theory, MemberData(nameof(Detectors))]
    public void A_bad_option_is_rejected_by_name(string name)
    {
        var e = Assert.ThrowsAny<Exception>(() => MethodCatalog.CreateDetector(name + "(no-such-option=1)"));
        Assert.Contains("no-such-option", e.Message);
    }
}
