using System.Globalization;
using AiopsLab.Data;
using Microsoft.Data.Sqlite;
using AiopsLab.Evaluation;

namespace AiopsLab.Experiments;

/// <summary>How the results in a store were asked for: an experiment spec, or a <c>run --dataset</c>/<c>quickstart</c> shortcut.</summary>
public enum StoreKind { Experiment, Shortcut }

/// <summary>What a store's current experiment is.</summary>
public sealed record StoreMeta(string Experiment, StoreKind Kind, string SpecFile, string SpecText, string Identity,
    IReadOnlyList<long> Seeds, IReadOnlyList<long> Delays, double TimeoutSeconds);

/// <summary>What loading a case told about it (the label's fields and the case's columns).</summary>
public sealed record CaseInfo(string Fault, string? FaultClass, string RootCause, string? RootCauseMetric, int ServiceCount, MetricSet Metrics);

/// <summary>One row to write: one method configuration with one seed and delay on one case.</summary>
public sealed record RunRow(long ConfigRef, long Seed, long Delay, RunStatus Status, double Seconds, double LoadSeconds)
{
    public long? AnomalyTime { get; init; }
    public int? Rank { get; init; }
    public int? MetricRank { get; init; }
    /// <summary>Encoded ranking (<see cref="RankingCodec"/>) over <see cref="Set"/>; null when not ok.</summary>
    public byte[]? Ranking { get; init; }
    public MetricSet? Set { get; init; }
    public string? Diagnostics { get; init; }
    public string? Error { get; init; }
    public bool DataError { get; init; }
}

/// <summary>All rows of one case: written in one transaction, so a case is in the store completely or not at all.</summary>
public sealed record CaseResult(long CaseRef, CaseInfo? Info, IReadOnlyList<RunRow> Rows);

/// <summary>One stored row joined with its case and configuration, as reports read it.</summary>
public sealed record StoredRun
{
    public required string DatasetKey { get; init; }
    public required string Dataset { get; init; }
    public required string CaseId { get; init; }
    public long CaseOrd { get; init; }
    public required string System { get; init; }
    public required string Fault { get; init; }
    public string? FaultClass { get; init; }
    public required string RootCause { get; init; }
    public string? RootCauseMetric { get; init; }
    public int ServiceCount { get; init; }
    public required string Method { get; init; }
    public required string Window { get; init; }
    public required string Detection { get; init; }
    public long ConfigOrd { get; init; }
    public long Seed { get; init; }
    public long Delay { get; init; }
    public RunStatus Status { get; init; }
    public double Seconds { get; init; }
    public double LoadSeconds { get; init; }
    public long? AnomalyTime { get; init; }
    /// <summary>Rank as computed when the row was written (reports recompute it from <see cref="Ranking"/>).</summary>
    public int? StoredRank { get; init; }
    public int? StoredMetricRank { get; init; }
    public long? MetricSetRef { get; init; }
    public byte[]? Ranking { get; init; }
    public string? Diagnostics { get; init; }
    public string? Error { get; init; }
    public bool DataError { get; init; }
}

/// <summary>
/// The run store: a SQLite database (<c>runs.db</c>) in the output folder, one row per (case, configuration, seed,
/// delay) with its status, full ranking, timings and error text, plus the provenance of every invocation, the dataset
/// checksums and the spec. The cache of the experiment: a rerun skips rows already there.
/// </summary>
/// <remarks>
/// <para><b>Crash safety.</b> WAL journal, <c>synchronous=NORMAL</c>: a committed transaction survives the process being
/// killed (not necessarily a power cut). Each case's rows, with its label information, are written in one transaction
/// (several completed cases may share one); a run killed with <c>kill -9</c> loses only cases whose transaction had not
/// committed, and the file stays valid.</para>
/// <para><b>Layout.</b> <c>datasets</c> (key, checksum), <c>cases</c> (label fields, service count), <c>configs</c>
/// (method, window, detection, hash), <c>metric_sets</c> (a case's column names and their services, stored once per
/// distinct list), <c>runs</c> (the rows; rankings as index arrays into a metric set with their scores,
/// <see cref="RankingCodec"/>), <c>invocations</c> (provenance JSON), <c>meta</c> (the current experiment). Datasets,
/// cases and configs carry <c>ord</c> (their order in the experiment) and <c>active</c> (part of the current
/// experiment): rows of methods since removed from the spec stay as cache but are not reported.</para>
/// </remarks>
public sealed class RunStore : IDisposable
{
    public const string FileName = "runs.db";
    public const int SchemaVersion = 1;

    private readonly SqliteConnection _db;
    private readonly Dictionary<string, long> _setIds = new(StringComparer.Ordinal);
    private SqliteCommand? _insertRun;

    private RunStore(string path, SqliteConnection db)
    {
        Path = path;
        _db = db;
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    internal SqliteConnection Connection => _db;

    /// <summary>The database file of a store folder (or the file itself when given one).</summary>
    public static string FileOf(string folderOrFile) =>
        File.Exists(folderOrFile) && !Directory.Exists(folderOrFile) ? System.IO.Path.GetFullPath(folderOrFile) : System.IO.Path.Combine(System.IO.Path.GetFullPath(folderOrFile), FileName);

    /// <summary>Opens the store in <paramref name="folder"/>, creating the folder and the database when absent.</summary>
    public static RunStore Create(string folder)
    {
        var full = System.IO.Path.GetFullPath(folder);
        try { Directory.CreateDirectory(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new AiopsLabException($"cannot create output folder '{full}': {e.Message}"); }
        return OpenFile(System.IO.Path.Combine(full, FileName), create: true);
    }

    /// <summary>Opens an existing store (a folder holding runs.db, or the file).</summary>
    /// <exception cref="AiopsLabException">No store there, or not a store.</exception>
    public static RunStore Open(string folderOrFile)
    {
        var file = FileOf(folderOrFile);
        if (!File.Exists(file)) throw new AiopsLabException($"no run store at '{folderOrFile}': '{file}' does not exist (run an experiment with --out there first).");
        return OpenFile(file, create: false);
    }

    private static RunStore OpenFile(string file, bool create)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = file, Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 }.ToString();
        var db = new SqliteConnection(cs);
        try
        {
            db.Open();
            Exec(db, "PRAGMA journal_mode=WAL;");
            Exec(db, "PRAGMA synchronous=NORMAL;");
            Exec(db, "PRAGMA busy_timeout=30000;");
            var store = new RunStore(file, db);
            store.EnsureSchema(create);
            return store;
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new AiopsLabException($"run store '{file}': {e.Message}");
        }
    }

    private void EnsureSchema(bool create)
    {
        var version = Scalar(_db, "PRAGMA user_version;") is long v ? v : 0;
        if (version == 0)
        {
            bool empty = Scalar(_db, "SELECT count(*) FROM sqlite_master;") is long n && n == 0;
            if (!empty && !create) throw new AiopsLabException($"'{Path}' is not an AiopsLab run store.");
            if (!empty) throw new AiopsLabException($"'{Path}' exists and is not an AiopsLab run store; choose another --out folder.");
            using var tx = _db.BeginTransaction();
            Exec(_db, """
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE invocations(id INTEGER PRIMARY KEY, started_utc TEXT NOT NULL, finished_utc TEXT, command TEXT NOT NULL,
                    shard TEXT NOT NULL, rows_written INTEGER NOT NULL DEFAULT 0, outcome TEXT NOT NULL DEFAULT 'running', provenance TEXT NOT NULL);
                CREATE TABLE datasets(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL, location TEXT NOT NULL,
                    checksum TEXT, files INTEGER, bytes INTEGER, ord INTEGER NOT NULL, active INTEGER NOT NULL);
                CREATE TABLE cases(id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL REFERENCES datasets(id), case_id TEXT NOT NULL,
                    ord INTEGER NOT NULL, active INTEGER NOT NULL, system TEXT NOT NULL, fault TEXT NOT NULL, fault_class TEXT,
                    root_cause TEXT NOT NULL, root_cause_metric TEXT, service_count INTEGER NOT NULL DEFAULT 0, loaded INTEGER NOT NULL DEFAULT 0,
                    UNIQUE(dataset_id, case_id));
                CREATE INDEX cases_by_ord ON cases(ord);
                CREATE TABLE configs(id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, method TEXT NOT NULL, window TEXT NOT NULL,
                    detection TEXT NOT NULL, ord INTEGER NOT NULL, active INTEGER NOT NULL);
                CREATE TABLE metric_sets(id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
                CREATE TABLE runs(case_ref INTEGER NOT NULL, config_ref INTEGER NOT NULL, seed INTEGER NOT NULL, delay INTEGER NOT NULL,
                    status INTEGER NOT NULL, seconds REAL NOT NULL, load_seconds REAL NOT NULL, anomaly_time INTEGER,
                    rank INTEGER, metric_rank INTEGER, metric_set INTEGER, ranking BLOB, diagnostics TEXT, error TEXT,
                    data_error INTEGER NOT NULL DEFAULT 0, invocation INTEGER,
                    PRIMARY KEY(case_ref, config_ref, seed, delay)) WITHOUT ROWID;
                """, tx);
            Exec(_db, $"PRAGMA user_version={SchemaVersion};", tx);
            tx.Commit();
        }
        else if (version != SchemaVersion)
            throw new AiopsLabException($"run store '{Path}' has schema version {version}; this AiopsLab reads version {SchemaVersion}.");
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT hash, id FROM metric_sets;";
        using var r = cmd.ExecuteReader();
        while (r.Read()) _setIds[r.GetString(0)] = r.GetInt64(1);
    }

    // ---------------------------------------------------------------- registering an experiment

    /// <summary>The references a run needs: case and config row ids, and the rows already done.</summary>
    public sealed class Registration
    {
        internal Registration(long invocation, long[][] caseRefs, long[] configRefs, HashSet<(long, long, long, long)> done)
        {
            Invocation = invocation; CaseRefs = caseRefs; ConfigRefs = configRefs; Done = done;
        }

        public long Invocation { get; }
        /// <summary>Per planned dataset, per selected case: the <c>cases.id</c>.</summary>
        public long[][] CaseRefs { get; }
        /// <summary>Per plan config: the <c>configs.id</c>.</summary>
        public long[] ConfigRefs { get; }
        /// <summary>(case, config, seed, delay) rows that need no rerun.</summary>
        public HashSet<(long Case, long Config, long Seed, long Delay)> Done { get; }
    }

    /// <summary>
    /// Makes <paramref name="plan"/> the store's current experiment (datasets, cases, configs get their order and the
    /// active flag), records this invocation's provenance, and returns the row references and the rows already done
    /// (any status, or only <c>ok</c> ones when <paramref name="retry"/>).
    /// </summary>
    public Registration Register(ExperimentPlan plan, StoreKind kind, Shard shard, Provenance provenance,
        IReadOnlyList<(string Checksum, int Files, long Bytes)> checksums, bool retry)
    {
        using var tx = _db.BeginTransaction();
        void Meta(string k, string v) => Exec(_db, "INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value=excluded.value;", tx, ("$k", k), ("$v", v));
        Meta("experiment", plan.Spec.Name);
        Meta("kind", kind == StoreKind.Experiment ? "experiment" : "shortcut");
        Meta("spec_file", plan.Spec.File);
        Meta("spec_text", plan.Spec.Text);
        Meta("identity", plan.Identity);
        Meta("seeds", string.Join(",", plan.Seeds.Select(s => s.ToString(CultureInfo.InvariantCulture))));
        Meta("delays", string.Join(",", plan.Delays.Select(s => s.ToString(CultureInfo.InvariantCulture))));
        Meta("timeout_seconds", plan.Spec.Timeout.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));

        Exec(_db, "UPDATE datasets SET active=0; UPDATE cases SET active=0; UPDATE configs SET active=0;", tx);
        var caseRefs = new long[plan.Datasets.Count][];
        foreach (var d in plan.Datasets)
        {
            var (sum, files, bytes) = checksums[d.Index];
            long dsId = (long)Scalar(_db, """
                INSERT INTO datasets(key, name, location, checksum, files, bytes, ord, active) VALUES($k, $n, $l, $c, $f, $b, $o, 1)
                ON CONFLICT(key) DO UPDATE SET name=excluded.name, location=excluded.location, checksum=excluded.checksum,
                  files=excluded.files, bytes=excluded.bytes, ord=excluded.ord, active=1
                RETURNING id;
                """, tx, ("$k", d.Key), ("$n", d.Name), ("$l", d.Dataset.Location), ("$c", sum), ("$f", files), ("$b", bytes), ("$o", d.Index))!;
            var refs = new long[d.Cases.Count];
            using var up = _db.CreateCommand();
            up.Transaction = tx;
            up.CommandText = """
                INSERT INTO cases(dataset_id, case_id, ord, active, system, fault, fault_class, root_cause) VALUES($d, $c, $o, 1, $s, $f, $fc, $r)
                ON CONFLICT(dataset_id, case_id) DO UPDATE SET ord=excluded.ord, active=1
                RETURNING id;
                """;
            var pd = up.Parameters.Add("$d", SqliteType.Integer); var pc = up.Parameters.Add("$c", SqliteType.Text);
            var po = up.Parameters.Add("$o", SqliteType.Integer); var ps = up.Parameters.Add("$s", SqliteType.Text);
            var pf = up.Parameters.Add("$f", SqliteType.Text); var pfc = up.Parameters.Add("$fc", SqliteType.Text);
            var pr = up.Parameters.Add("$r", SqliteType.Text);
            up.Prepare();
            for (int i = 0; i < d.Cases.Count; i++)
            {
                var c = d.Cases[i];
                pd.Value = dsId; pc.Value = c.Id; po.Value = d.FirstCase + i; ps.Value = c.System; pf.Value = c.FaultType;
                pfc.Value = (object?)c.FaultClass ?? DBNull.Value; pr.Value = c.RootCause;
                refs[i] = (long)up.ExecuteScalar()!;
            }
            caseRefs[d.Index] = refs;
        }
        var configRefs = new long[plan.Configs.Count];
        for (int i = 0; i < plan.Configs.Count; i++)
        {
            var c = plan.Configs[i];
            configRefs[i] = (long)Scalar(_db, """
                INSERT INTO configs(hash, method, window, detection, ord, active) VALUES($h, $m, $w, $d, $o, 1)
                ON CONFLICT(hash) DO UPDATE SET ord=excluded.ord, active=1 RETURNING id;
                """, tx, ("$h", c.Hash), ("$m", c.Method), ("$w", c.Window.ToString()), ("$d", c.Detection), ("$o", i))!;
        }
        long invocation = (long)Scalar(_db, """
            INSERT INTO invocations(started_utc, command, shard, provenance) VALUES($s, $c, $sh, $p) RETURNING id;
            """, tx, ("$s", provenance.StartedUtc), ("$c", provenance.CommandLine), ("$sh", shard.ToString()), ("$p", provenance.ToJson()))!;

        var done = new HashSet<(long, long, long, long)>();
        using (var q = _db.CreateCommand())
        {
            q.Transaction = tx;
            q.CommandText = retry ? "SELECT case_ref, config_ref, seed, delay FROM runs WHERE status=0;" : "SELECT case_ref, config_ref, seed, delay FROM runs;";
            using var r = q.ExecuteReader();
            while (r.Read()) done.Add((r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)));
        }
        tx.Commit();
        return new Registration(invocation, caseRefs, configRefs, done);
    }

    /// <summary>Marks an invocation finished (<c>complete</c>, <c>cancelled</c> or <c>failed</c>) with its row count.</summary>
    public void FinishInvocation(long invocation, string outcome, long rowsWritten) =>
        Exec(_db, "UPDATE invocations SET finished_utc=$f, outcome=$o, rows_written=$n WHERE id=$i;", null,
            ("$f", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)), ("$o", outcome), ("$n", rowsWritten), ("$i", invocation));

    // ---------------------------------------------------------------- writing results

    /// <summary>Writes completed cases in one transaction (all rows of a case, or none), with prepared statements.</summary>
    public void Write(IReadOnlyList<CaseResult> cases, long invocation)
    {
        if (cases.Count == 0) return;
        using var tx = _db.BeginTransaction();
        var ins = _insertRun ??= PrepareInsert();
        ins.Transaction = tx;
        using var upCase = _db.CreateCommand();
        upCase.Transaction = tx;
        upCase.CommandText = "UPDATE cases SET fault=$f, fault_class=$fc, root_cause=$r, root_cause_metric=$rm, service_count=$n, loaded=1 WHERE id=$id;";
        foreach (var c in cases)
        {
            long? caseSet = null;
            if (c.Info is { } info)
            {
                upCase.Parameters.Clear();
                upCase.Parameters.AddWithValue("$f", info.Fault);
                upCase.Parameters.AddWithValue("$fc", (object?)info.FaultClass ?? DBNull.Value);
                upCase.Parameters.AddWithValue("$r", info.RootCause);
                upCase.Parameters.AddWithValue("$rm", (object?)info.RootCauseMetric ?? DBNull.Value);
                upCase.Parameters.AddWithValue("$n", info.ServiceCount);
                upCase.Parameters.AddWithValue("$id", c.CaseRef);
                upCase.ExecuteNonQuery();
                caseSet = SetId(info.Metrics, tx);
            }
            foreach (var row in c.Rows)
            {
                long? set = row.Ranking is null ? null : row.Set is null ? caseSet : SetId(row.Set, tx);
                var p = ins.Parameters;
                p[0].Value = c.CaseRef; p[1].Value = row.ConfigRef; p[2].Value = row.Seed; p[3].Value = row.Delay;
                p[4].Value = (int)row.Status; p[5].Value = row.Seconds; p[6].Value = row.LoadSeconds;
                p[7].Value = (object?)row.AnomalyTime ?? DBNull.Value; p[8].Value = (object?)row.Rank ?? DBNull.Value;
                p[9].Value = (object?)row.MetricRank ?? DBNull.Value; p[10].Value = (object?)set ?? DBNull.Value;
                p[11].Value = (object?)row.Ranking ?? DBNull.Value; p[12].Value = (object?)row.Diagnostics ?? DBNull.Value;
                p[13].Value = (object?)row.Error ?? DBNull.Value; p[14].Value = row.DataError ? 1 : 0; p[15].Value = invocation;
                ins.ExecuteNonQuery();
            }
        }
        tx.Commit();
        ins.Transaction = null;
    }

    private SqliteCommand PrepareInsert()
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = """
            INSERT INTO runs(case_ref, config_ref, seed, delay, status, seconds, load_seconds, anomaly_time, rank, metric_rank,
                             metric_set, ranking, diagnostics, error, data_error, invocation)
            VALUES($a0, $a1, $a2, $a3, $a4, $a5, $a6, $a7, $a8, $a9, $a10, $a11, $a12, $a13, $a14, $a15)
            ON CONFLICT(case_ref, config_ref, seed, delay) DO UPDATE SET status=excluded.status, seconds=excluded.seconds,
              load_seconds=excluded.load_seconds, anomaly_time=excluded.anomaly_time, rank=excluded.rank, metric_rank=excluded.metric_rank,
              metric_set=excluded.metric_set, ranking=excluded.ranking, diagnostics=excluded.diagnostics, error=excluded.error,
              data_error=excluded.data_error, invocation=excluded.invocation;
            """;
        var types = new[] { SqliteType.Integer, SqliteType.Integer, SqliteType.Integer, SqliteType.Integer, SqliteType.Integer, SqliteType.Real, SqliteType.Real,
            SqliteType.Integer, SqliteType.Integer, SqliteType.Integer, SqliteType.Integer, SqliteType.Blob, SqliteType.Text, SqliteType.Text, SqliteType.Integer, SqliteType.Integer };
        for (int i = 0; i < types.Length; i++) cmd.Parameters.Add("$a" + i.ToString(CultureInfo.InvariantCulture), types[i]);
        cmd.Prepare();
        return cmd;
    }

    private long SetId(MetricSet set, SqliteTransaction tx)
    {
        if (_setIds.TryGetValue(set.Hash, out var id)) return id;
        id = (long)Scalar(_db, "INSERT INTO metric_sets(hash, json) VALUES($h, $j) ON CONFLICT(hash) DO UPDATE SET hash=excluded.hash RETURNING id;", tx,
            ("$h", set.Hash), ("$j", set.Json))!;
        _setIds[set.Hash] = id;
        return id;
    }

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
    /// The rows of the current experiment (active datasets, cases and configs; the meta's seeds and delays), streamed in
    /// report order: case order, seed, delay, config order. Reads case by case (one indexed lookup each), so memory
    /// stays flat however many rows the store holds.
    /// </summary>
    public IEnumerable<StoredRun> ReadRuns()
    {
        var meta = Meta();
        if (meta is null) yield break;
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
        cases.CommandText = """
            SELECT c.id, d.key, d.name, c.case_id, c.ord, c.system, c.fault, c.fault_class, c.root_cause, c.root_cause_metric, c.service_count
            FROM cases c JOIN datasets d ON d.id = c.dataset_id WHERE c.active = 1 AND d.active = 1 ORDER BY c.ord;
            """;
        using var runs = _db.CreateCommand();
        runs.CommandText = """
            SELECT config_ref, seed, delay, status, seconds, load_seconds, anomaly_time, rank, metric_rank, metric_set, ranking, diagnostics, error, data_error
            FROM runs WHERE case_ref = $c;
            """;
        var pc = runs.Parameters.Add("$c", SqliteType.Integer);
        runs.Prepare();
        using var cr = cases.ExecuteReader();
        var batch = new List<StoredRun>();
        while (cr.Read())
        {
            pc.Value = cr.GetInt64(0);
            string key = cr.GetString(1), name = cr.GetString(2), caseId = cr.GetString(3), system = cr.GetString(5), fault = cr.GetString(6), rootCause = cr.GetString(8);
            long caseOrd = cr.GetInt64(4);
            string? faultClass = cr.IsDBNull(7) ? null : cr.GetString(7), rcm = cr.IsDBNull(9) ? null : cr.GetString(9);
            int services = cr.GetInt32(10);
            batch.Clear();
            using (var r = runs.ExecuteReader())
                while (r.Read())
                {
                    if (!configs.TryGetValue(r.GetInt64(0), out var g)) continue;
                    long seed = r.GetInt64(1), delay = r.GetInt64(2);
                    if (!seeds.Contains(seed) || !delays.Contains(delay)) continue;
                    batch.Add(new StoredRun
                    {
                        DatasetKey = key, Dataset = name, CaseId = caseId, CaseOrd = caseOrd, System = system, Fault = fault, FaultClass = faultClass,
                        RootCause = rootCause, RootCauseMetric = rcm, ServiceCount = services,
                        Method = g.Method, Window = g.Window, Detection = g.Detection, ConfigOrd = g.Ord,
                        Seed = seed, Delay = delay, Status = (RunStatus)r.GetInt32(3), Seconds = r.GetDouble(4),
                        LoadSeconds = r.GetDouble(5), AnomalyTime = r.IsDBNull(6) ? null : r.GetInt64(6),
                        StoredRank = r.IsDBNull(7) ? null : r.GetInt32(7), StoredMetricRank = r.IsDBNull(8) ? null : r.GetInt32(8),
                        MetricSetRef = r.IsDBNull(9) ? null : r.GetInt64(9), Ranking = r.IsDBNull(10) ? null : (byte[])r[10],
                        Diagnostics = r.IsDBNull(11) ? null : r.GetString(11), Error = r.IsDBNull(12) ? null : r.GetString(12),
                        DataError = r.GetInt32(13) != 0,
                    });
                }
            batch.Sort((a, b) => a.Seed != b.Seed ? a.Seed.CompareTo(b.Seed) : a.Delay != b.Delay ? a.Delay.CompareTo(b.Delay) : a.ConfigOrd.CompareTo(b.ConfigOrd));
            foreach (var x in batch) yield return x;
        }
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

    /// <summary><c>PRAGMA integrity_check</c>: "ok" for a sound file.</summary>
    public string IntegrityCheck() => (string)Scalar(_db, "PRAGMA integrity_check;")!;

    /// <summary>Folds the WAL into the database file, so the folder can be copied as one file.</summary>
    public void Checkpoint() => Exec(_db, "PRAGMA wal_checkpoint(TRUNCATE);");

    public void Dispose()
    {
        _insertRun?.Dispose();
        _db.Dispose();
    }

    // ---------------------------------------------------------------- helpers

    internal static void Exec(SqliteConnection db, string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] args)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection db, string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] args)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        var o = cmd.ExecuteScalar();
        return o is DBNull ? null : o;
    }
}
