using System.Globalization;
using AiopsLab.Data;

namespace AiopsLab.Datasets;

/// <summary>
/// RCD's Sock Shop data (Ikram et al., NeurIPS 2022; "Sock Shop 1" in RCAEval): <c>sock-shop-data/&lt;service&gt;-&lt;fault&gt;/&lt;rep&gt;/</c>
/// with <c>normal.csv</c> and <c>anomalous.csv</c>, 1 s apart, 38 metric columns named <c>&lt;container&gt;_&lt;metric&gt;</c>.
/// </summary>
/// <remarks>
/// <para>The two files are separate recordings, hours or days apart (once, orders-mem/5, the normal one is later). The loader
/// moves the normal recording in time so that it ends one sampling step before the anomalous one begins, keeping its own
/// spacing: one continuous axis with no fake gap. The inject time is the first anomalous timestamp, as in RCAEval (the
/// data records no injection time; the whole anomalous file is the fault period).</para>
/// <para>Root cause = the folder's service; root-cause metric = <c>&lt;service&gt;_cpu</c> or <c>&lt;service&gt;_mem</c>.
/// Services are scored with <see cref="DelimitedNaming.StripDatabaseSuffix"/> (carts-db counts as carts).</para>
/// </remarks>
[DatasetLayout("rcd-sockshop", DetectOrder = 10)]
public sealed class RcdSockShopLayout : IDatasetLayout
{
    internal const string DataFolder = "sock-shop-data";

    public bool Detect(string folder) => IDatasetLayout.HasFileUnder(folder, DataFolder, "anomalous.csv");

    public IDataset Open(string folder, string name, DatasetOptions options)
    {
        options.CheckKnown(name, []);
        return new RcdSockShop(folder, name);
    }
}

/// <inheritdoc cref="RcdSockShopLayout"/>
public sealed class RcdSockShop : FolderDataset
{
    public static readonly MetricNaming SockShopNaming = new DelimitedNaming("_", splitAtLast: false, DelimitedNaming.StripDatabaseSuffix);

    private readonly string _data;

    public RcdSockShop(string folder, string name = "rcd-sockshop") : base(folder, name)
    {
        _data = Subfolder(RcdSockShopLayout.DataFolder, "RCD's Sock Shop layout");
        Notes = ["Inject time = first row of anomalous.csv (not recorded by the data; RCAEval's convention). The normal recording is moved in time to end one step before it."];
        var cases = new List<CaseDescriptor>();
        foreach (var dir in Directory.GetDirectories(_data).OrderBy(d => d, StringComparer.Ordinal))
        {
            var folderName = Path.GetFileName(dir);
            int dash = folderName.LastIndexOf('-');
            if (dash <= 0) continue;
            var service = folderName[..dash];
            var fault = folderName[(dash + 1)..];
            foreach (var rep in Directory.GetDirectories(dir).Select(Path.GetFileName).OrderBy(r => int.TryParse(r, out var k) ? k : int.MaxValue).ThenBy(r => r, StringComparer.Ordinal))
            {
                if (!File.Exists(Path.Combine(dir, rep!, "anomalous.csv"))) continue;
                cases.Add(new CaseDescriptor($"{folderName}/{rep}", "sock-shop", fault, service, "resource"));
            }
        }
        SetCases(cases, $"no cases found under '{_data}' (expected <service>-<fault>/<rep>/anomalous.csv).");
    }

    public override FaultCase Load(CaseDescriptor d, CancellationToken ct = default)
    {
        var dir = Path.Combine(_data, d.Id.Replace('/', Path.DirectorySeparatorChar));
        var normal = Csv.ReadFrame(Path.Combine(dir, "normal.csv"));
        ct.ThrowIfCancellationRequested();
        var anomalous = Csv.ReadFrame(Path.Combine(dir, "anomalous.csv"));
        if (anomalous.RowCount == 0) throw new DataFormatException(Path.Combine(dir, "anomalous.csv"), null, null, "has no data rows.");
        var frame = Join(normal, anomalous);
        var metric = $"{d.RootCause}_{d.FaultType}";
        return new FaultCase(d.Id, Name, d.System, frame,
            new FaultLabel(d.RootCause, d.FaultType, anomalous.StartTime, frame.Contains(metric) ? metric : null, d.FaultClass),
            CallGraph: null, SockShopNaming);
    }

    /// <summary>
    /// Puts <paramref name="normal"/> right before <paramref name="anomalous"/>: shifted so that its last row is one
    /// sampling step (the anomalous file's median spacing) before the first anomalous row.
    /// </summary>
    public static MetricFrame Join(MetricFrame normal, MetricFrame anomalous)
    {
        if (normal.RowCount == 0) return anomalous;
        long step = MedianStep(anomalous.RowCount > 1 ? anomalous : normal);
        long shift = anomalous.StartTime - step - normal.EndTime;
        return MetricFrame.ConcatRows(normal.ShiftTime(shift), anomalous);
    }

    internal static long MedianStep(MetricFrame f)
    {
        if (f.RowCount < 2) return 1;
        var d = new long[f.RowCount - 1];
        for (int i = 1; i < f.RowCount; i++) d[i - 1] = f.Time[i] - f.Time[i - 1];
        Array.Sort(d);
        return Math.Max(1, d[d.Length / 2]);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Cases.Count} cases)");
}
