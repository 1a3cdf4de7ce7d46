using System.Globalization;
using AiopsLab.Data;

namespace AiopsLab.Datasets;

/// <summary>
/// RCAEval's benchmark layout (RE1 / RE2 / RE3; Pham et al., "RCAEval: A Benchmark for Root Cause Analysis of
/// Microservice Systems with Telemetry Data", WWW 2025 companion): one folder per case,
/// <c>[system/]&lt;service&gt;_&lt;fault&gt;/&lt;rep&gt;/</c>, holding <c>data.csv</c>, <c>simple_data.csv</c> or
/// <c>simple_metrics.csv</c> (wide, a <c>time</c> column in Unix seconds) and <c>inject_time.txt</c> (Unix seconds).
/// </summary>
/// <remarks>
/// The metrics file is taken in that order of preference. Columns are <c>&lt;container&gt;_&lt;metric&gt;</c>; a database
/// container counts as its service (RCAEval's convention). Root-cause metric: the column <c>&lt;service&gt;_&lt;fault&gt;</c>
/// when it exists. The system is the folder above the case folders (e.g. <c>RE2-OB</c>), or the dataset folder's name.
/// </remarks>
[DatasetLayout("rcaeval", DetectOrder = 50)]
public sealed class RcaEvalLayout : IDatasetLayout
{
    internal static readonly string[] MetricFiles = ["data.csv", "simple_data.csv", "simple_metrics.csv"];
    internal const string InjectFile = "inject_time.txt";

    public IReadOnlyList<(string Key, string Meaning, string Default)> OptionHelp => [];

    public bool Detect(string folder) => FindCaseFolders(folder).Any();

    public IDataset Open(string folder, string name, DatasetOptions options)
    {
        options.CheckKnown(name, []);
        return new RcaEvalDataset(folder, name);
    }

    /// <summary>Case folders (holding inject_time.txt) up to three levels below <paramref name="root"/>, in ordinal order.</summary>
    internal static IEnumerable<string> FindCaseFolders(string root)
    {
        var opts = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3, IgnoreInaccessible = true };
        return Directory.EnumerateFiles(root, InjectFile, opts)
            .Select(f => Path.GetDirectoryName(f)!)
            .OrderBy(d => d, StringComparer.Ordinal);
    }
}

/// <inheritdoc cref="RcaEvalLayout"/>
public sealed class RcaEvalDataset : IDataset
{
    private static readonly MetricNaming Naming = new DelimitedNaming("_", splitAtLast: false, DelimitedNaming.StripDatabaseSuffix);
    private readonly Dictionary<string, string> _folders = new(StringComparer.Ordinal);

    public RcaEvalDataset(string folder, string name)
    {
        Name = name;
        Location = folder;
        var cases = new List<CaseDescriptor>();
        foreach (var dir in RcaEvalLayout.FindCaseFolders(folder))
        {
            var rel = Path.GetRelativePath(folder, dir).Replace('\\', '/');
            var parts = rel.Split('/');
            // .../<service>_<fault>/<rep>
            var caseFolder = parts.Length >= 2 ? parts[^2] : parts[^1];
            int us = caseFolder.LastIndexOf('_');
            if (us <= 0) throw new DataFormatException(dir, null, null, $"case folder '{caseFolder}' is not named <service>_<fault>.");
            var system = parts.Length >= 3 ? parts[^3] : name;
            cases.Add(new CaseDescriptor(rel, system, caseFolder[(us + 1)..], caseFolder[..us]));
            _folders[rel] = dir;
        }
        if (cases.Count == 0) throw new AiopsLabException($"no RCAEval cases under '{folder}' (no {RcaEvalLayout.InjectFile} found).");
        Cases = cases;
    }

    public string Name { get; }
    public string Location { get; }
    public IReadOnlyList<CaseDescriptor> Cases { get; }
    public IReadOnlyList<string> Notes => [];

    public FaultCase Load(CaseDescriptor d, CancellationToken ct = default)
    {
        var dir = _folders[d.Id];
        var file = RcaEvalLayout.MetricFiles.Select(f => Path.Combine(dir, f)).FirstOrDefault(File.Exists)
            ?? throw new DataFormatException(dir, null, null, $"none of {string.Join(", ", RcaEvalLayout.MetricFiles)} is there.");
        var injectPath = Path.Combine(dir, RcaEvalLayout.InjectFile);
        var text = File.ReadAllText(injectPath).Trim();
        var inject = Csv.ParseUnixSeconds(text) ?? throw new DataFormatException(injectPath, 1, 1, $"cannot read '{text}' as Unix seconds.");
        var frame = Csv.ReadFrame(file);
        var metric = $"{d.RootCause}_{d.FaultType}";
        return new FaultCase(d.Id, Name, d.System, frame,
            new FaultLabel(d.RootCause, d.FaultType, inject, frame.Contains(metric) ? metric : null), null, Naming);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Cases.Count} cases)");
}
