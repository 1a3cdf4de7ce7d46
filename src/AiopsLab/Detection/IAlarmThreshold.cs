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
