using System.Reflection;
using AiopsLab.Data;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AiopsLab.Datasets;

/// <summary>One dataset of the catalog (<c>datasets/catalog.yaml</c>, embedded in the library).</summary>
public sealed class DatasetEntry
{
    public string Name { get; set; } = "";
    public string Title { get; set; } = "";
    /// <summary>Layout name of an <see cref="IDatasetLayout"/>.</summary>
    public string Layout { get; set; } = "";
    /// <summary>Upstream archive to download (null for generated data).</summary>
    public string? Url { get; set; }
    /// <summary>SHA-256 of the archive, lower-case hex; null when not pinned yet.</summary>
    public string? Sha256 { get; set; }
    /// <summary>Path prefix inside the archive to unpack from (e.g. <c>rcd-373882c/</c>); files outside it are skipped.</summary>
    public string? ArchivePrefix { get; set; }
    /// <summary>Only these paths (relative to the prefix) are unpacked; all when empty.</summary>
    public List<string> Include { get; set; } = [];
    public string Source { get; set; } = "";
    public string License { get; set; } = "";
    public string Citation { get; set; } = "";
    public string? Doi { get; set; }
    public string Description { get; set; } = "";
}

/// <summary>
/// Resolves <c>--dataset NAME|PATH</c>: a catalog name opens <c>DATA_ROOT/NAME</c> with the catalog's layout; a path to a
/// folder is opened with the first layout that recognises it (RCAEval RE1/RE2/RE3, the generic layout, or a catalog
/// dataset's upstream layout); <c>synthetic</c> is generated.
/// </summary>
public static class DatasetCatalog
{
    private static readonly Lazy<IReadOnlyList<DatasetEntry>> Embedded = new(() =>
    {
        using var s = typeof(DatasetCatalog).Assembly.GetManifestResourceStream("AiopsLab.datasets.catalog.yaml")
            ?? throw new InvalidOperationException("the embedded dataset catalog is missing from the build.");
        return Parse(new StreamReader(s).ReadToEnd(), "datasets/catalog.yaml");
    });

    private static readonly Lazy<IReadOnlyList<(string Name, int Order, IDatasetLayout Layout)>> Layouts = new(() =>
        typeof(DatasetCatalog).Assembly.GetTypes()
            .Select(t => (t, a: t.GetCustomAttribute<DatasetLayoutAttribute>()))
            .Where(x => x.a is not null)
            .Select(x => (x.a!.Name, x.a.DetectOrder, (IDatasetLayout)Activator.CreateInstance(x.t)!))
            .OrderBy(x => x.DetectOrder).ThenBy(x => x.Name, StringComparer.Ordinal)
            .ToArray());

    /// <summary>The catalog's datasets.</summary>
    public static IReadOnlyList<DatasetEntry> Entries => Embedded.Value;

    /// <summary>Parses a catalog file (YAML list of entries).</summary>
    public static IReadOnlyList<DatasetEntry> Parse(string yaml, string fileName)
    {
        try
        {
            var d = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
            var list = d.Deserialize<List<DatasetEntry>>(yaml) ?? [];
            foreach (var e in list)
                if (string.IsNullOrWhiteSpace(e.Name) || string.IsNullOrWhiteSpace(e.Layout))
                    throw new DataFormatException(fileName, null, null, "every entry needs a name and a layout.");
            return list;
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new DataFormatException(fileName, (int)e.Start.Line, (int)e.Start.Column, e.InnerException?.Message ?? e.Message);
        }
    }

    /// <summary>The catalog entry named <paramref name="name"/>, or null.</summary>
    public static DatasetEntry? Find(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Registered layout names.</summary>
    public static IReadOnlyList<string> LayoutNames => Layouts.Value.Select(l => l.Name).ToArray();

    /// <summary>The layout registered as <paramref name="name"/>.</summary>
    public static IDatasetLayout Layout(string name) =>
        Layouts.Value.FirstOrDefault(l => l.Name == name).Layout ?? throw new UnknownNameException("dataset layout", name, LayoutNames);

    /// <summary>Opens a dataset by catalog name or by folder path. The option <c>sources</c> (e.g.
    /// <c>metrics,logs,traces</c>) is understood by every layout: see <see cref="MultiSourceDataset"/>.</summary>
    /// <exception cref="AiopsLabException">Unknown name, missing data root or folder, or a folder of no known layout.</exception>
    public static IDataset Open(string nameOrPath, DataRoot root, DatasetOptions? options = null)
    {
        options ??= DatasetOptions.None;
        var sources = Telemetry.SourceSet.Parse(options.GetString(MultiSourceDataset.OptionKey));
        bool fine = MultiSourceDataset.ParseDerived(options.GetString(MultiSourceDataset.DerivedKey));
        if (fine && sources.IsMetricsOnly) throw new AiopsLabException($"dataset option derived=fine needs sources with logs or traces (e.g. sources=metrics,logs,traces).");
        var ds = OpenLayout(nameOrPath, root, options.Without(MultiSourceDataset.OptionKey).Without(MultiSourceDataset.DerivedKey));
        return sources.IsMetricsOnly ? ds : new MultiSourceDataset(ds, sources, fine);
    }

    private static IDataset OpenLayout(string nameOrPath, DataRoot root, DatasetOptions options)
    {
        var entry = Find(nameOrPath);
        if (entry is not null)
        {
            var layout = Layout(entry.Layout);
            if (entry.Url is null) return layout.Open("", entry.Name, options); // generated
            root.EnsureExists();
            var folder = root.For(entry.Name);
            if (!Directory.Exists(folder))
                throw new AiopsLabException($"dataset '{entry.Name}' is not under the data root '{root.Path}' (from {root.Source}): '{folder}' does not exist. Run 'aiopslab datasets fetch {entry.Name}' or point --data-root at a folder that has it.");
            return layout.Open(folder, entry.Name, options);
        }
        bool looksLikePath = nameOrPath.Contains('/') || nameOrPath.Contains('\\') || nameOrPath.StartsWith('.') || Directory.Exists(nameOrPath);
        if (!looksLikePath) throw new UnknownNameException("dataset", nameOrPath, Entries.Select(e => e.Name));
        var full = Path.GetFullPath(nameOrPath);
        if (!Directory.Exists(full)) throw new AiopsLabException($"dataset folder '{full}' does not exist.");
        foreach (var (name, _, layout) in Layouts.Value)
            if (layout.Detect(full))
                return layout.Open(full, Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)), options);
        throw new AiopsLabException(
            $"'{full}' is not in a layout AiopsLab knows ({string.Join(", ", LayoutNames)}). See datasets/README.md for the generic layout (a wide metrics.csv plus case.json per case).");
    }
}
