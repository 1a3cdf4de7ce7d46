namespace AiopsLab.Numerics;

/// <summary>
/// The Cholesky factor L (G = L·Lᵀ, positive diagonal) of a symmetric positive definite matrix G that grows by one
/// row and column at a time and loses any row and column: appending solves one triangular system (O(m²)); deleting
/// row and column r removes row r of L and restores the triangle with Givens rotations on columns r…m−1 (O(m²)).
/// Golub &amp; Van Loan, <i>Matrix Computations</i> (4th ed.), §4.2 (Cholesky), §5.1.8 (Givens rotations) and §6.5
/// (updating factorisations). Used by <see cref="LassoLars.Path(double[,], double[], double)"/>, where the active set
/// changes by one column per step.
/// </summary>
internal sealed class UpdatableCholesky
{
    private readonly double[] _l; // row-major, row i holds L[i, 0..i] (row r may briefly hold L[r, r+1] during Delete)
    private readonly int _capacity;

    /// <summary>An empty factor for matrices of order up to <paramref name="capacity"/>.</summary>
    public UpdatableCholesky(int capacity)
    {
        _capacity = capacity;
        _l = new double[Math.Max(1, capacity * capacity)];
    }

    /// <summary>The current order m.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Appends a row and column: <paramref name="offDiagonal"/>[0..m) are its entries against the current rows, and
    /// <paramref name="diagonal"/> its diagonal entry. Returns false, leaving the factor unchanged, when the pivot
    /// G_new,new − ‖l‖² is not positive (the matrix would not be positive definite).
    /// </summary>
    public bool Append(ReadOnlySpan<double> offDiagonal, double diagonal)
    {
        int m = Count;
        var row = _l.AsSpan(m * _capacity, m + 1);
        double d = 0;
        for (int a = 0; a < m; a++)
        {
            double v = offDiagonal[a];
            int ra = a * _capacity;
            for (int b = 0; b < a; b++) v -= row[b] * _l[ra + b];
            v /= _l[ra + a];
            row[a] = v;
            d += v * v;
        }
        d = diagonal - d;
        if (!(d > 0)) return false;
        row[m] = Math.Sqrt(d);
        Count = m + 1;
        return true;
    }

    /// <summary>Drops the last row and column.</summary>
    public void RemoveLast() => Count--;

    /// <summary>Deletes row and column <paramref name="r"/>, keeping the order of the others.</summary>
    public void Delete(int r)
    {
        int m = Count;
        // Remove row r: rows r+1..m−1 move up one; each then has one entry right of its diagonal.
        for (int i = r; i < m - 1; i++)
            Array.Copy(_l, (i + 1) * _capacity, _l, i * _capacity, i + 2);
        for (int i = r; i < m - 1; i++)
        {
            int ri = i * _capacity;
            double x = _l[ri + i], y = _l[ri + i + 1];
            double h = Math.Sqrt(x * x + y * y);
            double cs = x / h, sn = y / h;
            _l[ri + i] = h;
            _l[ri + i + 1] = 0;
            for (int t = i + 1; t < m - 1; t++)
            {
                int rt = t * _capacity;
                double u = _l[rt + i], v = _l[rt + i + 1];
                _l[rt + i] = cs * u + sn * v;
                _l[rt + i + 1] = -sn * u + cs * v;
            }
        }
        Count = m - 1;
    }

    /// <summary>ln det G = 2·Σ ln Lᵢᵢ (doubling is exact, so this equals Σ 2·ln Lᵢᵢ bit for bit).</summary>
    public double LogDeterminant() => Cholesky.LogDeterminant(_l, Count, _capacity);

    /// <summary>Solves G·x = b (first m entries of each span) by forward and back substitution.</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        int m = Count;
        for (int i = 0; i < m; i++)
        {
            double v = b[i];
            int ri = i * _capacity;
            for (int k = 0; k < i; k++) v -= _l[ri + k] * x[k];
            x[i] = v / _l[ri + i];
        }
        for (int i = m - 1; i >= 0; i--)
        {
            double v = x[i];
            for (int k = i + 1; k < m; k++) v -= _l[k * _capacity + i] * x[k];
            x[i] = v / _l[i * _capacity + i];
        }
    }
}
