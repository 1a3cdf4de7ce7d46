using AiopsLab.Data;
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
/// has no power and returns p = 1. <see cref="FailLikeCausalLearn"/> raises <see cref="DegenerateTestException"/> instead
/// where causal-learn 0.1.3.3's <c>fisherz</c> raises (for replicating RCAEval's code, whose <c>@rca</c> wrapper then
/// returns the columns unranked).
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

    /// <summary>
    /// Throw <see cref="DegenerateTestException"/> where causal-learn 0.1.3.3's <c>fisherz</c> fails instead of returning
    /// a p-value: n − |S| − 3 &lt; 0 (<c>sqrt</c> of a negative number: "math domain error"), |r| = 1 (log of 0 or a
    /// division by zero; |r| &gt; 1 from rounding: "math domain error"), and a singular correlation submatrix ("Data
    /// correlation matrix is singular"). Singular here means that the Cholesky factorisation meets a pivot below 10⁻¹³;
    /// numpy's <c>inv</c> raises only on an exactly zero LU pivot and otherwise returns an inverse whose r is usually
    /// outside [−1, 1] (the "math domain error"), so the two agree on whether the test fails except where a nearly
    /// singular submatrix happens to give a valid r in numpy. Default false: r is clipped and p returned.
    /// </summary>
    public bool FailLikeCausalLearn { get; init; }

    public double PValue(int i, int j, ReadOnlySpan<int> s)
    {
        if (FailLikeCausalLearn)
        {
            if (SampleCount - s.Length - 3 < 0)
                throw new DegenerateTestException($"Fisher-z with {s.Length} conditioning variables needs at least {s.Length + 3} samples, has {SampleCount} (causal-learn: math domain error).");
            double rs = Correlation.Partial(_corr, i, j, s, nanIfSingular: true);
            if (double.IsNaN(rs)) throw new DegenerateTestException($"the correlation submatrix of variables {i}, {j} given {s.Length} others is singular (causal-learn: 'Data correlation matrix is singular').");
            if (Math.Abs(rs) >= 1) throw new DegenerateTestException($"variables {i} and {j} are perfectly correlated given {s.Length} others (causal-learn: math domain error).");
            return PValueOf(rs, SampleCount, s.Length);
        }
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

/// <summary>
/// A conditional-independence test that has no finite answer on this data (see <see cref="FisherZ.FailLikeCausalLearn"/>).
/// Raised only in modes that replicate reference code which fails there.
/// </summary>
public sealed class DegenerateTestException(string message) : AiopsLabException(message)
{
    /// <summary>True when <paramref name="e"/> is one, or wraps only such (a parallel depth level's AggregateException).</summary>
    public static bool Within(Exception e) => e switch
    {
        DegenerateTestException => true,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(Within),
        _ => false,
    };
}
