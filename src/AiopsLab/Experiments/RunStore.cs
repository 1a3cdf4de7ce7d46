using System.Globalization;
using AiopsLab.Data;
using Microsoft.Data.Sqlite;
using AiopsLab.Evaluation;

namespace AiopsLab.Experiments;


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
public sealed partial class RunStore : IDisposable
{
    public const string FileName = "runs.db";
    public const int SchemaVersion = 3;

    private readonly SqliteConnection _db;
    private readonly Dictionary<string, long> _setIds = new(StringComparer.Ordinal);
    private SqliteCommand? _insertRun;
    private FileStream? _writerLock;

    private RunStore(string path, SqliteConnection db)
    {
        Path = path;
        _db = db;
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    internal SqliteConnection Connection => _db;

    /// <summary>
    /// False for a schema-1 store opened with <see cref="Open"/>: it has no inner-service columns and reads as having no
    /// inner-service label (left unchanged on disk; <see cref="Create"/> upgrades it to version 2).
    /// </summary>
    public bool HasInnerColumns { get; private set; } = true;

    /// <summary>
    /// False for a store of schema 1 or 2 opened with <see cref="Open"/>: it has no <c>kept</c> column (the metrics a
    /// reducer kept, added in version 3) and reads as having no kept sets; <see cref="Create"/> upgrades it.
    /// </summary>
    public bool HasKeptColumn { get; private set; } = true;

    /// <summary>The database file of a store folder (or the file itself when given one).</summary>
    public static string FileOf(string folderOrFile) =>
        File.Exists(folderOrFile) && !Directory.Exists(folderOrFile) ? System.IO.Path.GetFullPath(folderOrFile) : System.IO.Path.Combine(System.IO.Path.GetFullPath(folderOrFile), FileName);

    /// <summary>Opens the store in <paramref name="folder"/>, creating the folder and the database when absent.</summary>
    public static RunStore Create(string folder)
    {
        var full = System.IO.Path.GetFullPath(folder);
        OutputFolder.Prepare(full); // a file, an unwritable folder: exit 2; stale temporaries of a killed run removed
        var writerLock = LockForWriting(full);
        try
        {
            var store = OpenFile(System.IO.Path.Combine(full, FileName), create: true);
            store._writerLock = writerLock;
            return store;
        }
        catch { writerLock.Dispose(); throw; }
    }

    /// <summary>Name of the advisory lock file a writing process holds in the output folder.</summary>
    public const string LockFileName = "runs.db-lock";

    /// <summary>
    /// One writer per store: an exclusive advisory lock (flock) on <see cref="LockFileName"/>, held until the store is
    /// disposed and released by the system when the process dies. A second process on the same --out exits 2.
    /// </summary>
    private static FileStream LockForWriting(string folder)
    {
        var file = System.IO.Path.Combine(folder, LockFileName);
        for (int attempt = 0; ; attempt++)
        {
            try { return new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (attempt < 20) { Thread.Sleep(50); } // a reader's probe (IsBeingWritten) holds it for an instant
            catch (IOException e)
            {
                throw new AiopsLabException($"another process is writing to the run store in '{folder}' ({LockFileName} is locked: {e.Message}); wait for it to finish or choose another --out.");
            }
        }
    }

    /// <summary>
    /// Whether a process holds the writer's lock on the store in <paramref name="folderOrFile"/> now, i.e. a run is still
    /// adding rows. Probes with a shared lock that it releases at once; never waits.
    /// </summary>
    public static bool IsBeingWritten(string folderOrFile)
    {
        var file = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(FileOf(folderOrFile))!, LockFileName);
        if (!File.Exists(file)) return false;
        try { using var probe = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite); return false; }
        catch (IOException) { return File.Exists(file); }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// Opens an existing store (a folder holding runs.db, or the file) for reading. The connection is read-only, so a
    /// reader can never change or damage a store, and it reads one snapshot: while a run is writing the store (WAL
    /// journal) a reader neither blocks it nor sees a half-written case, only the cases committed when it began reading.
    /// </summary>
    /// <exception cref="AiopsLabException">No store there, or not a store.</exception>
    public static RunStore Open(string folderOrFile)
    {
        var file = FileOf(folderOrFile);
        if (Directory.Exists(file)) throw new AiopsLabException($"no run store at '{folderOrFile}': '{file}' is a folder, not a run store file.");
        if (!File.Exists(file)) throw new AiopsLabException($"no run store at '{folderOrFile}': '{file}' does not exist (run an experiment with --out there first).");
        return OpenFile(file, create: false);
    }

    private static RunStore OpenFile(string file, bool create)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = file, Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 }.ToString();
        var db = new SqliteConnection(cs);
        try
        {
            db.Open();
            Exec(db, "PRAGMA busy_timeout=30000;");
            if (create)
            {
                Exec(db, "PRAGMA journal_mode=WAL;");
                Exec(db, "PRAGMA synchronous=NORMAL;");
            }
            else Exec(db, "BEGIN;"); // one read snapshot for the reader's whole life; ended when the connection closes
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
            if (!create) throw new AiopsLabException($"'{Path}' is not an AiopsLab run store{(empty ? " (it is an empty file)" : "")}.");
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
                    inner_root_cause TEXT, UNIQUE(dataset_id, case_id));
                CREATE INDEX cases_by_ord ON cases(ord);
                CREATE TABLE configs(id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, method TEXT NOT NULL, window TEXT NOT NULL,
                    detection TEXT NOT NULL, ord INTEGER NOT NULL, active INTEGER NOT NULL);
                CREATE TABLE metric_sets(id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
                CREATE TABLE runs(case_ref INTEGER NOT NULL, config_ref INTEGER NOT NULL, seed INTEGER NOT NULL, delay INTEGER NOT NULL,
                    status INTEGER NOT NULL, seconds REAL NOT NULL, load_seconds REAL NOT NULL, anomaly_time INTEGER,
                    rank INTEGER, metric_rank INTEGER, metric_set INTEGER, ranking BLOB, diagnostics TEXT, error TEXT,
                    data_error INTEGER NOT NULL DEFAULT 0, invocation INTEGER, inner_rank INTEGER, kept BLOB,
                    PRIMARY KEY(case_ref, config_ref, seed, delay)) WITHOUT ROWID;
                """, tx);
            Exec(_db, $"PRAGMA user_version={SchemaVersion};", tx);
            tx.Commit();
        }
        else if (version is 1 or 2 && !create) { HasInnerColumns = version >= 2; HasKeptColumn = false; } // read as it is
        else if (version is 1 or 2)
        {
            // Version 2 added the inner-service label and rank (AIS@k), version 3 the kept metrics of reduced methods;
            // an older store opened for writing is upgraded (existing rows keep NULL there).
            using var tx = _db.BeginTransaction();
            if (version == 1) Exec(_db, "ALTER TABLE cases ADD COLUMN inner_root_cause TEXT; ALTER TABLE runs ADD COLUMN inner_rank INTEGER;", tx);
            Exec(_db, "ALTER TABLE runs ADD COLUMN kept BLOB;", tx);
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

    public void Dispose()
    {
        _insertRun?.Dispose();
        _db.Dispose();
        _writerLock?.Dispose();
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
