using Microsoft.ML;
using Microsoft.ML.Data;

namespace AiopsLab.Data;

/// <summary>
/// A <see cref="MetricFrame"/> as an ML.NET <see cref="IDataView"/>, without copying: a column <c>Time</c> (Int64, Unix
/// seconds; the name can be changed) then one column per metric, named as the metric, in the frame's column order.
/// Metric columns are <see cref="NumberDataViewType.Double"/> (the values as they are), or
/// <see cref="NumberDataViewType.Single"/> with <c>singlePrecision</c> (what most ML.NET trainers take). A missing value
/// (NaN) stays NaN, which is ML.NET's missing value for floating-point columns (<c>ReplaceMissingValues</c>, <c>IndicateMissingValues</c>).
/// Rows are read in time order; the view cannot shuffle (ML.NET shuffles through <c>ShuffleRows</c>, which caches).
/// </summary>
public sealed class MetricDataView : IDataView
{
    private readonly MetricFrame _frame;
    private readonly bool _single;

    private MetricDataView(MetricFrame frame, string timeColumn, bool singlePrecision)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (string.IsNullOrEmpty(timeColumn)) throw new ArgumentException("the time column needs a name.", nameof(timeColumn));
        if (frame.Contains(timeColumn))
            throw new ArgumentException($"a metric is named '{timeColumn}', as the time column is: pass another timeColumn name.", nameof(timeColumn));
        _frame = frame;
        _single = singlePrecision;
        var b = new DataViewSchema.Builder();
        b.AddColumn(timeColumn, NumberDataViewType.Int64);
        var type = singlePrecision ? NumberDataViewType.Single : NumberDataViewType.Double;
        foreach (var n in frame.Names) b.AddColumn(n, type);
        Schema = b.ToSchema();
    }

    /// <summary>The view of <paramref name="frame"/> (its arrays are read, not copied).</summary>
    /// <exception cref="ArgumentException">A metric has the time column's name, or that name is empty.</exception>
    public static MetricDataView Create(MetricFrame frame, string timeColumn = "Time", bool singlePrecision = false) =>
        new(frame, timeColumn, singlePrecision);

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _frame.RowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly MetricDataView _view;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(MetricDataView view, IEnumerable<DataViewSchema.Column> needed)
        {
            _view = view;
            _active = new bool[view.Schema.Count];
            foreach (var c in needed) _active[c.Index] = true;
        }

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _position;
        public override long Batch => 0;
        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            if (_position + 1 >= _view._frame.RowCount) { _position = _view._frame.RowCount; return false; }
            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
                throw new InvalidOperationException($"column '{column.Name}' was not requested when the cursor was made.");
            var frame = _view._frame;
            Delegate getter;
            if (column.Index == 0) getter = (ValueGetter<long>)((ref long v) => v = frame.Time[(int)_position]);
            else
            {
                int j = column.Index - 1;
                getter = _view._single
                    ? (ValueGetter<float>)((ref float v) => v = (float)frame.Column(j)[(int)_position])
                    : (ValueGetter<double>)((ref double v) => v = frame.Column(j)[(int)_position]);
            }
            return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
                $"column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }
    }
}

/// <summary><see cref="MetricDataView"/> as an extension of <see cref="MetricFrame"/>.</summary>
public static class MetricFrameMl
{
    /// <inheritdoc cref="MetricDataView.Create"/>
    public static IDataView ToDataView(this MetricFrame frame, string timeColumn = "Time", bool singlePrecision = false) =>
        MetricDataView.Create(frame, timeColumn, singlePrecision);
}
