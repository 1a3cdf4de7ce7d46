namespace AiopsLab.Numerics;

/// <summary>
/// Seeded pseudo-random source: xoshiro256** (Blackman &amp; Vigna, "Scrambled linear pseudorandom number generators",
/// ACM TOMS 2021), state filled by SplitMix64 from the seed. Written out here, not taken from <see cref="System.Random"/>,
/// so that a seed gives the same stream on every .NET version and machine. Nothing in AiopsLab reads the clock or
/// <c>Random.Shared</c>; every random choice comes from one of these, seeded per (experiment seed, case, method).
/// </summary>
public sealed class Rng : IUniformSource
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareNormal;

    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x); _s1 = SplitMix64(ref x); _s2 = SplitMix64(ref x); _s3 = SplitMix64(ref x);
    }

    /// <summary>SplitMix64 step (Steele, Lea &amp; Flood, OOPSLA 2014).</summary>
    public static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = RotL(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>Uniform in [0, 1), 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, n), unbiased (Lemire's multiply-shift with rejection).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        ulong bound = (ulong)n;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            UInt128 m = (UInt128)r * bound;
            if ((ulong)m >= threshold) return (int)(m >> 64);
        }
    }

    /// <summary>Uniform integer in [lo, hi).</summary>
    public int NextInt(int lo, int hi) => lo + NextInt(hi - lo);

    /// <summary>Standard normal deviate (Marsaglia polar method).</summary>
    public double NextNormal()
    {
        if (_spareNormal is { } s) { _spareNormal = null; return s; }
        var (u, v, f) = PolarMethod.Draw(this);
        _spareNormal = v * f;
        return u * f;
    }

    public double NextNormal(double mean, double sd) => mean + sd * NextNormal();

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>An independent child stream, derived from this one's seed material and a label.</summary>
    public static Rng For(ulong seed, params string[] labels) => new(StableHash.Combine(seed, labels));
}

/// <summary>Stable, platform-independent 64-bit hashing (FNV-1a over UTF-8, finalised by SplitMix64). Not for security.</summary>
public static class StableHash
{
    public static ulong Of(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(s))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return Rng.SplitMix64(ref h);
    }

    /// <summary>Mixes a seed with labels, order-sensitive.</summary>
    public static ulong Combine(ulong seed, params string[] labels)
    {
        ulong h = seed;
        foreach (var l in labels)
        {
            ulong x = h ^ Of(l);
            h = Rng.SplitMix64(ref x);
        }
        return h;
    }

    /// <summary>Lower-case hex of <see cref="Of"/>.</summary>
    public static string Hex(string s) => Of(s).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A source of uniform doubles in [0, 1).</summary>
public interface IUniformSource
{
    double NextDouble();
}

/// <summary>Marsaglia's polar method (Marsaglia &amp; Bray, SIAM Review 6, 1964), shared by the generators.</summary>
internal static class PolarMethod
{
    /// <summary>A point (u, v) uniform on the unit disc (origin excluded) and f = √(−2 ln q / q), q = u² + v²: u·f and v·f
    /// are two independent standard normals.</summary>
    public static (double U, double V, double F) Draw<T>(T source) where T : IUniformSource
    {
        double u, v, q;
        do
        {
            u = 2 * source.NextDouble() - 1;
            v = 2 * source.NextDouble() - 1;
            q = u * u + v * v;
        } while (q >= 1 || q == 0);
        return (u, v, Math.Sqrt(-2 * Math.Log(q) / q));
    }
}
