using AiopsLab.Methods;

namespace AiopsLab.Detection;

/// <summary>
/// Contextual Anomaly Detector, open-source edition (CAD OSE; M. Smirnov, 2016, github.com/smirmik/CAD), as NAB runs it
/// (<c>nab/detectors/context_ose</c>, "contextOSE"). Each value is quantised into 2^<see cref="Options.ValueBits"/> levels of
/// the series range and encoded as sensor facts {2i + bitᵢ}. A context is a pair (left facts, right facts) remembered when the
/// left facts (previous sensor facts plus the facts of the previously active contexts, "neurons" 2³¹ + id) are followed by the
/// right facts (current sensor facts). Each step: the contexts whose left part was fully present at the previous step are
/// selected; those whose right part is fully present now become active (at most <see cref="Options.MaxActiveNeurons"/>, the
/// most used, feed the next left facts); partial matches of recently created zero-level contexts propose new contexts
/// (left parts of at most <see cref="Options.MaxLeftLength"/> facts). With a = active/selected and b = really new/proposed,
/// the raw score is (1 − a + b)/2; it is reported only when no raw score of the last probation/5 steps reached
/// <see cref="Options.BaseThreshold"/>, else 0. Semi-contexts are keyed by their tuple hash and the most used neurons are
/// sorted by (uses, left hash, right hash) as in the reference; the hash and the order in which a left semi-context's contexts
/// are visited follow Python 2.7, which produced NAB's published outputs (<see cref="Py2"/>). Exact shortcuts (raw scores equal
/// to the bit, <c>ContextOseIdentityTests</c> and NAB's published outputs): only the top active contexts are selected, not all
/// sorted; sensor facts (below 64) are crossed as bit masks in one pass over the semi-contexts; a semi-context's crossed facts
/// are made once per step; a left semi-context with no zero-level context is not walked when it could only propose. The left
/// side is crossed lazily: without a new context (most steps) only fully crossed left semi-contexts matter, and those are found
/// from the semi-contexts listed under their first neuron fact, each checked once against the crossing's marks; the sensor
/// bits of every semi-context are added only on a step with a new context. A proposed context equal to one proposed earlier in
/// the step finds that context and changes nothing, so it is kept once (tuple hashes cached per step, the left crossed facts
/// copied out of a scratch array only when kept); a dict's items are listed once per change; one sensor-fact array per level.
/// </summary>
[Method("context-ose", Summary = "NAB's contextOSE (CAD OSE): share of expected contexts not confirmed plus share of new contexts.", Citation = "Smirnov, Contextual Anomaly Detector OSE (2016), NAB's contextOSE")]
public sealed class ContextOse : NabDetectorBase<ContextOse.Options>, IAlarmThreshold
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

    public ContextOse() : this(new Options()) { }

    public ContextOse(Options options) : base(options)
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
        public readonly Py2IntDict? Contexts = left ? new Py2IntDict() : null;   // right semi-context id → context id
        public int ZeroLevel;   // how many of its contexts are zero-level (left side; a context never stops being one)
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
        public readonly Dictionary<long, List<int>> ByFact = [];   // fact ≥ 64 → ids of the semi-contexts holding it
        public int[] Length = new int[64], Crossed = new int[64];
        public ulong[] Small = new ulong[64];                      // per id: its facts below 64 (the sensor facts) as bits
        public List<int> Touched = [], Spare = [];                 // ids crossed by the last facts, ascending
        public long[] Facts = [];
        // The left side is crossed lazily (CrossLeft): its facts ≥ 64 at once, the sensor bits only when a step needs every
        // partially crossed semi-context (ExpandLeft).
        public readonly List<int> Pure = [];                       // ids holding sensor facts only, ascending
        public readonly Dictionary<long, List<int>> ByFirst = [];  // fact ≥ 64 → ids whose first fact ≥ 64 it is, ascending
        public int[] FirstBig = new int[64];                       // per id: index of its first fact ≥ 64 in its facts
        public List<int> Full = [];                                // ids fully crossed by the last facts, ascending
        public ulong CrossSmall;                                   // the last facts below 64, as bits
        public int CrossedUpTo;                                    // semi-contexts that existed at the last crossing
        public bool Expanded;                                      // Touched and Crossed hold the whole last crossing

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public int Add(long[] facts, bool left)
        {
            int id = Semis.Count;
            Semis.Add(new Semi(facts, left));
            if (id == Length.Length) { Array.Resize(ref Length, 2 * id); Array.Resize(ref Crossed, 2 * id); Array.Resize(ref Small, 2 * id); Array.Resize(ref FirstBig, 2 * id); }
            Length[id] = facts.Length;
            ulong small = 0;
            int first = -1;
            for (int i = 0; i < facts.Length; i++)
            {
                long f = facts[i];
                if (f is >= 0 and < 64) { small |= 1UL << (int)f; continue; }
                if (!ByFact.TryGetValue(f, out var l)) ByFact[f] = l = [];
                l.Add(id);
                if (first < 0)
                {
                    first = i;
                    if (!ByFirst.TryGetValue(f, out var b)) ByFirst[f] = b = [];
                    b.Add(id);
                }
            }
            FirstBig[id] = first;
            Small[id] = small;
            if (System.Numerics.BitOperations.PopCount(small) == facts.Length) Pure.Add(id);
            return id;
        }

        /// <summary>Adds to the crossing counts of semi-contexts 0..<paramref name="all"/> − 1 their sensor facts among
        /// <paramref name="small"/> (facts below 64, as bits), and lists in <paramref name="touched"/> (cleared first) those crossed
        /// at all, in id order.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void AddSensorFacts(ulong small, int all, List<int> touched)
        {
            touched.Clear();
            for (int id = 0; id < all; id++)
            {
                int c = Crossed[id] + System.Numerics.BitOperations.PopCount(Small[id] & small);
                Crossed[id] = c;
                if (c > 0) touched.Add(id);
            }
        }

        /// <summary>The facts of semi-context <paramref name="id"/> that the last crossing held, ascending (both lists are).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
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
        private readonly List<(int At, double Raw)> _queue = [(0, 1.0)];   // the reference's history starts with 1.0
        private int _head, _count = 1;
        private readonly Side[] _sides = [new(), new()];
        private readonly List<Context> _contexts = [];
        private int _newContextId;                  // the reference's False doubles as id 0
        private long[] _left = [];
        private readonly List<(int Id, int Uses, long Lh, long Rh, int Order)> _active = [];
        private readonly List<Pair> _potential = [];   // proposed contexts not proposed before this step (others change nothing)
        private readonly HashSet<Pair> _unique = new(PairComparer.Instance);
        private readonly Dictionary<int, long[]> _sensOf = [];

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public double Update(double value)
        {
            int level = (int)((value - _min) / _step);
            // One fact array per level, shared by every step at that level (no fact array is modified once made).
            if (!_sensOf.TryGetValue(level, out var sens))
            {
                var l = new List<long>();
                for (int bit = 0, v = level; bit < o.ValueBits || v > 0; bit++, v >>= 1) l.Add(bit * 2 + (v & 1));   // ascending
                _sensOf[level] = sens = l.ToArray();
            }
            var (a, b) = Step(sens);
            double raw = (1.0 - a + b) / 2.0;
            // The largest of the last probation/5 raw scores (all of them when that is 0), by a monotone queue: positions of
            // raw scores each greater than every later one, oldest first (exact: only comparisons).
            int from = _rest == 0 ? 0 : Math.Max(0, _count - _rest);
            while (_head < _queue.Count && _queue[_head].At < from) _head++;
            double max = _head < _queue.Count ? _queue[_head].Raw : double.NegativeInfinity;
            while (_queue.Count > _head && _queue[^1].Raw <= raw) _queue.RemoveAt(_queue.Count - 1);
            _queue.Add((_count++, raw));
            if (_head > 1024 && _head * 2 > _queue.Count) { _queue.RemoveRange(0, _head); _head = 0; }
            return max < o.BaseThreshold ? raw : 0.0;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private (double, double) Step(long[] sens)
        {
            _unique.Clear();
            bool newContext = false;
            if (_left.Length > 0 && sens.Length > 0)
            {
                _unique.Add(new Pair(_left, sens, Py2.TupleHash(_left), Py2.TupleHash(sens)));
                newContext = Remember(_left, sens, zeroLevel: true) > 0;
            }
            Cross(1, sens);
            int selected = UpdateAndGetActive(newContext);
            double a = selected > 0 ? _active.Count / (double)selected : 0.0;

            // The reference sorts the active contexts stably by (uses, left hash, right hash) and feeds the last MaxActiveNeurons
            // back as neuron facts. Only that set is used, and with the position as the last key the order is total, so the set
            // is the MaxActiveNeurons greatest entries: selected in one pass, no sort.
            int k = Math.Min(o.MaxActiveNeurons, _active.Count);
            if (_top.Length < k) _top = new int[k];
            var active = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_active);
            int m = 0;   // _top[0..m): indices into _active, ascending by key
            for (int i = 0; i < active.Length; i++)
            {
                if (m == k && !Greater(active[i], active[_top[0]])) continue;
                int j;
                if (m < k) j = m++;
                else { j = 0; while (j + 1 < k && Greater(active[i], active[_top[j + 1]])) { _top[j] = _top[j + 1]; j++; } _top[j] = i; continue; }
                while (j > 0 && Greater(active[_top[j - 1]], active[i])) { _top[j] = _top[j - 1]; j--; }
                _top[j] = i;
            }
            // Sensor facts (all below NeuronBase, ascending) then the neuron facts ascending: the sorted set of both.
            var left = new long[sens.Length + k];
            sens.CopyTo(left, 0);
            for (int i = 0; i < k; i++) left[sens.Length + i] = NeuronBase + active[_top[i]].Id;
            Array.Sort(left, sens.Length, k);
            _left = left;

            int added = _potential.Count > 0 ? Remember(_potential, zeroLevel: false) : 0;
            CrossLeft(_left);
            added += newContext ? 1 : 0;
            double b = newContext && _unique.Count > 0 ? added / (double)_unique.Count : 0.0;
            return (a, b);
        }

        private int[] _top = [];

        /// <summary>The reference's sort key (uses, left hash, right hash), ties by position: x after y.</summary>
        private static bool Greater(in (int Id, int Uses, long Lh, long Rh, int Order) x, in (int Id, int Uses, long Lh, long Rh, int Order) y) =>
            x.Uses != y.Uses ? x.Uses > y.Uses : x.Lh != y.Lh ? x.Lh > y.Lh : x.Rh != y.Rh ? x.Rh > y.Rh : x.Order > y.Order;

        private int Remember(long[] left, long[] right, bool zeroLevel) { _single.Clear(); _single.Add(new Pair(left, right, Py2.TupleHash(left), Py2.TupleHash(right))); return Remember(_single, zeroLevel); }
        private readonly List<Pair> _single = [];

        /// <summary>The reference's getContextByFacts: stores unseen contexts; for a zero-level one returns 1 if it was new.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private int Remember(List<Pair> list, bool zeroLevel)
        {
            int added = 0;
            foreach (var (lf, rf, lh, rh) in list)   // not modified below
            {
                int leftSemi = SemiFor(0, lh, lf);
                int rightSemi = SemiFor(1, rh, rf);
                int next = _contexts.Count;
                int id = _sides[0].Semis[leftSemi].Contexts!.SetDefault(rightSemi, next);
                if (id == next)
                {
                    added++;
                    _contexts.Add(new Context(zeroLevel, lh, rh));
                    if (zeroLevel) { _sides[0].Semis[leftSemi].ZeroLevel++; _newContextId = id; return 1; }
                }
                else if (zeroLevel)
                {
                    ref var c = ref System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_contexts)[id];
                    if (!c.ZeroLevel) { c.ZeroLevel = true; _sides[0].Semis[leftSemi].ZeroLevel++; }
                    return 0;
                }
            }
            return added;
        }

        /// <summary>The id of the semi-context of one side with this tuple hash, added with these facts when new.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private int SemiFor(int side, long hash, long[] facts)
        {
            var s = _sides[side];
            if (s.Ids.TryGetValue(hash, out var id)) return id;
            return s.Ids[hash] = s.Add(facts, side == 0);
        }

        /// <summary>The reference's contextCrosser: which semi-contexts of one side the facts (ascending) cover, and by how many facts.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void Cross(int side, long[] facts)
        {
            var s = _sides[side];
            var crossed = s.Crossed;
            foreach (var id in s.Touched) crossed[id] = 0;
            var touched = s.Spare;
            touched.Clear();
            ulong small = 0;   // the facts below 64 (the sensor facts) as bits; each semi-context holds Small[id] of them
            foreach (var f in facts)
            {
                if (f is >= 0 and < 64) { small |= 1UL << (int)f; continue; }
                if (s.ByFact.TryGetValue(f, out var l))
                    foreach (var id in l)
                        if (crossed[id]++ == 0) touched.Add(id);
            }
            int all = s.Semis.Count;
            if (small != 0)
            {
                // Every semi-context may hold a sensor fact: one pass in id order adds those and lists the touched, in id order.
                s.AddSensorFacts(small, all, touched);
            }
            // In id order: when most semi-contexts are touched, one pass over the counts in id order gives that order with no
            // comparison sort; otherwise sort the few touched.
            else if ((long)touched.Count * System.Numerics.BitOperations.Log2((uint)touched.Count + 1) >= all)
            {
                touched.Clear();
                for (int id = 0; id < all; id++) if (crossed[id] > 0) touched.Add(id);
            }
            else touched.Sort();
            s.Spare = s.Touched;
            s.Touched = touched;
            s.Facts = facts;
        }

        /// <summary>
        /// <see cref="Cross"/> of the left side, lazily: the facts ≥ 64 (neuron facts) are counted now and the fully crossed
        /// semi-contexts listed in id order (those whose every fact ≥ 64 was counted and whose sensor bits are all among the
        /// facts'; a semi-context of sensor facts only needs the latter). <see cref="ExpandLeft"/> adds the sensor bits of every
        /// semi-context that existed at this crossing, only for a step that needs the partially crossed ones too.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void CrossLeft(long[] facts)
        {
            var s = _sides[0];
            var crossed = s.Crossed;
            if (s.Expanded) foreach (var id in s.Touched) crossed[id] = 0;
            foreach (var id in s.Full) crossed[id] = 0;
            // The facts ≥ 64 (neuron facts NeuronBase + context id: the only other facts there are), marked with this crossing's number.
            _crossNo++;
            ulong small = 0;
            foreach (var f in facts)
            {
                if (f is >= 0 and < 64) { small |= 1UL << (int)f; continue; }
                int n = checked((int)(f - NeuronBase));
                if (n >= _mark.Length) Array.Resize(ref _mark, Math.Max(2 * _mark.Length, n + 1));
                _mark[n] = _crossNo;
            }
            // A fully crossed semi-context with a fact ≥ 64 holds its first such fact among the facts: only those listed under
            // one of the facts are candidates, each checked once (its sensor bits, then its facts ≥ 64 in order).
            var full = s.Full;
            full.Clear();
            var mask = s.Small;
            foreach (var f in facts)
            {
                if (f is >= 0 and < 64 || !s.ByFirst.TryGetValue(f, out var l)) continue;
                foreach (var id in l)
                {
                    if ((mask[id] & ~small) != 0) continue;
                    // Its facts from the first ≥ 64 on are all ≥ 64 (ascending) and neuron facts.
                    var mine = s.Semis[id].Facts;
                    int k = s.FirstBig[id] + 1;
                    while (k < mine.Length && (ulong)(mine[k] - NeuronBase) < (ulong)_mark.Length && _mark[(int)(mine[k] - NeuronBase)] == _crossNo) k++;
                    if (k == mine.Length) full.Add(id);
                }
            }
            foreach (var id in s.Pure)
                if ((mask[id] & ~small) == 0) full.Add(id);
            full.Sort();
            foreach (var id in full) crossed[id] = s.Length[id];
            s.Facts = facts;
            s.CrossSmall = small;
            s.CrossedUpTo = s.Semis.Count;
            s.Expanded = false;
        }

        private int[] _mark = new int[64];
        private int _crossNo;

        /// <summary>Completes the last <see cref="CrossLeft"/> as <see cref="Cross"/> would have made it: every semi-context then
        /// existing gets its sensor facts added, and Touched lists those crossed at all, in id order.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void ExpandLeft()
        {
            var s = _sides[0];
            if (s.Expanded) return;
            s.Expanded = true;
            var crossed = s.Crossed;
            ulong small = s.CrossSmall;
            int all = s.CrossedUpTo;
            foreach (var id in s.Full) crossed[id] = 0;
            foreach (var f in s.Facts)
                if (f is < 0 or >= 64 && s.ByFact.TryGetValue(f, out var l))
                    foreach (var id in l)
                    {
                        if (id >= all) break;   // ascending: the rest came after the crossing
                        crossed[id]++;
                    }
            s.AddSensorFacts(small, all, s.Touched);
        }

        private int _stepNo;
        private int[] _rightStamp = [];
        private long[][] _rightFacts = [];
        private long[] _rightHash = [];

        /// <summary>
        /// The reference appends every proposed (left crossed facts, right crossed facts) to its list and then remembers them in
        /// order; one equal in content to an earlier one of the step (or to the step's zero-level context) finds that context
        /// and changes nothing, so only the first of equal ones is kept (the step's set of unique contexts is the same).
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void Propose(ref long[]? lFacts, ref bool lKept, ref long lHash, int ls, int rs)
        {
            if (lFacts is null) { lFacts = LeftCrossedFacts(ls); lHash = Py2.TupleHash(lFacts); }
            var p = new Pair(lFacts, RightCrossedFacts(rs), lHash, _rightHash[rs]);
            if (_unique.Contains(p)) return;
            // New: the left facts, until now in a scratch array, get an array of their own (kept for the rest of this walk).
            if (!lKept) { lFacts = (long[])lFacts.Clone(); lKept = true; p = p with { L = lFacts }; }
            _unique.Add(p);
            _potential.Add(p);
        }

        private long[][] _scratch = [];   // per length, an array reused for left crossed facts not kept

        /// <summary>The left semi-context's facts held by the last crossing (<see cref="Side.CrossedFacts"/>), ascending, into a
        /// scratch array of their length: its sensor facts among the crossing's bits and its neuron facts marked by it.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private long[] LeftCrossedFacts(int ls)
        {
            var s = _sides[0];
            int len = s.Crossed[ls];
            if (len >= _scratch.Length) Array.Resize(ref _scratch, Math.Max(2 * _scratch.Length, len + 1));
            var r = _scratch[len] ??= new long[len];
            ulong small = s.CrossSmall;
            int n = 0;
            foreach (var f in s.Semis[ls].Facts)
            {
                if (f is >= 0 and < 64) { if ((small >> (int)f & 1) != 0) r[n++] = f; }
                else if ((ulong)(f - NeuronBase) < (ulong)_mark.Length && _mark[(int)(f - NeuronBase)] == _crossNo) r[n++] = f;
            }
            System.Diagnostics.Debug.Assert(n == len);
            return r;
        }

        /// <summary>The right semi-context's crossed facts, made once per step and shared by every pair that holds them (the
        /// reference builds equal tuples; pairs compare and hash by content, and no fact array is modified once made).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private long[] RightCrossedFacts(int rs)
        {
            if (rs >= _rightStamp.Length)
            {
                int n = Math.Max(2 * _rightStamp.Length, rs + 1);
                Array.Resize(ref _rightStamp, n); Array.Resize(ref _rightFacts, n); Array.Resize(ref _rightHash, n);
            }
            if (_rightStamp[rs] != _stepNo) { _rightStamp[rs] = _stepNo; _rightFacts[rs] = _sides[1].CrossedFacts(rs); _rightHash[rs] = Py2.TupleHash(_rightFacts[rs]); }
            return _rightFacts[rs];
        }

        /// <summary>The reference's updateContextsAndGetActive; returns the number of selected contexts.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private int UpdateAndGetActive(bool newContext)
        {
            _active.Clear();
            _potential.Clear();
            int selected = 0;
            Side left = _sides[0], right = _sides[1];
            var contexts = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_contexts);
            _stepNo++;
            // Without a new context only fully crossed left semi-contexts change anything (below): those the lazy crossing
            // listed. With one, every crossed semi-context, as the reference's crosser lists them.
            if (newContext) ExpandLeft();
            foreach (var ls in newContext ? left.Touched : left.Full)
            {
                long[]? lFacts = null;   // its crossed facts, computed once for all its contexts (never modified once made)
                long lHash = 0;          // and their tuple hash
                bool lKept = false;      // whether lFacts is its own array (else a scratch one)
                int lLength = left.Length[ls], lCrossed = left.Crossed[ls];
                // A left semi-context neither fully crossed nor able to propose (no new context this step, too long a crossed
                // part, or no zero-level context to propose from) changes nothing below: skipping its contexts leaves every count
                // and list as it was, in the same order.
                if (lLength != lCrossed && !(newContext && lCrossed <= o.MaxLeftLength && left.Semis[ls].ZeroLevel > 0)) continue;
                foreach (var (rs, id) in left.Semis[ls].Contexts!.Items())
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
                                Propose(ref lFacts, ref lKept, ref lHash, ls, rs);
                        }
                    }
                    else if (c.ZeroLevel && newContext && rCrossed > 0 && lCrossed <= o.MaxLeftLength)
                        Propose(ref lFacts, ref lKept, ref lHash, ls, rs);
                }
            }
            _newContextId = 0;
            return selected;
        }
    }

    /// <summary>A context's (left facts, right facts) with their tuple hashes (<see cref="Py2.TupleHash"/>).</summary>
    private readonly record struct Pair(long[] L, long[] R, long Lh, long Rh);

    /// <summary>Equality of (left facts, right facts) by content, as Python compares tuples.</summary>
    private sealed class PairComparer : IEqualityComparer<Pair>
    {
        public static readonly PairComparer Instance = new();
        public bool Equals(Pair x, Pair y) => x.Lh == y.Lh && x.Rh == y.Rh && x.L.AsSpan().SequenceEqual(y.L) && x.R.AsSpan().SequenceEqual(y.R);
        public int GetHashCode(Pair p) => HashCode.Combine(p.Lh, p.Rh);
    }
}
