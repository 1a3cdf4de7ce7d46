using System.Globalization;
using AiopsLab.Data;
using Microsoft.Data.Sqlite;
using AiopsLab.Evaluation;
using AiopsLab.Methods;

namespace AiopsLab.Experiments;

public sealed partial class RunStore
{
    // ---------------------------------------------------------------- reading

    /// <summary>The current experiment, or null for an empty store.</summary>
    public StoreMeta? Meta()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT key, value FROM meta;";
            using var r = cmd.ExecuteReader();
            while (r.Read()) d[r.GetString(0)] = r.GetString(1);
        }
        if (!d.TryGetValue("experiment", out var name)) return null;
        static long[] Longs(string? s) => string.IsNullOrEmpty(s) ? [] : s.Split(',').Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return new StoreMeta(name, d.GetValueOrDefault("kind") == "shortcut" ? StoreKind.Shortcut : StoreKind.Experiment,
            d.GetValueOrDefault("spec_file", ""), d.GetValueOrDefault("spec_text", ""), d.GetValueOrDefault("identity", ""),
            Longs(d.GetValueOrDefault("seeds")), Longs(d.GetValueOrDefault("delays")),
            double.Parse(d.GetValueOrDefault("timeout_seconds", "0"), CultureInfo.InvariantCulture));
    }

    /// <summary>Metric sets by id.</summary>
    public IReadOnlyDictionary<long, MetricSet> MetricSets()
    {
        var d = new Dictionary<long, MetricSet>();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT id, json FROM metric_sets;";
        using var r = cmd.ExecuteReader();
        while (r.Read()) d[r.GetInt64(0)] = MetricSet.FromJson(r.GetString(1));
        return d;
    }

    /// <summary>
    /// The runs of the current experiment (active datasets, cases and configs; the meta's seeds and delays), streamed in
    /// report order: case order, seed, delay, config order; each as the <see cref="CaseOutcome"/> the runner wrote, its
    /// ranks read from the store (as scored when the run was made, never re-derived). With <paramref name="rankings"/>,
    /// the full metric ranking, the service ranking and the diagnostics are decoded too; without, those stay empty.
    /// Reads case by case (one indexed lookup each), so memory stays flat however many rows the store holds.
    /// </summary>
    public IEnumerable<CaseOutcome> ReadRuns(bool rankings = false)
    {
        var meta = Meta();
        if (meta is null) yield break;
        var sets = rankings ? MetricSets() : null;
        var keptSets = sets ?? (HasKeptColumn ? MetricSets() : null); // kept sets are small: decoded on every read
        var seeds = meta.Seeds.ToHashSet();
        var delays = meta.Delays.ToHashSet();
        var configs = new Dictionary<long, (string Method, string Window, string Detection, long Ord)>();
        using (var q = _db.CreateCommand())
        {
            q.CommandText = "SELECT id, method, window, detection, ord FROM configs WHERE active = 1;";
            using var r = q.ExecuteReader();
            while (r.Read()) configs[r.GetInt64(0)] = (r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4));
        }
        using var cases = _db.CreateCommand();
        cases.CommandText = $"""
            SELECT c.id, d.key, d.name, c.case_id, c.ord, c.system, c.fault, c.fault_class, c.root_cause, c.root_cause_metric, c.service_count, {(HasInnerColumns ? "c.inner_root_cause" : "NULL")}
            FROM cases c JOIN datasets d ON d.id = c.dataset_id WHERE c.active = 1 AND d.active = 1 ORDER BY c.ord;
            """;
        using var runs = _db.CreateCommand();
        runs.CommandText = $"""
            SELECT config_ref, seed, delay, status, seconds, load_seconds, anomaly_time, rank, metric_rank, metric_set, ranking, diagnostics, error, data_error, {(HasInnerColumns ? "inner_rank" : "NULL")}, {(HasKeptColumn ? "kept" : "NULL")}
            FROM runs WHERE case_ref = $c;
            """;
        var pc = runs.Parameters.Add("$c", SqliteType.Integer);
        runs.Prepare();
        using var cr = cases.ExecuteReader();
        var batch = new List<CaseOutcome>();
        while (cr.Read())
        {
            pc.Value = cr.GetInt64(0);
            var info = new CaseOutcome
            {
                DatasetKey = cr.GetString(1), Dataset = cr.GetString(2), CaseId = cr.GetString(3), CaseOrd = cr.GetInt64(4),
                System = cr.GetString(5), Fault = cr.GetString(6), FaultClass = cr.IsDBNull(7) ? null : cr.GetString(7),
                RootCause = cr.GetString(8), RootCauseMetric = cr.IsDBNull(9) ? null : cr.GetString(9), ServiceCount = cr.GetInt32(10),
                InnerRootCause = cr.IsDBNull(11) ? null : cr.GetString(11),
                Method = "", Status = RunStatus.Failed,
            };
            batch.Clear();
            using (var r = runs.ExecuteReader())
                while (r.Read())
                {
                    if (!configs.TryGetValue(r.GetInt64(0), out var g)) continue;
                    long seed = r.GetInt64(1), delay = r.GetInt64(2);
                    if (!seeds.Contains(seed) || !delays.Contains(delay)) continue;
                    var o = info with
                    {
                        Method = g.Method, Window = g.Window, Detection = g.Detection, ConfigOrd = g.Ord,
                        Seed = seed, Delay = delay, Status = (RunStatus)r.GetInt32(3), Seconds = r.GetDouble(4),
                        LoadSeconds = r.GetDouble(5), AnomalyTime = r.IsDBNull(6) ? 0 : r.GetInt64(6),
                        Rank = r.IsDBNull(7) ? null : r.GetInt32(7), MetricRank = r.IsDBNull(8) ? null : r.GetInt32(8),
                        Error = r.IsDBNull(12) ? null : r.GetString(12), DataError = r.GetInt32(13) != 0,
                        InnerRank = r.IsDBNull(14) ? null : r.GetInt32(14),
                    };
                    if (!r.IsDBNull(15) && !r.IsDBNull(9)) o = o with { Kept = KeptNames((byte[])r[15], keptSets!.TryGetValue(r.GetInt64(9), out var ks) ? ks
                        : throw new AiopsLabException($"run store: metric set {r.GetInt64(9)} of case '{o.CaseId}' is missing."), o.CaseId) };
                    if (sets is not null) o = WithRanking(o, r.IsDBNull(9) ? null : r.GetInt64(9), r.IsDBNull(10) ? null : (byte[])r[10],
                        r.IsDBNull(11) ? null : r.GetString(11), sets);
                    batch.Add(o);
                }
            batch.Sort((a, b) => a.Seed != b.Seed ? a.Seed.CompareTo(b.Seed) : a.Delay != b.Delay ? a.Delay.CompareTo(b.Delay) : a.ConfigOrd.CompareTo(b.ConfigOrd));
            foreach (var x in batch) yield return x;
        }
    }

    /// <summary>Kept metric names from a stored index list over the run's metric set.</summary>
    private static string[] KeptNames(byte[] blob, MetricSet set, string caseId)
    {
        var idx = RankingCodec.DecodeIndices(blob);
        var names = new string[idx.Length];
        for (int i = 0; i < idx.Length; i++)
        {
            if ((uint)idx[i] >= (uint)set.Names.Count) throw new AiopsLabException($"run store: a kept set of case '{caseId}' refers to metric {idx[i]} of a set of {set.Names.Count}.");
            names[i] = set.Names[idx[i]];
        }
        return names;
    }

    /// <summary>Decodes a stored ranking (indices into metric set <paramref name="setRef"/>) and diagnostics into <paramref name="o"/>.</summary>
    private static CaseOutcome WithRanking(CaseOutcome o, long? setRef, byte[]? blob, string? diagnostics, IReadOnlyDictionary<long, MetricSet> sets)
    {
        var diag = new Dictionary<string, double>(StringComparer.Ordinal);
        if (diagnostics is not null)
            foreach (var p in System.Text.Json.JsonDocument.Parse(diagnostics).RootElement.EnumerateObject()) diag[p.Name] = p.Value.GetDouble();
        if (o.Status != RunStatus.Ok || blob is null || setRef is not { } sid) return o with { Diagnostics = diag };
        if (!sets.TryGetValue(sid, out var set)) throw new AiopsLabException($"run store: metric set {sid} of case '{o.CaseId}' is missing.");
        var (idx, scores) = RankingCodec.Decode(blob);
        var ranking = new RankedMetric[idx.Length];
        for (int i = 0; i < idx.Length; i++) ranking[i] = new RankedMetric(set.Names[idx[i]], scores[i]);
        return o with { Ranking = ranking, Services = set.ServiceRanking(idx), Diagnostics = diag };
    }

    /// <summary>Rows a complete run of the current experiment has, and how many of them the store holds.</summary>
    public (long Expected, long Present) Completeness()
    {
        var meta = Meta();
        if (meta is null) return (0, 0);
        long cases = (long)Scalar(_db, "SELECT count(*) FROM cases c JOIN datasets d ON d.id=c.dataset_id WHERE c.active=1 AND d.active=1;")!;
        long configs = (long)Scalar(_db, "SELECT count(*) FROM configs WHERE active=1;")!;
        long present = ReadRunsCount(meta);
        return (cases * configs * meta.Seeds.Count * meta.Delays.Count, present);
    }

    private long ReadRunsCount(StoreMeta meta)
    {
        var seeds = string.Join(",", meta.Seeds.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        var delays = string.Join(",", meta.Delays.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        return (long)Scalar(_db, $"""
            SELECT count(*) FROM runs r JOIN cases c ON c.id = r.case_ref JOIN datasets d ON d.id = c.dataset_id JOIN configs g ON g.id = r.config_ref
            WHERE c.active = 1 AND d.active = 1 AND g.active = 1 AND r.seed IN ({seeds}) AND r.delay IN ({delays});
            """)!;
    }

    /// <summary>Invocations: (id, started, finished, command, shard, rows, outcome, provenance JSON).</summary>
    public IReadOnlyList<(long Id, string Started, string? Finished, string Command, string Shard, long Rows, string Outcome, string Provenance)> Invocations()
    {
        var list = new List<(long, string, string?, string, string, long, string, string)>();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT id, started_utc, finished_utc, command, shard, rows_written, outcome, provenance FROM invocations ORDER BY id;";
        using var r = cmd.ExecuteReader();
        while (r.Read())
            list.Add((r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.GetString(6), r.GetString(7)));
        return list;
    }

    /// <summary>Active datasets: key, name, location, checksum, files, bytes.</summary>
    public IReadOnlyList<(string Key, string Name, string Location, string? Checksum, long Files, long Bytes)> Datasets()
    {
        var list = new List<(string, string, string, string?, long, long)>();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT key, name, location, checksum, coalesce(files,0), coalesce(bytes,0) FROM datasets WHERE active=1 ORDER BY ord;";
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetInt64(4), r.GetInt64(5)));
        return list;
    }

    /// <summary>
    /// The label of each active dataset by key: its name, or its key where the experiment holds two datasets of the same
    /// name (e.g. nezha with and without <c>sources</c>), so tables never pool two of them under one name.
    /// </summary>
    public IReadOnlyDictionary<string, string> DatasetLabels()
    {
        var list = Datasets();
        var count = list.GroupBy(d => d.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return list.ToDictionary(d => d.Key, d => count[d.Name] > 1 ? d.Key : d.Name, StringComparer.Ordinal);
    }

    /// <summary><c>PRAGMA integrity_check</c>: "ok" for a sound file.</summary>
    public string IntegrityCheck() => (string)Scalar(_db, "PRAGMA integrity_check;")!;

    /// <summary>Folds the WAL into the database file, so the folder can be copied as one file.</summary>
    public void Checkpoint() => Exec(_db, "PRAGMA wal_checkpoint(TRUNCATE);");
}
