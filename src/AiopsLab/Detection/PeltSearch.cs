using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AiopsLab.Detection;

/// <summary>
/// The recursion of <see cref="Pelt.ChangePoints"/> (Killick et al. 2012, Algorithm 2, with the functional pruning
/// described there), laid out for speed: the live candidates are kept as parallel arrays (τ, F(τ), the two prefix sums at
/// τ, the interval of means) so that both inner loops stream through memory four candidates per SIMD operation, and all
/// scratch space is rented from <see cref="ArrayPool{T}"/>. Every candidate's numbers are computed with the same IEEE
/// operations in the same order as one candidate at a time (additions, products, quotients and square roots are
/// correctly rounded in each lane), and the minimum is the earliest candidate of least cost, so the change points are
/// bit for bit those of the scalar loop (tests: <c>MetricSifterIdentityTests</c>, against a frozen copy of that loop and
/// against unpruned optimal partitioning).
/// </summary>
internal static class PeltSearch
{
    private const int W = 4; // doubles per Vector256
    /// <summary>
    /// The functional pruning runs against every <c>PruneEvery</c>-th new candidate only. Each candidate then keeps the
    /// intersection of fewer intervals, so the live set is a superset of the one pruned at every step and a subset of all
    /// admissible τ; both contain the earliest τ of least cost at every t, so the minimum, F(t) and the change points are
    /// unchanged, while the costly test (three quotients and a square root per candidate) runs an eighth as often.
    /// </summary>
    private const int PruneEvery = 8;

    public static int[] Run(ReadOnlySpan<double> y, double penalty, int minSize, CancellationToken ct)
    {
        int n = y.Length;
        double mean = 0;
        for (int i = 0; i < n; i++) mean += y[i];
        mean /= n;
        var pool = ArrayPool<double>.Shared;
        int cap = n + 1;
        double[] s1 = pool.Rent(cap), s2 = pool.Rent(cap), f = pool.Rent(cap);
        double[] cTau = pool.Rent(cap), cF = pool.Rent(cap), cS1 = pool.Rent(cap), cS2 = pool.Rent(cap);
        double[] cLo = pool.Rent(cap), cHi = pool.Rent(cap);
        int[] last = ArrayPool<int>.Shared.Rent(cap), dead = ArrayPool<int>.Shared.Rent(cap);
        try
        {
            // Prefix sums of the series less its mean (see Pelt.ChangePoints).
            double maxAbs = 0;
            s1[0] = 0; s2[0] = 0;
            for (int i = 0; i < n; i++)
            {
                double v = y[i] - mean;
                s1[i + 1] = s1[i] + v; s2[i + 1] = s2[i] + v * v;
                maxAbs = Math.Max(maxAbs, Math.Abs(v));
            }
            double margin = 1e-10 * (s2[n] + n * penalty);
            double widen = 1e-9 * maxAbs;
            f[0] = -penalty;
            int count = 1;
            cTau[0] = 0; cF[0] = f[0]; cS1[0] = 0; cS2[0] = 0;
            cLo[0] = double.NegativeInfinity; cHi[0] = double.PositiveInfinity;
            var c = new Candidates(cTau, cF, cS1, cS2, cLo, cHi);
            for (int t = minSize; t <= n; t++)
            {
                if ((t & 255) == 0) ct.ThrowIfCancellationRequested();
                int s = t - minSize; // usable from this t on
                if (s >= minSize)
                {
                    if (s % PruneEvery == 0)
                    {
                        int nDead = Prune(c, count, s, f[s], s1[s], s2[s], margin, widen, dead);
                        count = c.Compact(count, dead.AsSpan(0, nDead));
                    }
                    cTau[count] = s; cF[count] = f[s]; cS1[count] = s1[s]; cS2[count] = s2[s];
                    cLo[count] = double.NegativeInfinity; cHi[count] = double.PositiveInfinity;
                    count++;
                }
                var (arg, least) = ArgMin(c, count, t, s1[t], s2[t], penalty);
                f[t] = least; last[t] = (int)cTau[arg];
            }
            var cps = new List<int>();
            for (int t = last[n]; t > 0; t = last[t]) cps.Add(t);
            cps.Reverse();
            return cps.ToArray();
        }
        finally
        {
            pool.Return(s1); pool.Return(s2); pool.Return(f); pool.Return(cTau); pool.Return(cF);
            pool.Return(cS1); pool.Return(cS2); pool.Return(cLo); pool.Return(cHi);
            ArrayPool<int>.Shared.Return(last);
            ArrayPool<int>.Shared.Return(dead);
        }
    }

    /// <summary>The live candidates τ (ascending) as parallel arrays.</summary>
    private readonly record struct Candidates(double[] Tau, double[] F, double[] S1, double[] S2, double[] Lo, double[] Hi)
    {
        /// <summary>Removes the candidates at the ascending indices <paramref name="dead"/>, keeping the order; the new count.</summary>
        public int Compact(int count, ReadOnlySpan<int> dead)
        {
            if (dead.Length == 0) return count;
            Remove(Tau, count, dead); Remove(F, count, dead); Remove(S1, count, dead);
            Remove(S2, count, dead); Remove(Lo, count, dead); Remove(Hi, count, dead);
            return count - dead.Length;
        }

        private static void Remove(double[] a, int count, ReadOnlySpan<int> dead)
        {
            int to = dead[0];
            for (int j = 0; j < dead.Length; j++)
            {
                int from = dead[j] + 1, end = j + 1 < dead.Length ? dead[j + 1] : count;
                a.AsSpan(from, end - from).CopyTo(a.AsSpan(to));
                to += end - from;
            }
        }
    }

    /// <summary>
    /// Functional pruning against the new candidate s: narrows every candidate's interval of means in place and returns
    /// how many must go, their indices in <paramref name="dead"/> (see <see cref="Pelt"/>'s remarks for the test).
    /// </summary>
    private static int Prune(Candidates c, int count, int s, double fs, double s1s, double s2s, double margin, double widen, int[] dead)
    {
        int nDead = 0, k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vs = Vector256.Create((double)s); var vfs = Vector256.Create(fs);
            var v1 = Vector256.Create(s1s); var v2 = Vector256.Create(s2s);
            var vMargin = Vector256.Create(margin); var vWiden = Vector256.Create(widen); var vEps = Vector256.Create(1e-9);
            for (; k + W <= count; k += W)
            {
                var len = vs - Load(c.Tau, k);
                var sum = v1 - Load(c.S1, k);
                var cost = (v2 - Load(c.S2, k)) - sum * sum / len;
                var d = ((vfs - Load(c.F, k)) - cost) + vMargin;
                var r = Vector256.Sqrt(d / len);
                var m = sum / len;
                var w = vWiden + vEps * r;
                var l = Vector256.Max(Load(c.Lo, k), (m - r) - w);
                var h = Vector256.Min(Load(c.Hi, k), (m + r) + w);
                l.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(c.Lo), (nuint)k);
                h.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(c.Hi), (nuint)k);
                uint bad = (Vector256.LessThan(d, Vector256<double>.Zero) | Vector256.GreaterThan(l, h)).ExtractMostSignificantBits();
                for (; bad != 0; bad &= bad - 1) dead[nDead++] = k + System.Numerics.BitOperations.TrailingZeroCount(bad);
            }
        }
        for (; k < count; k++)
        {
            double len = s - c.Tau[k];
            double sum = s1s - c.S1[k];
            double cost = s2s - c.S2[k] - sum * sum / len;
            double d = fs - c.F[k] - cost + margin;
            if (d < 0) { dead[nDead++] = k; continue; }
            double r = Math.Sqrt(d / len), m = sum / len, w = widen + 1e-9 * r;
            double l = Math.Max(c.Lo[k], m - r - w), h = Math.Min(c.Hi[k], m + r + w);
            c.Lo[k] = l; c.Hi[k] = h;
            if (l > h) dead[nDead++] = k;
        }
        return nDead;
    }

    /// <summary>The earliest candidate of least F(τ) + C(y_{τ..t−1}) + β, and that cost.</summary>
    private static (int Arg, double Cost) ArgMin(Candidates c, int count, int t, double s1t, double s2t, double penalty)
    {
        int k = 0, arg = -1;
        double best = double.PositiveInfinity;
        if (Vector256.IsHardwareAccelerated && count >= W)
        {
            var vt = Vector256.Create((double)t); var v1 = Vector256.Create(s1t); var v2 = Vector256.Create(s2t);
            var vPen = Vector256.Create(penalty);
            var vBest = Vector256.Create(double.PositiveInfinity);
            var vArg = Vector256<double>.Zero;
            var vIdx = Vector256.Create(0.0, 1, 2, 3);
            var vStep = Vector256.Create((double)W);
            for (; k + W <= count; k += W, vIdx += vStep)
            {
                var sum = v1 - Load(c.S1, k);
                var seg = (v2 - Load(c.S2, k)) - sum * sum / (vt - Load(c.Tau, k));
                seg = Vector256.ConditionalSelect(Vector256.GreaterThan(seg, Vector256<double>.Zero), seg, Vector256<double>.Zero);
                var v = (Load(c.F, k) + seg) + vPen;
                var less = Vector256.LessThan(v, vBest); // strict: each lane keeps its earliest least
                vBest = Vector256.ConditionalSelect(less, v, vBest);
                vArg = Vector256.ConditionalSelect(less, vIdx, vArg);
            }
            for (int i = 0; i < W; i++)
            {
                double v = vBest[i];
                int at = (int)vArg[i];
                if (v < best || (v == best && at < arg)) { best = v; arg = at; }
            }
        }
        for (; k < count; k++) // later than every lane: a tie keeps the earlier
        {
            double sum = s1t - c.S1[k];
            double seg = s2t - c.S2[k] - sum * sum / (t - c.Tau[k]);
            double v = c.F[k] + (seg > 0 ? seg : 0) + penalty;
            if (v < best) { best = v; arg = k; }
        }
        if (arg < 0) throw new InvalidOperationException("pelt: no finite segmentation cost.");
        return (arg, best);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Load(double[] a, int k) =>
        Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(a), (nuint)k);
}
