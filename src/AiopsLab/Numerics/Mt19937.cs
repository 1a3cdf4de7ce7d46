namespace AiopsLab.Numerics;

/// <summary>
/// The Mersenne Twister MT19937 (Matsumoto &amp; Nishimura, ACM TOMACS 8(1), 1998) with the draws of numpy's legacy
/// <c>RandomState</c>: integer seeding by <c>init_genrand</c>, doubles from two 32-bit words (27 + 26 bits, 53-bit resolution),
/// and normals by Marsaglia's polar method, caching the second of each pair. Used where a published reference output was
/// generated from a fixed numpy seed (NAB's EXPoSE: scikit-learn's RBFSampler with <c>random_state=290</c>), so that the
/// same random numbers, hence the same scores, come out. Checked against numpy's published draws for seed 0.
/// </summary>
public sealed class Mt19937 : IUniformSource
{
    private const int N = 624, M = 397;
    private readonly uint[] _mt = new uint[N];
    private int _i;
    private double? _gauss;

    /// <summary>numpy's <c>RandomState(seed)</c> for an integer seed.</summary>
    public Mt19937(uint seed)
    {
        _mt[0] = seed;
        for (int i = 1; i < N; i++) _mt[i] = 1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i;
        _i = N;
    }

    /// <summary>The next 32-bit output.</summary>
    public uint NextUInt32()
    {
        if (_i >= N)
        {
            for (int k = 0; k < N; k++)
            {
                uint y = (_mt[k] & 0x80000000u) | (_mt[(k + 1) % N] & 0x7fffffffu);
                _mt[k] = _mt[(k + M) % N] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
            }
            _i = 0;
        }
        uint x = _mt[_i++];
        x ^= x >> 11;
        x ^= (x << 7) & 0x9d2c5680u;
        x ^= (x << 15) & 0xefc60000u;
        x ^= x >> 18;
        return x;
    }

    /// <summary>A double in [0, 1) with 53 random bits (numpy's <c>random_sample</c>).</summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /// <summary>A standard normal draw (numpy's legacy <c>standard_normal</c>, polar method).</summary>
    public double NextGaussian()
    {
        if (_gauss is { } g) { _gauss = null; return g; }
        var (x1, x2, f) = PolarMethod.Draw(this);   // numpy returns the second of the pair first
        _gauss = f * x1;
        return f * x2;
    }
}
