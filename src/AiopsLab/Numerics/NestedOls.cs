namespace AiopsLab.Numerics;

/// <summary>
/// The least-squares fits (with an intercept) of each column on all the columns before it, as DirectLiNGAM's step 3
/// regresses each variable on its predecessors in the causal order. One Gram matrix and one Cholesky factor serve every
/// fit: the Gram matrix of the first k columns is a leading block of the whole one, and so is its factor (the
/// factorisation of <see cref="Ols"/> treats column j using columns 0..j only). Every fit is therefore bit for bit the
/// one <see cref="Ols.Fit(IReadOnlyList{double[]}, double[], bool)"/> returns for the same columns, at O(k²) a fit
/// instead of O(k²·n + k³) (Golub &amp; Van Loan, <i>Matrix Computations</i>, 4th ed., §4.2: a leading principal
/// submatrix's Cholesky factor is the leading block of the factor).
/// </summary>
public sealed class NestedOls
{
    private readonly ReadOnlyMemory<double>[] _x;
    private readonly double[] _mean, _scale, _cross, _factor;
    private readonly bool[] _used;
    private readonly int _p;

    /// <summary>Prepares the fits of every column of <paramref name="columns"/> (equal lengths, at least one row) on the ones before it.</summary>
    public NestedOls(IReadOnlyList<double[]> columns)
    {
        _p = columns.Count;
        int p = _p;
        _x = columns.Select(c => (ReadOnlyMemory<double>)c).ToArray();
        _mean = new double[p];
        _scale = new double[p];
        for (int j = 0; j < p; j++) (_mean[j], _scale[j]) = Ols.Moments(columns[j], intercept: true);
        _cross = new double[p * p];
        _factor = new double[p * p];
        for (int j = 0; j < p; j++)
            for (int k = 0; k <= j; k++)
            {
                double s = Ols.Cross(columns[j], _mean[j], columns[k], _mean[k]);
                _cross[j * p + k] = _cross[k * p + j] = s;
                if (_scale[j] != 0 && _scale[k] != 0) _factor[j * p + k] = _factor[k * p + j] = s / (_scale[j] * _scale[k]);
            }
        _used = new bool[p];
        Ols.Factor(_factor, p, _scale, _used);
    }

    /// <summary>Σ(xⱼ − x̄ⱼ)(xₖ − x̄ₖ), the centred cross product of columns j and k.</summary>
    public double CentredCross(int j, int k) => _cross[j * _p + k];

    /// <summary>The least-squares fit of column k on columns 0..k−1, identical to <c>Ols.Fit(columns[..k], columns[k])</c>.</summary>
    public OlsFit Fit(int k)
    {
        if (k < 0 || k >= _p) throw new ArgumentOutOfRangeException(nameof(k));
        var b = new double[k];
        for (int j = 0; j < k; j++)
            if (_scale[j] != 0) b[j] = _cross[k * _p + j] / _scale[j];
        var beta = Ols.Solve(_factor, _p, _used, b, k);
        return Ols.Finish(_x[..k], _x[k].Span, intercept: true, _mean[k], _mean, _scale, _used, beta);
    }
}
