using AiopsLab.Data;
using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>
/// Sliding-window features shared by the window-based batch detectors (<see cref="IsolationForest"/>,
/// <see cref="RandomizedPcaDetector"/>): row r is, for each column, its values r … r + w − 1 side by side, NaN carried forward
/// (0 before the first value); the row scores point r + w − 1.
/// </summary>
public static class SlidingWindows
{
    /// <summary>The columns of <paramref name="frame"/> as arrays, in frame order.</summary>
    public static double[][] Columns(MetricFrame frame)
    {
        var cols = new double[frame.ColumnCount][];
        for (int j = 0; j < cols.Length; j++) cols[j] = frame.Column(j).ToArray();
        return cols;
    }

    /// <summary>Sets the score of every NaN point of <paramref name="series"/> to 0 and returns <paramref name="scores"/>.</summary>
    public static double[] ZeroAtNaN(double[] scores, ReadOnlySpan<double> series)
    {
        for (int i = 0; i < scores.Length; i++) if (double.IsNaN(series[i])) scores[i] = 0;
        return scores;
    }

    /// <summary>The n − w + 1 windows of <paramref name="columns"/> (each of length n), row-major with dimension
    /// columns × <paramref name="w"/>; <paramref name="rows"/> is their number (≤ 0 when n &lt; w: then the result is empty).</summary>
    public static double[] RowMajor(double[][] columns, int w, out int rows)
    {
        int n = columns[0].Length, d = columns.Length * w;
        rows = n - w + 1;
        if (rows < 1) return [];
        var filled = columns.Select(c => Stats.ForwardFill(c)).ToArray();
        var x = new double[rows * d];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < filled.Length; j++)
                Array.Copy(filled[j], r, x, r * d + j * w, w);
        return x;
    }
}

/// <summary>
/// A detector that scores sliding windows (<see cref="SlidingWindows"/>): <see cref="Score"/> windows one series and zeroes its
/// NaN points, <see cref="ScoreFrame"/> windows every column of a frame together; both leave the first w − 1 points at 0 and
/// hand the windows to <see cref="ScoreWindows"/>.
/// </summary>
public abstract class SlidingWindowDetector
{
    /// <summary>The window length w.</summary>
    protected abstract int WindowLength { get; }

    /// <summary>Scores every point of <paramref name="series"/> from the window ending at it.</summary>
    public double[] Score(ReadOnlySpan<double> series) => SlidingWindows.ZeroAtNaN(ScoreColumns([series.ToArray()]), series);

    /// <summary>Scores each row of <paramref name="frame"/> from the windows of all its columns.</summary>
    public double[] ScoreFrame(MetricFrame frame) => ScoreColumns(SlidingWindows.Columns(frame));

    private double[] ScoreColumns(double[][] columns)
    {
        int n = columns[0].Length, w = WindowLength, d = columns.Length * w;
        var score = new double[n];
        var x = SlidingWindows.RowMajor(columns, w, out int rows);
        if (rows >= 2) ScoreWindows(x, rows, d, score.AsSpan(w - 1, rows));
        return score;
    }

    /// <summary>Writes the score of each of the <paramref name="rows"/> windows (row-major in <paramref name="x"/>, dimension
    /// <paramref name="d"/>) into <paramref name="scores"/>, whose element r is the point that window r ends at.</summary>
    protected abstract void ScoreWindows(double[] x, int rows, int d, Span<double> scores);
}
