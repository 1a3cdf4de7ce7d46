namespace AiopsLab.Detection;

/// <summary>
/// A detector with a default alarm rule: a point alarms when its score is strictly above <see cref="AlarmThreshold"/>.
/// The value comes from the detector's paper or from its own options (for example n-sigma's n, SPOT's risk q); the
/// case-level evaluation (<c>aiopslab detect</c>) uses it unless <c>--threshold</c> overrides it. Detectors without a
/// principled default do not implement this interface, and then a threshold must be given.
/// </summary>
public interface IAlarmThreshold
{
    double AlarmThreshold { get; }
}

/// <summary>
/// A detector that scores its first <see cref="Warmup"/> points 0 because it cannot judge them yet (a model being trained, a
/// reference sample or a martingale window being filled). Scores after the warm-up are comparable with each other; the warm-up's
/// zeros are not scores.
/// </summary>
public interface IWarmup
{
    int Warmup { get; }
}

/// <summary>
/// A detector whose warm-up (the points it learns from before it scores) can be set to a given length — for NAB, the probationary
/// period of each series (min(⌊0.15·n⌋, 750) points), which NAB never scores and hands to every detector as training data.
/// </summary>
public interface IConfigurableWarmup
{
    /// <summary>The same detector with its warm-up (calibration, reference window or history) set to <paramref name="points"/>.</summary>
    IAnomalyDetector WithWarmup(int points);
}

/// <summary>
/// A detector whose native score has a bounded form in [0, 1] given by its paper (a tail probability's complement, a bounded
/// transform of a test statistic, a martingale's Ville bound): the graded score NAB's threshold optimiser expects. The map is
/// non-decreasing, so the alarm rule (<see cref="IAlarmThreshold"/>) stays on the native score and is unchanged.
/// </summary>
public interface IGradedScore
{
    /// <summary>The graded score in [0, 1] of a native score (0 for a warm-up point's 0).</summary>
    double Grade(double score);
}

/// <summary>
/// The bounded forms of native scores that <see cref="IGradedScore"/> implementations share. Both are u ↦ u/(1 + u) of a
/// non-negative statistic: 1 − p itself would be the natural grade of a probability p, but in double precision it rounds to
/// exactly 1 for every p &lt; 1.1·10⁻¹⁶, merging distinct extremes into one tie, and NAB's optimiser then loses thresholds
/// (measured in docs/detection.md); u/(1 + u) keeps the same order as 1 − p and stays distinct up to u ≈ 10¹⁵.
/// </summary>
internal static class Grades
{
    /// <summary>s/(1 + s) for the surprise s = −log₁₀ p of a probability p (or log₁₀ of a martingale value); 0 for s ≤ 0.
    /// Non-decreasing in s, so ordered as 1 − p; ½ at p = 0.1, 0.75 at p = 10⁻³.</summary>
    public static double FromNegLog10(double s) => s > 0 ? s / (1 + s) : 0;

    /// <summary>|z|/(1 + |z|) for a z statistic: ½ at one σ, 0.75 at three σ; ordered as the two-sided confidence 1 − 2Q(|z|).</summary>
    public static double FromZ(double z) => double.IsNaN(z) ? 0 : Math.Abs(z) / (1 + Math.Abs(z));
}

/// <summary>Guards shared by detector constructors, so every detector rejects a bad option with the same kind of message.</summary>
internal static class DetectorOptions
{
    public static void Require(bool ok, string detector, string option, string rule)
    {
        if (!ok) throw new ArgumentException($"{detector}: {option} {rule}.");
    }

    /// <summary>The smallest scale a standardised score divides by: a constant history gives a finite (large) score to any departure.</summary>
    public static double ScaleFloor(double scale, double location) => Math.Max(scale, 1e-9 * Math.Max(1.0, Math.Abs(location)));
}
