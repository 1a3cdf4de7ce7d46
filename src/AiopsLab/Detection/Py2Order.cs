namespace AiopsLab.Detection;

/// <summary>
/// The two Python 2.7 behaviours that NAB's published contextOSE outputs depend on, reproduced so our scores equal the
/// published ones: the hash of a tuple of ints (<c>Objects/tupleobject.c</c>, 64-bit <c>long</c>, an int hashing to itself)
/// and the iteration order of a dict with int keys (<c>Objects/dictobject.c</c>: open addressing from slot <c>hash &amp; mask</c>,
/// probe <c>i = 5i + perturb + 1</c>, <c>perturb &gt;&gt;= 5</c>; the table grows to the smallest power of two above 4·used once
/// 3·fill ≥ 2·size, re-inserting in slot order). No entry is ever deleted here.
/// </summary>
internal static class Py2
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static long TupleHash(ReadOnlySpan<long> items)
    {
        unchecked
        {
            long x = 0x345678L, mult = 1000003L;
            int len = items.Length;
            foreach (var it in items)
            {
                long y = it == -1 ? -2 : it;
                x = (x ^ y) * mult;
                --len;
                mult += 82520L + len + len;
            }
            x += 97531L;
            return x == -1 ? -2 : x;
        }
    }
}

/// <summary>A Python 2.7 dict from non-negative int keys to int values, iterated in CPython 2.7's slot order.</summary>
internal sealed class Py2IntDict
{
    private int[] _keys = Fill(8), _values = new int[8];
    private int _used;
    private (int Key, int Value)[]? _items;   // the pairs in iteration order, made when first asked after a change

    private static int[] Fill(int n) { var a = new int[n]; Array.Fill(a, -1); return a; }

    public int Count => _used;

    private int Slot(int[] keys, int key)
    {
        ulong mask = (ulong)keys.Length - 1, i = (ulong)key & mask, perturb = (ulong)key;
        while (keys[(int)(i & mask)] != -1 && keys[(int)(i & mask)] != key)
        {
            i = (i << 2) + i + perturb + 1;
            perturb >>= 5;
        }
        return (int)(i & mask);
    }

    /// <summary>Python's setdefault: the value under <paramref name="key"/>, inserting <paramref name="value"/> when absent.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int SetDefault(int key, int value)
    {
        int s = Slot(_keys, key);
        if (_keys[s] == key) return _values[s];
        _keys[s] = key; _values[s] = value; _used++;
        _items = null;
        if (_used * 3 >= _keys.Length * 2) Resize();
        return value;
    }

    private void Resize()
    {
        int size = 8, min = 4 * _used;
        while (size <= min) size <<= 1;
        int[] keys = Fill(size), values = new int[size];
        for (int j = 0; j < _keys.Length; j++)
        {
            if (_keys[j] == -1) continue;
            int s = Slot(keys, _keys[j]);
            keys[s] = _keys[j]; values[s] = _values[j];
        }
        _keys = keys; _values = values;
    }

    /// <summary>The (key, value) pairs in iteration order; valid until the next insertion.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<(int Key, int Value)> Items()
    {
        if (_items is not null) return _items;
        var items = new (int Key, int Value)[_used];
        for (int j = 0, n = 0; j < _keys.Length; j++)
            if (_keys[j] != -1) items[n++] = (_keys[j], _values[j]);
        return _items = items;
    }
}
