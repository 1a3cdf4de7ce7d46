using AiopsLab.Data;
using AiopsLab.Telemetry;

namespace AiopsLab.Datasets;

/// <summary>
/// A dataset whose cases carry derived log and trace series beside their metrics (<see cref="MultiSource.Augment"/>),
/// opened with the dataset option <c>sources=metrics,logs,traces</c> (CLI <c>--sources</c>, spec key <c>sources</c>).
/// Same name, cases and labels as the dataset it wraps; without the option the dataset is not wrapped at all, so
/// metric-only results are untouched.
/// </summary>
public sealed class MultiSourceDataset(IDataset inner, SourceSet sources, bool fine = false) : IDataset
{
    public const string OptionKey = "sources";

    /// <summary>Dataset option for the granularity of the derived series: <c>service</c> (default) or <c>fine</c>
    /// (<see cref="MultiSource.FineTraceOptions"/>, <see cref="MultiSource.FineLogOptions"/>).</summary>
    public const string DerivedKey = "derived";

    /// <summary>Reads the <c>derived</c> option: true for <c>fine</c>, false for <c>service</c> or none.</summary>
    public static bool ParseDerived(string? text) => text switch
    {
        null or "" or "service" => false,
        "fine" => true,
        _ => throw new UnknownNameException("derived series granularity", text, ["service", "fine"]),
    };

    public SourceSet Sources => sources;
    public IDataset Inner => inner;
    public string Name => inner.Name;
    public string Location => inner.Location;
    public IReadOnlyList<CaseDescriptor> Cases => inner.Cases;

    public IReadOnlyList<string> Notes =>
    [
        .. inner.Notes,
        $"Sources: {sources}. Derived series are added per service{(fine ? ", per operation and per log template" : "")} on the metric grid (docs/multimodal.md); cases without {(sources.Logs && sources.Traces ? "logs or traces" : sources.Logs ? "logs" : "traces")} keep their metrics only.",
    ];

    public FaultCase Load(CaseDescriptor d, CancellationToken ct = default) => MultiSource.Augment(inner.Load(d, ct), sources, fine);
}
