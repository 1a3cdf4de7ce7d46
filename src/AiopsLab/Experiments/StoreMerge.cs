using System.Globalization;
using AiopsLab.Data;

namespace AiopsLab.Experiments;

/// <summary>What a merge did.</summary>
public sealed record MergeResult(int Stores, long Rows, long Duplicates, long ExpectedRows);

/// <summary>
/// Combines run stores of one experiment (typically its <c>--shard I/N</c> parts) into a new store. The stores must hold
/// the same experiment (same datasets and selected cases, configurations, seeds and delays) and the same data (dataset
/// checksums). Rows are matched by content (dataset key, case id, configuration hash, seed, delay), never by row id;
/// a row present in several inputs is taken from the first one given. The merged store reads exactly like the store of
/// a single-process run, and every invocation's provenance is kept.
/// </summary>
public static class StoreMerge
{
    public static MergeResult Merge(IReadOnlyList<string> inputs, string outDir)
    {
        if (inputs.Count == 0) throw new AiopsLabException("merge: give at least one run store folder.");
        var outFile = RunStore.FileOf(outDir);
        var files = inputs.Select(RunStore.FileOf).ToArray();
        foreach (var (f, i) in files.Select((f, i) => (f, i)))
        {
            if (!File.Exists(f)) throw new AiopsLabException($"merge: no run store at '{inputs[i]}' ('{f}' does not exist).");
            if (string.Equals(Path.GetFullPath(f), Path.GetFullPath(outFile), StringComparison.Ordinal))
                throw new AiopsLabException($"merge: the output '{outDir}' is also an input; merge into a new folder.");
        }
        if (files.Distinct(StringComparer.Ordinal).Count() != files.Length) throw new AiopsLabException("merge: a store is given twice.");
        if (File.Exists(outFile)) throw new AiopsLabException($"merge: '{outFile}' already exists; merge into a new folder.");

        // Check the inputs agree before writing anything.
        StoreMeta? first = null;
        var inner = new bool[files.Length];
        var kept = new bool[files.Length];
        var checksums = new Dictionary<string, (string? Sum, string From)>(StringComparer.Ordinal);
        for (int i = 0; i < files.Length; i++)
        {
            using var s = RunStore.Open(files[i]);
            inner[i] = s.HasInnerColumns;
            kept[i] = s.HasKeptColumn;
            var m = s.Meta() ?? throw new AiopsLabException($"merge: '{inputs[i]}' holds no experiment.");
            if (first is null) first = m;
            else if (m.Identity != first.Identity)
                throw new AiopsLabException($"merge: '{inputs[i]}' holds a different experiment than '{inputs[0]}' ({Difference(first.Identity, m.Identity)}); only stores of the same spec and data can be merged.");
            foreach (var d in s.Datasets())
            {
                if (checksums.TryGetValue(d.Key, out var seen) && seen.Sum != d.Checksum)
                    throw new AiopsLabException($"merge: dataset '{d.Key}' has checksum {d.Checksum ?? "(none)"} in '{inputs[i]}' but {seen.Sum ?? "(none)"} in '{seen.From}': the stores were run on different data.");
                checksums.TryAdd(d.Key, (d.Checksum, inputs[i]));
            }
        }

        long duplicates = 0;
        using var store = RunStore.Create(Path.GetDirectoryName(outFile)!);
        var db = store.Connection;
        for (int i = 0; i < files.Length; i++)
        {
            RunStore.Exec(db, "ATTACH DATABASE $f AS src;", null, ("$f", files[i]));
            try
            {
                using var tx = db.BeginTransaction();
                if (i == 0) RunStore.Exec(db, "INSERT INTO meta(key, value) SELECT key, value FROM src.meta;", tx);
                RunStore.Exec(db, """
                    CREATE TEMP TABLE inv_map(old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
                    """, tx);
                using (var q = db.CreateCommand())
                {
                    q.Transaction = tx;
                    q.CommandText = "SELECT id, started_utc, finished_utc, command, shard, rows_written, outcome, provenance FROM src.invocations ORDER BY id;";
                    var rowsIn = new List<object[]>();
                    using (var r = q.ExecuteReader())
                        while (r.Read()) { var v = new object[8]; r.GetValues(v); rowsIn.Add(v); }
                    foreach (var v in rowsIn)
                    {
                        var id = RunStore.Scalar(db, """
                            INSERT INTO invocations(started_utc, finished_utc, command, shard, rows_written, outcome, provenance)
                            VALUES($s, $f, $c, $sh, $n, $o, $p) RETURNING id;
                            """, tx, ("$s", v[1]), ("$f", v[2]), ("$c", v[3]), ("$sh", v[4]), ("$n", v[5]), ("$o", v[6]), ("$p", v[7]));
                        RunStore.Exec(db, "INSERT INTO inv_map(old, new) VALUES($a, $b);", tx, ("$a", v[0]), ("$b", id));
                    }
                }
                RunStore.Exec(db, $"""
                    INSERT INTO datasets(key, name, location, checksum, files, bytes, ord, active)
                      SELECT key, name, location, checksum, files, bytes, ord, active FROM src.datasets WHERE true
                      ON CONFLICT(key) DO UPDATE SET active = max(active, excluded.active);
                    INSERT INTO cases(dataset_id, case_id, ord, active, system, fault, fault_class, root_cause, root_cause_metric, service_count, loaded, inner_root_cause)
                      SELECT d.id, c.case_id, c.ord, c.active, c.system, c.fault, c.fault_class, c.root_cause, c.root_cause_metric, c.service_count, c.loaded, {(inner[i] ? "c.inner_root_cause" : "NULL")}
                      FROM src.cases c JOIN src.datasets sd ON sd.id = c.dataset_id JOIN datasets d ON d.key = sd.key WHERE true
                      ON CONFLICT(dataset_id, case_id) DO UPDATE SET
                        active = max(active, excluded.active),
                        fault = CASE WHEN loaded = 0 AND excluded.loaded = 1 THEN excluded.fault ELSE fault END,
                        fault_class = CASE WHEN loaded = 0 AND excluded.loaded = 1 THEN excluded.fault_class ELSE fault_class END,
                        root_cause = CASE WHEN loaded = 0 AND excluded.loaded = 1 THEN excluded.root_cause ELSE root_cause END,
                        root_cause_metric = CASE WHEN loaded = 0 AND excluded.loaded = 1 THEN excluded.root_cause_metric ELSE root_cause_metric END,
                        service_count = CASE WHEN loaded = 0 AND excluded.loaded = 1 THEN excluded.service_count ELSE service_count END,
                        inner_root_cause = CASE WHEN loaded = 0 AND excluded.loaded = 1 THEN excluded.inner_root_cause ELSE inner_root_cause END,
                        loaded = max(loaded, excluded.loaded);
                    INSERT INTO configs(hash, method, window, detection, ord, active)
                      SELECT hash, method, window, detection, ord, active FROM src.configs WHERE true
                      ON CONFLICT(hash) DO UPDATE SET active = max(active, excluded.active);
                    INSERT INTO metric_sets(hash, json) SELECT hash, json FROM src.metric_sets WHERE true ON CONFLICT(hash) DO NOTHING;
                    """, tx);
                long before = (long)RunStore.Scalar(db, "SELECT count(*) FROM runs;", tx)!;
                long incoming = (long)RunStore.Scalar(db, "SELECT count(*) FROM src.runs;", tx)!;
                RunStore.Exec(db, $"""
                    INSERT INTO runs(case_ref, config_ref, seed, delay, status, seconds, load_seconds, anomaly_time, rank, metric_rank,
                                     metric_set, ranking, diagnostics, error, data_error, invocation, inner_rank, kept)
                      SELECT c.id, g.id, r.seed, r.delay, r.status, r.seconds, r.load_seconds, r.anomaly_time, r.rank, r.metric_rank,
                             m.id, r.ranking, r.diagnostics, r.error, r.data_error, im.new, {(inner[i] ? "r.inner_rank" : "NULL")}, {(kept[i] ? "r.kept" : "NULL")}
                      FROM src.runs r
                      JOIN src.cases sc ON sc.id = r.case_ref JOIN src.datasets sd ON sd.id = sc.dataset_id
                      JOIN datasets d ON d.key = sd.key JOIN cases c ON c.dataset_id = d.id AND c.case_id = sc.case_id
                      JOIN src.configs sg ON sg.id = r.config_ref JOIN configs g ON g.hash = sg.hash
                      LEFT JOIN src.metric_sets sm ON sm.id = r.metric_set LEFT JOIN metric_sets m ON m.hash = sm.hash
                      LEFT JOIN inv_map im ON im.old = r.invocation
                      WHERE true
                      ON CONFLICT(case_ref, config_ref, seed, delay) DO NOTHING;
                    DROP TABLE temp.inv_map;
                    """, tx);
                long after = (long)RunStore.Scalar(db, "SELECT count(*) FROM runs;", tx)!;
                duplicates += incoming - (after - before);
                tx.Commit();
            }
            finally { RunStore.Exec(db, "DETACH DATABASE src;"); }
        }
        var prov = Provenance.Capture();
        RunStore.Exec(db, "INSERT INTO invocations(started_utc, finished_utc, command, shard, rows_written, outcome, provenance) VALUES($s, $s, $c, 'merge', 0, 'complete', $p);", null,
            ("$s", prov.StartedUtc), ("$c", "merge " + string.Join(" ", inputs)), ("$p", prov.ToJson()));
        store.Checkpoint();
        var (expected, present) = store.Completeness();
        return new MergeResult(files.Length, present, duplicates, expected);
    }

    private static string Difference(string a, string b)
    {
        var la = a.Split('\n').ToHashSet(StringComparer.Ordinal);
        var lb = b.Split('\n').ToHashSet(StringComparer.Ordinal);
        var diff = la.Except(lb).Concat(lb.Except(la)).Select(l => l.Split('=')[0]).Distinct(StringComparer.Ordinal).ToArray();
        return "they differ in " + string.Join(", ", diff.Select(d => d switch { "dataset" or "cases" => "datasets or cases", "config" => "methods, windows or detection", _ => d }).Distinct(StringComparer.Ordinal)).ToString(CultureInfo.InvariantCulture);
    }
}
