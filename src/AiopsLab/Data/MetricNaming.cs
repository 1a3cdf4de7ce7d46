namespace AiopsLab.Data;

/// <summary>A metric column split into the entity it belongs to (container, pod, service, AWS resource) and its kind.</summary>
/// <param name="Entity">The entity as named in the data, e.g. <c>carts-db</c> or <c>cartservice</c>.</param>
/// <param name="Kind">The metric kind, e.g. <c>cpu</c>, <c>lat_90</c>, <c>PodClientLatencyP90(s)</c>.</param>
public readonly record struct MetricRef(string Entity, string Kind);

/// <summary>
/// How a dataset names its metric columns. Every dataset maps each column to (entity, kind) and each entity to the
/// service it is scored as, so that localizers and scorers work the same on every dataset.
/// </summary>
/// <remarks>
/// Service-level scoring follows RCAEval's convention (Pham et al., ASE 2024, and the RCAEval evaluation code): a metric
/// counts for the service its entity belongs to, and a database container counts as its service, so
/// <c>carts-db_cpu</c> ranks <c>carts</c>. Datasets define the entity-to-service map through <see cref="ServiceOfEntity"/>.
/// </remarks>
public abstract class MetricNaming
{
    /// <summary>Splits a column name into entity and kind.</summary>
    public abstract MetricRef Parse(string column);

    /// <summary>The service an entity is scored as. The default is the entity itself.</summary>
    public virtual string ServiceOfEntity(string entity) => entity;

    /// <summary>The service a column is scored as.</summary>
    public string ServiceOf(string column) => ServiceOfEntity(Parse(column).Entity);

    /// <summary>Metric kind of a column.</summary>
    public string KindOf(string column) => Parse(column).Kind;

    /// <summary>Distinct services among <paramref name="columns"/>, in order of first appearance.</summary>
    public IReadOnlyList<string> Services(IEnumerable<string> columns)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<string>();
        foreach (var c in columns)
        {
            var s = ServiceOf(c);
            if (seen.Add(s)) list.Add(s);
        }
        return list;
    }
}

/// <summary>
/// Columns named <c>entity{separator}kind</c>. With <c>splitAtLast=false</c> the entity is the part before the first
/// separator (<c>carts_lat_90</c> → carts / lat_90); with <c>true</c> it is the part before the last one.
/// A column without the separator is its own entity with kind "".
/// </summary>
public class DelimitedNaming : MetricNaming
{
    private readonly string _separator;
    private readonly bool _splitAtLast;
    private readonly Func<string, string>? _service;

    /// <param name="separator">Between entity and kind.</param>
    /// <param name="splitAtLast">Split at the last separator instead of the first.</param>
    /// <param name="serviceOfEntity">Entity → service map; identity when null.</param>
    public DelimitedNaming(string separator = "_", bool splitAtLast = false, Func<string, string>? serviceOfEntity = null)
    {
        if (string.IsNullOrEmpty(separator)) throw new ArgumentException("separator must not be empty.", nameof(separator));
        _separator = separator;
        _splitAtLast = splitAtLast;
        _service = serviceOfEntity;
    }

    public string Separator => _separator;

    public override MetricRef Parse(string column)
    {
        int i = _splitAtLast ? column.LastIndexOf(_separator, StringComparison.Ordinal) : column.IndexOf(_separator, StringComparison.Ordinal);
        return i < 0 ? new MetricRef(column, "") : new MetricRef(column[..i], column[(i + _separator.Length)..]);
    }

    public override string ServiceOfEntity(string entity) => _service is null ? entity : _service(entity);

    /// <summary>Builds a column name in this naming.</summary>
    public string Compose(string entity, string kind) => entity + _separator + kind;

    /// <summary>
    /// RCAEval's container-to-service rule: strip a trailing <c>-db</c> (also <c>-mongodb</c>, <c>-mysql</c>, <c>-redis</c>),
    /// so a database container counts as the service it stores data for.
    /// </summary>
    public static string StripDatabaseSuffix(string entity)
    {
        foreach (var suffix in DatabaseSuffixes)
            if (entity.Length > suffix.Length && entity.EndsWith(suffix, StringComparison.Ordinal))
                return entity[..^suffix.Length];
        return entity;
    }

    private static readonly string[] DatabaseSuffixes = ["-mongodb", "-mysql", "-redis", "-db"];
}
