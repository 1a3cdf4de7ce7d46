using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Catalog;

namespace AiopsLab.Experiments;

/// <summary>
/// <c>--shard I/N</c>: the I-th (1-based) of N disjoint parts of an experiment's work. The work is split by case: the
/// experiment's cases are numbered g = 0, 1, … in plan order (datasets in spec order, each dataset's selected cases in
/// its own stable order), and case g belongs to shard (g mod N) + 1, with every method, seed, delay, window and detection
/// mode run on it. So the shards are a disjoint cover of the work, as even as N allows, the same on every machine, and a
/// case is loaded by one shard only.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    public static Shard All => new(1, 1);
    public bool IsAll => Count == 1;
    public bool Contains(long globalCase) => globalCase % Count == Index - 1;
    public override string ToString() => Index.ToString(CultureInfo.InvariantCulture) + "/" + Count.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses <c>I/N</c> with 1 ≤ I ≤ N.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && i >= 1 && i <= n)
            return new Shard(i, n);
        throw new AiopsLabException($"--shard '{text}': write I/N with 1 ≤ I ≤ N, e.g. 1/4 for the first of four shards.");
    }
}

/// <summary>A dataset of a plan: opened, with its selected cases.</summary>
public sealed class PlannedDataset
{
    internal PlannedDataset(int index, DatasetSpec spec, IDataset dataset, string key, IReadOnlyList<CaseDescriptor> cases, long firstCase)
    {
        Index = index; Spec = spec; Dataset = dataset; Key = key; Cases = cases; FirstCase = firstCase;
    }

    public int Index { get; }
    public DatasetSpec Spec { get; }
    public IDataset Dataset { get; }
    /// <summary>Identifies the data in the store: the dataset name and its loader options, e.g. <c>synthetic(cases=200)</c>.</summary>
    public string Key { get; }
    public IReadOnlyList<CaseDescriptor> Cases { get; }
    /// <summary>Plan-wide number of this dataset's first case (see <see cref="Shard"/>).</summary>
    public long FirstCase { get; }
    public string Name => Dataset.Name;
}

/// <summary>
/// One configuration: a method spec with the window and detection mode it runs with. Together with the case, seed and
/// delay it identifies one row of the run store. <see cref="Hash"/> is stable across machines and runs.
/// </summary>
public sealed record RunConfig(string Method, Window Window, string Detection)
{
    /// <summary><c>method|window|detection</c>.</summary>
    public string Key => Method + "|" + Window + "|" + Detection;
    /// <summary>16 hex digits of <see cref="StableHash"/> over <see cref="Key"/>.</summary>
    public string Hash => StableHash.Hex(Key);
}

/// <summary>
/// An experiment made concrete: datasets opened and filtered, method grids expanded, every name checked, before any work
/// is done. Errors name the spec file, line and column where the bad name was written.
/// </summary>
public sealed class ExperimentPlan
{
    private ExperimentPlan(ExperimentSpec spec, IReadOnlyList<PlannedDataset> datasets, IReadOnlyList<string> methods, IReadOnlyList<RunConfig> configs)
    {
        Spec = spec; Datasets = datasets; Methods = methods; Configs = configs;
    }

    public ExperimentSpec Spec { get; }
    public IReadOnlyList<PlannedDataset> Datasets { get; }
    /// <summary>Canonical method specs, grids expanded, in spec order.</summary>
    public IReadOnlyList<string> Methods { get; }
    /// <summary>Windows × detection modes × methods, in that nesting order.</summary>
    public IReadOnlyList<RunConfig> Configs { get; }
    public IReadOnlyList<long> Seeds => Spec.Seeds;
    public IReadOnlyList<long> Delays => Spec.Delays;
    public long CaseCount => Datasets.Sum(d => (long)d.Cases.Count);
    /// <summary>Rows of the run store a complete run has: cases × configs × seeds × delays.</summary>
    public long RunCount => CaseCount * Configs.Count * Seeds.Count * Delays.Count;

    /// <summary>
    /// What the results depend on, as text: dataset keys and selected case ids (hashed), configs, seeds and delays. Not
    /// the timeout or jobs. Stores whose identities differ cannot be merged.
    /// </summary>
    public string Identity
    {
        get
        {
            var sb = new System.Text.StringBuilder();
            foreach (var d in Datasets)
            {
                sb.Append("dataset=").Append(d.Key).Append(';');
                ulong h = 0;
                foreach (var c in d.Cases) h = StableHash.Combine(h, c.Id);
                sb.Append("cases=").Append(d.Cases.Count.ToString(CultureInfo.InvariantCulture)).Append(':').Append(h.ToString("x16", CultureInfo.InvariantCulture)).Append('\n');
            }
            foreach (var c in Configs) sb.Append("config=").Append(c.Key).Append('\n');
            sb.Append("seeds=").Append(string.Join(",", Seeds.Select(s => s.ToString(CultureInfo.InvariantCulture)))).Append('\n');
            sb.Append("delays=").Append(string.Join(",", Delays.Select(s => s.ToString(CultureInfo.InvariantCulture)))).Append('\n');
            return sb.ToString();
        }
    }

    /// <summary>Cases of the given shard: (dataset, index in its selected cases, plan-wide case number), in plan order.</summary>
    public IEnumerable<(PlannedDataset Dataset, int Index, long Global)> Units(Shard shard)
    {
        foreach (var d in Datasets)
            for (int i = 0; i < d.Cases.Count; i++)
                if (shard.Contains(d.FirstCase + i)) yield return (d, i, d.FirstCase + i);
    }

    /// <summary>Opens the datasets, selects cases, expands grids and checks every name.</summary>
    /// <exception cref="AiopsLabException">A bad name or missing data; the message starts with file:line:column.</exception>
    public static ExperimentPlan Build(ExperimentSpec spec, DataRoot root)
    {
        // Methods first: a spec naming a method that does not exist fails before any data is touched.
        var methods = new List<string>();
        // Keyed by the configuration a spec denotes (defaults dropped, graph-rca compositions as their presets), so 'baro' and
        // 'baro(window=0)', or 'pc-pagerank' and 'graph-rca(graph=pc,head=pagerank)', cannot both run.
        var seen = new Dictionary<string, (string Canonical, SpecLocation Where)>(StringComparer.Ordinal);
        foreach (var entry in spec.Methods)
        {
            foreach (var m in MethodGrid.Expand(entry))
            {
                var canonical = m.ToString();
                string effective;
                try { MethodCatalog.CreateLocalizer(m); effective = MethodCatalog.Effective(m).ToString(); }
                catch (AiopsLabException e) { throw entry.Where.Error(e.Message); }
                if (!seen.TryAdd(effective, (canonical, entry.Where)))
                {
                    var (earlier, at) = seen[effective];
                    var line = at.Line > 0 ? " at line " + at.Line.ToString(CultureInfo.InvariantCulture) : "";
                    throw entry.Where.Error(earlier == canonical
                        ? $"method '{canonical}' is already listed{line}."
                        : $"method '{canonical}' is the same configuration as '{earlier}' listed{line} (both are '{effective}' once defaults are dropped and presets resolved); list it once.");
                }
                methods.Add(canonical);
            }
        }
        for (int i = 0; i < spec.Detection.Count; i++)
        {
            try { AnomalyTimeSources.Create(spec.Detection[i]); }
            catch (AiopsLabException e)
            {
                var where = i < spec.DetectionWhere.Count ? spec.DetectionWhere[i] : SpecLocation.None;
                throw where.Error(e.Message);
            }
        }
        var configs = new List<RunConfig>();
        foreach (var w in spec.Windows)
            foreach (var det in spec.Detection)
                foreach (var m in methods)
                    configs.Add(new RunConfig(m, w, det));

        var datasets = new List<PlannedDataset>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long first = 0;
        foreach (var ds in spec.Datasets)
        {
            IDataset opened;
            try
            {
                var name = ds.Name;
                if (DatasetCatalog.Find(name) is null && !Path.IsPathRooted(name) && (name.Contains('/') || name.Contains('\\') || name.StartsWith('.')))
                    name = Path.GetFullPath(Path.Combine(spec.BaseFolder, name));
                opened = DatasetCatalog.Open(name, root, new DatasetOptions(ds.Options));
            }
            catch (DataFormatException) { throw; }
            catch (AiopsLabException e) { throw ds.Where.Error(e.Message); }
            var key = DatasetKey(opened.Name, ds.Options);
            if (!keys.Add(key)) throw ds.Where.Error($"dataset '{key}' is listed twice.");
            var cases = Select(opened, ds);
            datasets.Add(new PlannedDataset(datasets.Count, ds, opened, key, cases, first));
            first += cases.Count;
        }
        return new ExperimentPlan(spec, datasets, methods, configs);
    }

    /// <summary><c>name</c>, or <c>name(k=v,…)</c> with the loader options sorted by key.</summary>
    public static string DatasetKey(string name, IReadOnlyDictionary<string, string> options) =>
        options.Count == 0 ? name : name + "(" + string.Join(",", options.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)) + ")";

    private static IReadOnlyList<CaseDescriptor> Select(IDataset ds, DatasetSpec spec)
    {
        var systems = spec.Systems;
        var faults = spec.Faults;
        foreach (var s in systems ?? [])
            if (!ds.Cases.Any(c => c.System == s))
                throw (spec.SystemsWhere ?? spec.Where).Error(new UnknownNameException($"system of '{ds.Name}'", s, ds.Cases.Select(c => c.System).Distinct()).Message);
        foreach (var f in faults ?? [])
            if (!ds.Cases.Any(c => c.FaultType == f || c.FaultClass == f))
                throw (spec.FaultsWhere ?? spec.Where).Error(new UnknownNameException($"fault type or class of '{ds.Name}'", f,
                    ds.Cases.Select(c => c.FaultType).Concat(ds.Cases.Select(c => c.FaultClass ?? c.FaultType)).Distinct()).Message);
        return ds.Cases
            .Where(c => (systems is null || systems.Contains(c.System)) && (faults is null || faults.Contains(c.FaultType) || (c.FaultClass is { } fc && faults.Contains(fc))))
            .Take(spec.Limit ?? int.MaxValue)
            .ToArray();
    }
}
