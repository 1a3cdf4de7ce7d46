using AiopsLab.Numerics;

namespace AiopsLab.Reporting;

/// <summary>
/// Seeded percentile bootstrap of a statistic over cases (Efron &amp; Tibshirani, An Introduction to the Bootstrap, 1993,
/// §13.3): resample the N units with replacement B times, compute the statistic on each resample, and take the α/2 and
/// 1 − α/2 quantiles (linear interpolation between order statistics, numpy's default). The resampling indices come from
/// <see cref="Rng"/> seeded by the caller, so the same seed gives the same interval on every machine; passing the same
/// seed for every method of a block resamples the same cases for each (a paired bootstrap).
/// </summary>
public static class Bootstrap
{
    /// <summary>(lo, hi) of the percentile interval of <paramref name="statistic"/> over units 0..n−1.</summary>
    /// <param name="n">Number of units (cases).</param>
    /// <param name="statistic">Computes the statistic from a resample given as unit indices (with repeats).</param>
    /// <param name="seed">Seed of the resampling stream.</param>
    /// <param name="resamples">Number of bootstrap resamples B.</param>
    /// <param name="level">Coverage of the interval, e.g. 0.95.</param>
    public static (double Lo, double Hi) Interval(int n, Func<int[], double> statistic, ulong seed, int resamples = 1000, double level = 0.95)
    {
        if (n <= 0) return (double.NaN, double.NaN);
        var rng = new Rng(seed);
        var stats = new double[resamples];
        var idx = new int[n];
        for (int b = 0; b < resamples; b++)
        {
            for (int i = 0; i < n; i++) idx[i] = rng.NextInt(n);
            stats[b] = statistic(idx);
        }
        Array.Sort(stats);
        double a = (1 - level) / 2;
        return (Stats.QuantileSorted(stats, a), Stats.QuantileSorted(stats, 1 - a));
    }
}
