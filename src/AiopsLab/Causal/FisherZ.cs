using AiopsLab.Numerics;

namespace AiopsLab.Causal;

/// <summary>
/// Fisher's z test of zero partial correlation, for (approximately) multivariate-normal data (Fisher, "The distribution
/// of the partial correlation coefficient", Metron 3, 1924; Kalisch &amp; Bühlmann, JMLR 8, 2007, §2.2, eqs. 6–7):
/// z(i, j | S) = ½·ln((1 + r)/(1 − r)), with r the sample partial correlation, and
/// √(n − |S| − 3)·|z| is compared with the standard normal: p = 2·(1 − Φ(√(n − |S| − 3)·|z|)).
/// </summary>
/// <remarks>
/// The correlation matrix is computed once (<see cref="Correlation.Matrix"/>); each test then only inverts the small
/// (|S|+2)-square submatrix (<see cref="Correlation.Partial"/>), so a test costs O(|S|³) whatever the sample size.
/// r is clipped to ±(1 − 10⁻¹⁵) so that a perfect correlation gives p ≈ 0 rather than NaN. With n − |S| − 3 ≤ 0 the test
/// has no power and returns p = 1.
/// </remarks>
public sealed class FisherZ : IIndependenceTest
{
    private readonly double[,] _corr;

    /// <summary>Prepares the test on NaN-free columns of equal length.</summary>
    public FisherZ(IReadOnlyList<double[]> columns)
        : this(Correlation.Matrix(columns), columns.Count == 0 ? 0 : columns[0].Length) { }

    /// <summary>Uses a correlation matrix of <paramref name="sampleCount"/> samples.</summary>
    public FisherZ(double[,] correlation, int sampleCount)
    {
        if (correlation.GetLength(0) != correlation.GetLength(1)) throw new ArgumentException("the correlation matrix is not square.");
        _corr = correlation;
        SampleCount = sampleCount;
    }

    public int VariableCount => _corr.GetLength(0);

    public int SampleCount { get; }

    public double PValue(int i, int j, ReadOnlySpan<int> s)
    {
        double r = Correlation.Partial(_corr, i, j, s);
        return PValueOf(r, SampleCount, s.Length);
    }

    /// <summary>Two-sided p-value of partial correlation <paramref name="r"/> from <paramref name="n"/> samples given <paramref name="conditioningSize"/> variables.</summary>
    public static double PValueOf(double r, int n, int conditioningSize)
    {
        double dof = n - conditioningSize - 3;
        if (!(dof > 0) || double.IsNaN(r)) return 1;
        const double limit = 1 - 1e-15;
        r = Math.Clamp(r, -limit, limit);
        double z = 0.5 * Math.Log((1 + r) / (1 - r));
        return Distributions.NormalTwoSidedP(Math.Sqrt(dof) * z);
    }
}
