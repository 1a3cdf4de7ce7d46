using AiopsLab.Data;

namespace AiopsLab.Datasets;

/// <summary>
/// A set of fault cases. Listing cases (<see cref="Cases"/>) is cheap and reads labels only; <see cref="Load"/> reads one
/// case's metrics, so a run streams cases and never holds them all.
/// </summary>
public interface IDataset
{
    /// <summary>Catalog name (<c>rcd-sockshop</c>) or, for a folder given by path, its folder name.</summary>
    string Name { get; }

    /// <summary>Folder the data is read from, or <c>(generated)</c>.</summary>
    string Location { get; }

    /// <summary>Every case, in a stable order.</summary>
    IReadOnlyList<CaseDescriptor> Cases { get; }

    /// <summary>Things a user should know about this copy of the data (e.g. cases whose normal data is absent).</summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>Loads one case.</summary>
    /// <exception cref="DataFormatException">A file of the case is malformed (message names file and line).</exception>
    /// <exception cref="CaseUnavailableException">The case cannot be run as it is (see <see cref="CaseDescriptor.Problem"/>).</exception>
    FaultCase Load(CaseDescriptor descriptor, CancellationToken ct = default);
}

/// <summary>
/// Base of the datasets read from a folder: the name and location, the cases (which may not be empty) and the notes, all
/// set by the constructor.
/// </summary>
public abstract class FolderDataset(string folder, string name) : IDataset
{
    public string Name { get; } = name;
    public string Location { get; } = folder;
    public IReadOnlyList<CaseDescriptor> Cases { get; private set; } = [];
    public IReadOnlyList<string> Notes { get; protected init; } = [];

    public abstract FaultCase Load(CaseDescriptor descriptor, CancellationToken ct = default);

    /// <summary>Sets <see cref="Cases"/>.</summary>
    /// <exception cref="AiopsLabException"><paramref name="cases"/> is empty: the message is <paramref name="noneFound"/>.</exception>
    protected void SetCases(IReadOnlyList<CaseDescriptor> cases, string noneFound) =>
        Cases = cases.Count > 0 ? cases : throw new AiopsLabException(noneFound);

    /// <summary>The folder <paramref name="sub"/> of the dataset's folder, where the layout keeps its data.</summary>
    /// <exception cref="AiopsLabException">It is missing: the folder is not <paramref name="layout"/>.</exception>
    protected string Subfolder(string sub, string layout)
    {
        var path = Path.Combine(Location, sub);
        return Directory.Exists(path) ? path : throw new AiopsLabException($"'{Location}' has no '{sub}' folder; it is not {layout}.");
    }
}

/// <summary>
/// A dataset format: opens a folder laid out that way. Mark the class with <see cref="DatasetLayoutAttribute"/>; the
/// catalog finds it by reflection.
/// </summary>
public interface IDatasetLayout
{
    /// <summary>True when <paramref name="folder"/> looks like this layout (used when <c>--dataset</c> is a path).</summary>
    bool Detect(string folder);

    /// <summary>Opens the folder. <paramref name="name"/> is the dataset name to report.</summary>
    IDataset Open(string folder, string name, DatasetOptions options);

    /// <summary>The options this layout understands, with their meaning and default, for help text; none unless the layout
    /// says (<see cref="Open"/> then rejects every option).</summary>
    IReadOnlyList<(string Key, string Meaning, string Default)> OptionHelp => [];

    /// <summary>True when <paramref name="folder"/> has a subfolder <paramref name="sub"/> with a file matching
    /// <paramref name="pattern"/> somewhere below it: the test the layouts with a data folder of their own use to detect it.</summary>
    static bool HasFileUnder(string folder, string sub, string pattern)
    {
        var dir = Path.Combine(folder, sub);
        return Directory.Exists(dir) && Directory.EnumerateFiles(dir, pattern, SearchOption.AllDirectories).Any();
    }
}

/// <summary>Registers an <see cref="IDatasetLayout"/> under a layout name used in <c>datasets/catalog.yaml</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class DatasetLayoutAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    /// <summary>Order in which layouts are tried when detecting a folder's layout (lower first).</summary>
    public int DetectOrder { get; init; } = 100;
}

/// <summary>
/// Loader options as key=value text (<c>--dataset-option before=600</c>). Each layout reads the keys it knows and calls
/// <see cref="CheckKnown"/> so that a mistyped key is an error rather than silently ignored.
/// </summary>
public sealed class DatasetOptions
{
    private readonly SortedDictionary<string, string> _values;

    public DatasetOptions(IEnumerable<KeyValuePair<string, string>>? values = null)
    {
        _values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in values ?? []) _values[Methods.OptionsBinder.Kebab(k.Trim())] = v.Trim();
    }

    public static DatasetOptions None { get; } = new();

    /// <summary>Parses <c>key=value</c> strings.</summary>
    public static DatasetOptions Parse(IEnumerable<string> pairs) => new(pairs.Select(p =>
    {
        int eq = p.IndexOf('=');
        if (eq <= 0) throw new AiopsLabException($"dataset option '{p}' must be written key=value.");
        return new KeyValuePair<string, string>(p[..eq], p[(eq + 1)..]);
    }));

    public IReadOnlyDictionary<string, string> Values => _values;

    public bool Has(string key) => _values.ContainsKey(key);

    public string? GetString(string key) => _values.TryGetValue(key, out var v) ? v : null;

    public T Get<T>(string key, T fallback)
    {
        if (!_values.TryGetValue(key, out var v)) return fallback;
        try { return (T)Methods.OptionsBinder.ParseValue(typeof(T), v)!; }
        catch (FormatException e) { throw new AiopsLabException($"dataset option '{key}': {e.Message}"); }
    }

    /// <summary>Throws if any key is not in <paramref name="known"/>.</summary>
    public void CheckKnown(string dataset, IEnumerable<string> known)
    {
        var set = known.ToHashSet(StringComparer.Ordinal);
        foreach (var k in _values.Keys)
            if (!set.Contains(k)) throw new UnknownNameException($"option of dataset '{dataset}'", k, set);
    }

    /// <summary>These options without <paramref name="key"/>.</summary>
    public DatasetOptions Without(string key) => new(_values.Where(kv => kv.Key != key));

    public override string ToString() => string.Join(",", _values.Select(kv => kv.Key + "=" + kv.Value));
}
