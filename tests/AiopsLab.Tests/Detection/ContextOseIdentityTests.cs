using AiopsLab.Detection;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>
/// contextOSE's session-6 paths (the top active contexts selected without a sort, the sensor facts crossed as bit masks,
/// crossed facts made once per semi-context and step, left semi-contexts without a zero-level context skipped when they can
/// only propose) against a frozen copy of the detector before them (<see cref="FrozenContextOse"/>, verbatim but renamed): raw
/// scores equal to the bit. NabParityPublishedDetectorsTests compares both with NAB's published outputs.
/// </summary>
public class ContextOseIdentityTests
{
    private static double[] Series(int kind, int n)
    {
        var rng = Rng.For((ulong)kind, "context-ose-identity");
        var x = new double[n];
        double walk = 0;
        for (int i = 0; i < n; i++)
        {
            walk += rng.NextDouble() - 0.5;
            x[i] = kind switch
            {
                0 => Math.Round(Math.Sin(i / 15.0) * 3 + rng.NextDouble(), 1) + (i > 2 * n / 3 ? 4 : 0),
                1 => walk + (i % 501 == 0 ? 20 : 0),
                2 => Math.Floor(8 * rng.NextDouble()) * (i % 97 < 50 ? 1 : 2),
                _ => i % 24 < 12 ? 10 + rng.NextDouble() : 2 + 0.01 * i,
            };
        }
        return x;
    }

    [Theory]
    [InlineData(0, 3, 7, 15)]
    [InlineData(1, 3, 7, 15)]
    [InlineData(2, 3, 7, 15)]
    [InlineData(3, 3, 7, 15)]
    [InlineData(1, 4, 3, 5)]
    [InlineData(2, 2, 7, 30)]
    [InlineData(0, 1, 2, 1)]
    [InlineData(3, 6, 7, 15)]
    public void Raw_scores_equal_the_frozen_detector_to_the_bit(int kind, int bits, int maxLeft, int maxActive)
    {
        var x = Series(kind, 4000);
        var expected = new FrozenContextOse(new() { ValueBits = bits, MaxLeftLength = maxLeft, MaxActiveNeurons = maxActive }).Score(x);
        var actual = new ContextOse(new() { ValueBits = bits, MaxLeftLength = maxLeft, MaxActiveNeurons = maxActive }).Score(x);
        Assert.Equal(expected.Length, actual.Length);
        Assert.Contains(expected, v => v > 0 && v < 1);
        for (int i = 0; i < x.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]),
                $"point {i}: frozen {expected[i]:R}, now {actual[i]:R}");
    }
}

/// <summary>Session 5's <c>ContextOse</c>, frozen verbatim (renamed, not registered) as the reference for <see cref="ContextOseIdentityTests"/>.</summary>
internal sealed class FrozenContextOse : NabDetectorBase<FrozenContextOse.Options>, IAlarmThreshold
{
    public sealed record Options : NabDetectorOptions
    {
        /// <summary>Raw score from which the following probation/5 points report 0 (reference: 0.75).</summary>
        public double BaseThreshold { get; set; } = 0.75;
        /// <summary>Longest left semi-context a proposed context may have (reference: 7).</summary>
        public int MaxLeftLength { get; set; } = 7;
        /// <summary>Active contexts fed back as facts (reference: 15).</summary>
        public int MaxActiveNeurons { get; set; } = 15;
        /// <summary>Bits of the quantised value (reference: 3, i.e. 8 levels).</summary>
        public int ValueBits { get; set; } = 3;
        /// <summary>Alarm threshold on the score for case-level detection.</summary>
        public double Threshold { get; set; } = 0.75;
    }

    public FrozenContextOse() : this(new Options()) { }

    public FrozenContextOse(Options options) : base(options)
    {
        DetectorOptions.Require(options.BaseThreshold is > 0 and <= 1, Name, "base-threshold", "must be in (0, 1]");
        DetectorOptions.Require(options.MaxLeftLength >= 1, Name, "max-left-length", "must be ≥ 1");
        DetectorOptions.Require(options.MaxActiveNeurons >= 1, Name, "max-active-neurons", "must be ≥ 1");
        DetectorOptions.Require(options.ValueBits is >= 1 and <= 16, Name, "value-bits", "must be in [1, 16]");
    }

    public override string Name => "context-ose";

    public double AlarmThreshold => O.Threshold;

    public override IDetectorState Start(NabSeriesSetup setup) => new State(O, setup);

    /// <summary>A semi-context: its facts (ascending: every fact list given is) and, on the left, its contexts.</summary>
    private sealed class Semi(long[] facts, bool left)
    {
        public readonly long[] Facts = facts;
        public readonly FrozenPy2IntDict? Contexts = left ? new FrozenPy2IntDict() : null;   // right semi-context id → context id
    }

    private struct Context(bool zeroLevel, long leftHash, long rightHash)
    {
        public int Uses;
        public bool ZeroLevel = zeroLevel;
        public readonly long LeftHash = leftHash, RightHash = rightHash;
    }

    /// <summary>
    /// One side's semi-contexts and the last crossing: per semi-context (by id) its length and how many of the crossed facts it
    /// holds, in flat arrays; the crossed facts of a semi-context are its facts among <see cref="Facts"/>, computed when needed.
    /// </summary>
    private sealed class Side
    {
        public readonly List<Semi> Semis = [];
        public readonly Dictionary<long, int> Ids = [];            // tuple hash → id
        public readonly Dictionary<long, List<int>> ByFact = [];   // fact → ids of the semi-contexts holding it
        public int[] Length = new int[64], Crossed = new int[64];
        public List<int> Touched = [], Spare = [];                 // ids crossed by the last facts, ascending
        public long[] Facts = [];

        public int Add(long[] facts, bool left)
        {
            int id = Semis.Count;
            Semis.Add(new Semi(facts, left));
            if (id == Length.Length) { Array.Resize(ref Length, 2 * id); Array.Resize(ref Crossed, 2 * id); }
            Length[id] = facts.Length;
            foreach (var f in facts)
            {
                if (!ByFact.TryGetValue(f, out var l)) ByFact[f] = l = [];
                l.Add(id);
            }
            return id;
        }

        /// <summary>The facts of semi-context <paramref name="id"/> that the last crossing held, ascending (both lists are).</summary>
        public long[] CrossedFacts(int id)
        {
            var mine = Semis[id].Facts;
            var r = new long[Crossed[id]];
            for (int i = 0, j = 0, n = 0; i < mine.Length && j < Facts.Length;)
            {
                if (mine[i] < Facts[j]) i++;
                else if (mine[i] > Facts[j]) j++;
                else { r[n++] = mine[i]; i++; j++; }
            }
            return r;
        }
    }

    private sealed class State(Options o, NabSeriesSetup setup) : IDetectorState
    {
        private const long NeuronBase = 1L << 31;
        private readonly double _min = setup.InputMin, _step = (setup.InputMax - setup.InputMin == 0 ? (1 << o.ValueBits) - 1.0 : setup.InputMax - setup.InputMin) / ((1 << o.ValueBits) - 1.0);
        private readonly int _rest = (int)(setup.Probation / 5.0);
        private readonly List<double> _history = [1.0];
        private readonly Side[] _sides = [new(), new()];
        private readonly List<Context> _contexts = [];
        private int _newContextId;                  // the reference's False doubles as id 0
        private long[] _left = [];
        private readonly List<(int Key, int Value)> _items = [];
        private readonly List<(int Id, int Uses, long Lh, long Rh, int Order)> _active = [];
        private readonly List<(long[] L, long[] R)> _potential = [];
        private readonly HashSet<(long[] L, long[] R)> _unique = new(PairComparer.Instance);

        public double Update(double value)
        {
            int level = (int)((value - _min) / _step);
            var sens = new List<long>();
            for (int bit = 0, v = level; bit < o.ValueBits || v > 0; bit++, v >>= 1) sens.Add(bit * 2 + (v & 1));   // ascending
            var (a, b) = Step(sens.ToArray());
            double raw = (1.0 - a + b) / 2.0;
            int from = _rest == 0 ? 0 : Math.Max(0, _history.Count - _rest);
            double max = double.NegativeInfinity;
            for (int i = from; i < _history.Count; i++) max = Math.Max(max, _history[i]);
            _history.Add(raw);
            return max < o.BaseThreshold ? raw : 0.0;
        }

        private (double, double) Step(long[] sens)
        {
            _unique.Clear();
            bool newContext = false;
            if (_left.Length > 0 && sens.Length > 0)
            {
                _unique.Add((_left, sens));
                newContext = Remember(_left, sens, zeroLevel: true) > 0;
            }
            Cross(1, sens);
            int selected = UpdateAndGetActive(newContext);
            foreach (var p in _potential) _unique.Add(p);
            double a = selected > 0 ? _active.Count / (double)selected : 0.0;

            // Stable sort by (uses, left hash, right hash); the last MaxActiveNeurons become neuron facts.
            _active.Sort((x, y) => x.Uses != y.Uses ? x.Uses.CompareTo(y.Uses) : x.Lh != y.Lh ? x.Lh.CompareTo(y.Lh) : x.Rh != y.Rh ? x.Rh.CompareTo(y.Rh) : x.Order.CompareTo(y.Order));
            var left = new SortedSet<long>(sens);
            for (int i = Math.Max(0, _active.Count - o.MaxActiveNeurons); i < _active.Count; i++) left.Add(NeuronBase + _active[i].Id);
            _left = [.. left];

            int added = _potential.Count > 0 ? Remember(_potential, zeroLevel: false) : 0;
            Cross(0, _left);
            added += newContext ? 1 : 0;
            double b = newContext && _unique.Count > 0 ? added / (double)_unique.Count : 0.0;
            return (a, b);
        }

        private int Remember(long[] left, long[] right, bool zeroLevel) { _single.Clear(); _single.Add((left, right)); return Remember(_single, zeroLevel); }
        private readonly List<(long[] L, long[] R)> _single = [];

        /// <summary>The reference's getContextByFacts: stores unseen contexts; for a zero-level one returns 1 if it was new.</summary>
        private int Remember(List<(long[] L, long[] R)> list, bool zeroLevel)
        {
            int added = 0;
            foreach (var (lf, rf) in list.ToArray())
            {
                long lh = Py2.TupleHash(lf), rh = Py2.TupleHash(rf);
                int leftSemi = SemiFor(0, lh, lf);
                int rightSemi = SemiFor(1, rh, rf);
                int next = _contexts.Count;
                int id = _sides[0].Semis[leftSemi].Contexts!.SetDefault(rightSemi, next);
                if (id == next)
                {
                    added++;
                    _contexts.Add(new Context(zeroLevel, lh, rh));
                    if (zeroLevel) { _newContextId = id; return 1; }
                }
                else if (zeroLevel) { System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_contexts)[id].ZeroLevel = true; return 0; }
            }
            return added;
        }

        /// <summary>The id of the semi-context of one side with this tuple hash, added with these facts when new.</summary>
        private int SemiFor(int side, long hash, long[] facts)
        {
            var s = _sides[side];
            if (s.Ids.TryGetValue(hash, out var id)) return id;
            return s.Ids[hash] = s.Add(facts, side == 0);
        }

        /// <summary>The reference's contextCrosser: which semi-contexts of one side the facts (ascending) cover, and by how many facts.</summary>
        private void Cross(int side, long[] facts)
        {
            var s = _sides[side];
            var crossed = s.Crossed;
            foreach (var id in s.Touched) crossed[id] = 0;
            var touched = s.Spare;
            touched.Clear();
            foreach (var f in facts)
                if (s.ByFact.TryGetValue(f, out var l))
                    foreach (var id in l)
                        if (crossed[id]++ == 0) touched.Add(id);
            // In id order: when most semi-contexts are touched (the left side, whose sensor facts nearly all share), one pass
            // over the counts in id order gives that order with no comparison sort; otherwise sort the few touched.
            int all = s.Semis.Count;
            if ((long)touched.Count * System.Numerics.BitOperations.Log2((uint)touched.Count + 1) >= all)
            {
                touched.Clear();
                for (int id = 0; id < all; id++) if (crossed[id] > 0) touched.Add(id);
            }
            else touched.Sort();
            s.Spare = s.Touched;
            s.Touched = touched;
            s.Facts = facts;
        }

        /// <summary>The reference's updateContextsAndGetActive; returns the number of selected contexts.</summary>
        private int UpdateAndGetActive(bool newContext)
        {
            _active.Clear();
            _potential.Clear();
            int selected = 0;
            Side left = _sides[0], right = _sides[1];
            var contexts = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_contexts);
            foreach (var ls in left.Touched)
            {
                int lLength = left.Length[ls], lCrossed = left.Crossed[ls];
                // A left semi-context neither fully crossed nor able to propose (no new context this step, or too long a crossed
                // part) changes nothing below: skipping its contexts leaves every count and list as it was, in the same order.
                if (lLength != lCrossed && !(newContext && lCrossed <= o.MaxLeftLength)) continue;
                left.Semis[ls].Contexts!.Items(_items);
                foreach (var (rs, id) in _items)
                {
                    if (_newContextId == id) continue;
                    ref var c = ref contexts[id];
                    int rCrossed = right.Crossed[rs];
                    if (lLength == lCrossed)
                    {
                        selected++;
                        if (rCrossed > 0)
                        {
                            if (right.Length[rs] == rCrossed)
                            {
                                c.Uses++;
                                _active.Add((id, c.Uses, c.LeftHash, c.RightHash, _active.Count));
                            }
                            else if (c.ZeroLevel && newContext && lCrossed <= o.MaxLeftLength)
                                _potential.Add((left.CrossedFacts(ls), right.CrossedFacts(rs)));
                        }
                    }
                    else if (c.ZeroLevel && newContext && rCrossed > 0 && lCrossed <= o.MaxLeftLength)
                        _potential.Add((left.CrossedFacts(ls), right.CrossedFacts(rs)));
                }
            }
            _newContextId = 0;
            return selected;
        }
    }

    /// <summary>Equality of (left facts, right facts) by content, as Python compares tuples.</summary>
    private sealed class PairComparer : IEqualityComparer<(long[] L, long[] R)>
    {
        public static readonly PairComparer Instance = new();
        public bool Equals((long[] L, long[] R) x, (long[] L, long[] R) y) => x.L.AsSpan().SequenceEqual(y.L) && x.R.AsSpan().SequenceEqual(y.R);
        public int GetHashCode((long[] L, long[] R) p) => HashCode.Combine(Py2.TupleHash(p.L), Py2.TupleHash(p.R));
    }
}

/// <summary>Session 6's <c>Py2IntDict</c>, frozen verbatim (renamed) for <see cref="FrozenContextOse"/>: a Python 2.7 dict from non-negative int keys to int values, iterated in CPython 2.7's slot order.</summary>
internal sealed class FrozenPy2IntDict
{
    private int[] _keys = Fill(8), _values = new int[8];
    private int _used;

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
    public int SetDefault(int key, int value)
    {
        int s = Slot(_keys, key);
        if (_keys[s] == key) return _values[s];
        _keys[s] = key; _values[s] = value; _used++;
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

    /// <summary>The (key, value) pairs in iteration order, into <paramref name="into"/> (cleared first).</summary>
    public void Items(List<(int Key, int Value)> into)
    {
        into.Clear();
        for (int j = 0; j < _keys.Length; j++)
            if (_keys[j] != -1) into.Add((_keys[j], _values[j]));
    }
}
