using System.Numerics;
using System.Runtime.CompilerServices;
using AiopsLab.Methods;

namespace AiopsLab.Detection;

/// <summary>
/// kNN-CAD, conformalized k-nearest-neighbour anomaly detection (Burnaev &amp; Ishimtsev, "Conformalized density- and
/// distance-based anomaly detection in time-series data", arXiv:1608.04585, 2016, §3), as NAB runs it
/// (<c>nab/detectors/knncad</c>). Each point closes a lag vector of the last <see cref="Options.Dim"/> values. During the
/// probationary period the vectors form the training set T. The non-conformity of a vector v is the sum of its
/// <see cref="Options.K"/> smallest Mahalanobis distances (v − t)ᵀΣ(v − t) to T, Σ = (TᵀT)⁻¹ re-estimated twice per
/// probationary period; the calibration scores start as the training vectors' own non-conformities (each with itself
/// counted, k + 1 terms) and slide: each new score replaces the oldest. The score of a point is the fraction of calibration
/// scores strictly below its own (the conformal p-value's complement); after the first 2·probation points the oldest training
/// vector is replaced by the oldest calibration vector. A score ≥ <see cref="Options.AlarmLevel"/> is followed by
/// probation/5 points scored 0.5 (NAB's refractory period). Distances use the Cholesky factor L of TᵀT (Σ = L⁻ᵀL⁻¹, so the
/// distance is ‖L⁻¹v − L⁻¹t‖²) with the transformed training vectors kept, so a point costs O(dim² + |T|·dim) and allocates nothing.
/// The transformed vectors are stored one dimension per row, so the distances to several training vectors are summed at once in
/// SIMD lanes, each lane in the same order and with the same operations as one distance alone (bit-identical scores), four
/// vectors of lanes at a time so that four sums are in flight; the calibration scores below a score are counted in lanes too.
/// </summary>
[Method("knncad", Summary = "NAB's kNN-CAD: conformal p-value of the k-nearest-neighbour Mahalanobis non-conformity of the lag vector.", Citation = "Burnaev & Ishimtsev, Conformalized density- and distance-based anomaly detection in time-series data, arXiv:1608.04585 (2016)")]
public sealed class Knncad : NabDetectorBase<Knncad.Options>, IAlarmThreshold, ICoarseScore
{
    public sealed record Options : NabDetectorOptions
    {
        /// <summary>Neighbours summed in the non-conformity measure (NAB: 27).</summary>
        public int K { get; set; } = 27;
        /// <summary>Lag-vector length (NAB: 19).</summary>
        public int Dim { get; set; } = 19;
        /// <summary>Score from which the refractory period starts (NAB: 0.9965).</summary>
        public double AlarmLevel { get; set; } = 0.9965;
    }

    public Knncad() : this(new Options()) { }

    public Knncad(Options options) : base(options)
    {
        DetectorOptions.Require(options.K >= 1, Name, "k", "must be ≥ 1");
        DetectorOptions.Require(options.Dim >= 1, Name, "dim", "must be ≥ 1");
        DetectorOptions.Require(options.AlarmLevel is > 0 and <= 1, Name, "alarm-level", "must be in (0, 1]");
    }

    public override string Name => "knncad";

    public double AlarmThreshold => O.AlarmLevel;

    public override IDetectorState Start(NabSeriesSetup setup) => new State(O, setup.Probation);

    /// <summary>A FIFO of fixed-length vectors in one array.</summary>
    private sealed class Ring(int capacity, int dim)
    {
        private readonly double[] _data = new double[Math.Max(1, capacity) * dim];
        private int _head;
        public int Count { get; private set; }
        public Span<double> this[int i] => _data.AsSpan(Slot(i) * dim, dim);
        /// <summary>The storage slot of the i-th vector (0 = oldest).</summary>
        public int Slot(int i) => (_head + i) % capacity;
        public Span<double> PushBack() { var s = _data.AsSpan((_head + Count) % capacity * dim, dim); Count++; return s; }
        public void PopFront() { _head = (_head + 1) % capacity; Count--; }
    }

    private sealed class State : IDetectorState
    {
        private readonly Options _o;
        private readonly int _p, _d;
        private readonly double[] _buf;                 // last Dim values, ring
        private readonly Ring _train, _calib;           // raw training vectors, calibration vectors
        private readonly double[] _trainT;              // transformed training vectors by dimension: [j·capacity + slot of _train]
        private readonly int _cap;
        private readonly double[] _dist;                // distances to the training vectors, oldest first
        private readonly double[] _scores;              // calibration scores, ring (same order as NAB's list)
        private readonly double[] _l, _lNew, _gram, _item, _itemT, _knn;
        private bool _identity = true;
        private int _n, _scoreHead, _scoreCount, _pred = -1;

        public State(Options o, int probation)
        {
            _o = o; _p = probation; _d = o.Dim;
            int trainCap = Math.Max(1, probation - o.Dim);
            _buf = new double[_d];
            _cap = trainCap;
            _train = new Ring(trainCap, _d); _trainT = new double[trainCap * _d]; _dist = new double[trainCap]; _calib = new Ring(Math.Max(1, probation) + 1, _d);
            _scores = new double[trainCap];
            _l = new double[_d * _d]; _lNew = new double[_d * _d]; _gram = new double[_d * _d];
            _item = new double[_d]; _itemT = new double[_d]; _knn = new double[o.K + 1];
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public double Update(double value)
        {
            _buf[_n % _d] = value;
            _n++;
            if (_n < _d) return 0.0;
            for (int j = 0; j < _d; j++) _item[j] = _buf[(_n - _d + j) % _d];
            if (_n < _p)
            {
                _item.CopyTo(_train.PushBack());
                StoreTransformed(_train.Count - 1, _item);
                return 0.0;
            }
            if (_train.Count == 0) return 0.0;   // a series shorter than a probation's worth of lag vectors
            int ost = _n % _p;
            if (ost == 0 || ost == _p / 2) Refit();
            if (_scoreCount == 0)
            {
                for (int i = 0; i < _train.Count; i++)
                {
                    int slot = _train.Slot(i);
                    for (int j = 0; j < _d; j++) _itemT[j] = _trainT[j * _cap + slot];
                    _scores[i] = Ncm(_itemT, true);
                }
                _scoreCount = _train.Count;
            }
            Transform(_item, _itemT);
            double score = Ncm(_itemT, false);
            int below = CountBelow(_scores.AsSpan(0, _scoreCount), score);
            double result = (double)below / _scoreCount;
            if (_n >= 2 * _p)
            {
                _train.PopFront();
                var oldest = _calib[0];
                oldest.CopyTo(_train.PushBack());
                StoreTransformed(_train.Count - 1, oldest);
                _calib.PopFront();
            }
            _scores[_scoreHead] = score;                 // pop the oldest score, append the new one
            _scoreHead = (_scoreHead + 1) % _scoreCount;
            _item.CopyTo(_calib.PushBack());
            if (_pred > 0) { _pred--; return 0.5; }
            if (result >= _o.AlarmLevel) _pred = _p / 5;
            return result;
        }

        /// <summary>How many of <paramref name="values"/> are strictly below <paramref name="x"/> (compared in SIMD lanes; a count, so exact).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private static int CountBelow(ReadOnlySpan<double> values, double x)
        {
            int below = 0, i = 0, w = Vector<double>.Count;
            if (Vector.IsHardwareAccelerated && values.Length >= w)
            {
                var vx = new Vector<double>(x);
                var acc = Vector<long>.Zero;
                for (; i + w <= values.Length; i += w)
                    acc -= Vector.LessThan(new Vector<double>(values.Slice(i, w)), vx); // true lanes are −1
                below = (int)Vector.Sum(acc);
            }
            for (; i < values.Length; i++) if (values[i] < x) below++;
            return below;
        }

        /// <summary>Sum of the k (k + 1 with the vector itself in T) smallest squared distances to the training set.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private double Ncm(ReadOnlySpan<double> yT, bool self)
        {
            int count = _train.Count, k = Math.Min(_o.K + (self ? 1 : 0), count), have = 0;
            // The vectors oldest first are the slots [head, capacity) then [0, head).
            int head = count == 0 ? 0 : _train.Slot(0), first = Math.Min(count, _cap - head);
            Distances(yT, head, first, 0);
            Distances(yT, 0, count - first, first);
            for (int i = 0; i < count; i++)
            {
                double dist = _dist[i];
                if (have < k) { Insert(dist, have); have++; }
                else if (dist < _knn[k - 1]) Insert(dist, k - 1);
            }
            double s = 0;
            for (int i = 0; i < k; i++) s += _knn[i];
            return s;
        }

        /// <summary>
        /// _dist[to + i] = Σⱼ (yT[j] − t[j])² for the transformed training vector t in slot from + i, i &lt; n, summed over j = 0, 1, …
        /// in that order from 0 in every lane (no fused multiply-add), as the scalar loop of one distance sums it.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void Distances(ReadOnlySpan<double> yT, int from, int n, int to)
        {
            int w = Vector<double>.Count, i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                // Four vectors of lanes at once: four independent sums in flight instead of one chain of _d dependent adds.
                ref double tr = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_trainT);
                for (; i + 4 * w <= n; i += 4 * w)
                {
                    Vector<double> a0 = Vector<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
                    for (int j = 0; j < _d; j++)
                    {
                        var y = new Vector<double>(yT[j]);
                        ref double row = ref Unsafe.Add(ref tr, j * _cap + from + i);
                        var e0 = y - Vector.LoadUnsafe(ref row);
                        var e1 = y - Vector.LoadUnsafe(ref row, (nuint)w);
                        var e2 = y - Vector.LoadUnsafe(ref row, (nuint)(2 * w));
                        var e3 = y - Vector.LoadUnsafe(ref row, (nuint)(3 * w));
                        a0 += e0 * e0; a1 += e1 * e1; a2 += e2 * e2; a3 += e3 * e3;
                    }
                    var d = _dist.AsSpan(to + i, 4 * w);
                    a0.CopyTo(d); a1.CopyTo(d[w..]); a2.CopyTo(d[(2 * w)..]); a3.CopyTo(d[(3 * w)..]);
                }
                for (; i + w <= n; i += w)
                {
                    var acc = Vector<double>.Zero;
                    for (int j = 0; j < _d; j++)
                    {
                        var e = new Vector<double>(yT[j]) - new Vector<double>(_trainT.AsSpan(j * _cap + from + i, w));
                        acc += e * e;
                    }
                    acc.CopyTo(_dist.AsSpan(to + i, w));
                }
            }
            for (; i < n; i++)
            {
                double dist = 0;
                for (int j = 0; j < _d; j++) { double e = yT[j] - _trainT[j * _cap + from + i]; dist += e * e; }
                _dist[to + i] = dist;
            }
        }

        /// <summary>Stores L⁻¹x as the transformed vector of the i-th training vector.</summary>
        private void StoreTransformed(int i, ReadOnlySpan<double> x)
        {
            Transform(x, _itemT);
            int slot = _train.Slot(i);
            for (int j = 0; j < _d; j++) _trainT[j * _cap + slot] = _itemT[j];
        }

        /// <summary>Inserts into the sorted prefix _knn[0..end) (end = the slot to overwrite).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void Insert(double dist, int end)
        {
            int i = end;
            while (i > 0 && _knn[i - 1] > dist) { _knn[i] = _knn[i - 1]; i--; }
            _knn[i] = dist;
        }

        /// <summary>Σ = (TᵀT)⁻¹ via the Cholesky factor of TᵀT; a TᵀT that is not positive definite keeps the previous Σ (NAB keeps it on a singular matrix).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void Refit()
        {
            Array.Clear(_gram);
            for (int i = 0; i < _train.Count; i++)
            {
                var t = _train[i];
                for (int a = 0; a < _d; a++)
                    for (int b = 0; b <= a; b++) _gram[a * _d + b] += t[a] * t[b];
            }
            for (int j = 0; j < _d; j++)
            {
                double s = _gram[j * _d + j];
                for (int m = 0; m < j; m++) s -= _lNew[j * _d + m] * _lNew[j * _d + m];
                if (!(s > 0)) return;
                _lNew[j * _d + j] = Math.Sqrt(s);
                for (int i = j + 1; i < _d; i++)
                {
                    double v = _gram[i * _d + j];
                    for (int m = 0; m < j; m++) v -= _lNew[i * _d + m] * _lNew[j * _d + m];
                    _lNew[i * _d + j] = v / _lNew[j * _d + j];
                }
            }
            _lNew.CopyTo(_l, 0);
            _identity = false;
            for (int i = 0; i < _train.Count; i++) StoreTransformed(i, _train[i]);
        }

        /// <summary>y = L⁻¹x by forward substitution (y = x while Σ is the identity).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void Transform(ReadOnlySpan<double> x, Span<double> y)
        {
            if (_identity) { x.CopyTo(y); return; }
            for (int i = 0; i < _d; i++)
            {
                double s = x[i];
                for (int m = 0; m < i; m++) s -= _l[i * _d + m] * y[m];
                y[i] = s / _l[i * _d + i];
            }
        }
    }
}
