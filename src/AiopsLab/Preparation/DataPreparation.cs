using AiopsLab.Data;
using AiopsLab.Methods;

namespace AiopsLab.Preparation;

/// <summary>
/// Named data-preparation presets: a stage written before any localizer (and before any reducer) in a method spec,
/// e.g. <c>rcaeval+baro</c> or <c>rcaeval+metricsifter+circa</c>. A preset rewrites the case's metrics; the stages after
/// it then prepare their own window as usual (<see cref="PreparedWindow"/>), on the preset's output. One preset exists:
/// <c>rcaeval</c> (<see cref="Rcaeval"/>). Reducers cannot do this: they only choose columns.
/// </summary>
public static class DataPreparation
{
    /// <summary>Names of the presets (ordinal, lower case).</summary>
    public static IReadOnlyList<string> Names { get; } = ["rcaeval"];

    /// <summary>True when <paramref name="name"/> is a preset.</summary>
    public static bool IsPreset(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>Rows RCAEval keeps on each side of the inject time: its driver's default <c>--length 10</c> (minutes),
    /// turned into <c>10 · 60 // 2</c> = 300 rows per side, i.e. 5 minutes only for 1-second data.</summary>
    public const int RcaevalRows = 300;

    /// <summary>
    /// RCAEval's data protocol (Pham, Ha &amp; Zhang, "Root Cause Analysis for Microservices based on Causal Inference:
    /// How Far Are We?", ASE 2024; its driver <c>rq2.py</c>, RCAEval v0.1.6), in the driver's order:
    /// <list type="number">
    /// <item>±∞ become missing (<c>replace([inf, -inf], nan)</c>);</item>
    /// <item>missing values take the last observed value of the <b>whole</b> series (<c>fillna(method="ffill")</c>), so a
    /// gap at the start of the window is filled from before it;</item>
    /// <item>values still missing (before a column's first observation) become 0 (<c>fillna(0)</c>);</item>
    /// <item>only then the last <see cref="RcaevalRows"/> rows before the anomaly time and the first
    /// <see cref="RcaevalRows"/> from it on are kept (<c>data[time &lt; t].tail(300)</c>, <c>data[time ≥ t].head(300)</c>).
    /// Rows, not seconds, as the driver counts them whatever the sampling interval.</item>
    /// </list>
    /// Column rules that depend on the dataset (Sock Shop's <c>lat_50</c>/<c>lat_99</c>) are not part of the protocol:
    /// give them to the method (<c>exclude-kinds</c>). Each method's own preprocessing (constant columns, megabytes) then
    /// runs on this output, as RCAEval's method functions do.
    /// </summary>
    public static RcaProblem Rcaeval(RcaProblem problem)
    {
        var f = problem.Metrics;
        int a = problem.AnomalyRow;
        int r0 = Math.Max(0, a - RcaevalRows), r1 = Math.Min(f.RowCount, a + RcaevalRows);
        var time = f.Time[r0..r1].ToArray();
        var cols = new double[f.ColumnCount][];
        for (int j = 0; j < cols.Length; j++)
        {
            var src = f.Column(j);
            var v = new double[r1 - r0];
            double last = 0; // fillna(0) for what ffill cannot reach
            for (int t = 0; t < r1; t++)
            {
                if (double.IsFinite(src[t])) last = src[t];
                if (t >= r0) v[t - r0] = last;
            }
            cols[j] = v;
        }
        return problem with { Metrics = new MetricFrame(time, f.Names, cols) };
    }

    /// <summary>Applies the preset named <paramref name="name"/>.</summary>
    /// <exception cref="AiopsLabException">Not a preset.</exception>
    public static RcaProblem Apply(string name, RcaProblem problem) => name switch
    {
        "rcaeval" => Rcaeval(problem),
        _ => throw new AiopsLabException($"'{name}' is not a data-preparation preset (known: {string.Join(", ", Names)})."),
    };
}

/// <summary>A localizer run on the output of data-preparation presets (<see cref="DataPreparation"/>), e.g. <c>rcaeval+baro</c>.</summary>
public sealed class PreparedLocalizer : IRootCauseLocalizer
{
    private readonly IReadOnlyList<string> _presets;
    private readonly IRootCauseLocalizer _inner;

    public PreparedLocalizer(IReadOnlyList<string> presets, IRootCauseLocalizer inner, string name)
    {
        foreach (var p in presets)
            if (!DataPreparation.IsPreset(p)) throw new AiopsLabException($"'{p}' is not a data-preparation preset (known: {string.Join(", ", DataPreparation.Names)}).");
        _presets = presets;
        _inner = inner;
        Name = name;
    }

    public string Name { get; }

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var p = problem;
        foreach (var preset in _presets) p = DataPreparation.Apply(preset, p);
        return _inner.Localize(p, ct);
    }
}
