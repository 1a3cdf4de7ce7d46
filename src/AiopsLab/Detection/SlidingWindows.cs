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
