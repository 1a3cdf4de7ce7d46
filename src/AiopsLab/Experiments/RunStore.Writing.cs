using System.Globalization;
using AiopsLab.Data;
using Microsoft.Data.Sqlite;
using AiopsLab.Evaluation;

namespace AiopsLab.Experiments;

public sealed partial class RunStore
{
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
        upCase.CommandText = "UPDATE cases SET fault=$f, fault_class=$fc, root_cause=$r, root_cause_metric=$rm, inner_root_cause=$ir, service_count=$n, loaded=1 WHERE id=$id;";
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
                upCase.Parameters.AddWithValue("$ir", (object?)info.InnerRootCause ?? DBNull.Value);
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
                p[16].Value = (object?)row.InnerRank ?? DBNull.Value; p[17].Value = (object?)row.Kept ?? DBNull.Value;
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
                             metric_set, ranking, diagnostics, error, data_error, invocation, inner_rank, kept)
            VALUES($a0, $a1, $a2, $a3, $a4, $a5, $a6, $a7, $a8, $a9, $a10, $a11, $a12, $a13, $a14, $a15, $a16, $a17)
            ON CONFLICT(case_ref, config_ref, seed, delay) DO UPDATE SET status=excluded.status, seconds=excluded.seconds,
              load_seconds=excluded.load_seconds, anomaly_time=excluded.anomaly_time, rank=excluded.rank, metric_rank=excluded.metric_rank,
              metric_set=excluded.metric_set, ranking=excluded.ranking, diagnostics=excluded.diagnostics, error=excluded.error,
              data_error=excluded.data_error, invocation=excluded.invocation, inner_rank=excluded.inner_rank, kept=excluded.kept;
            """;
        var types = new[] { SqliteType.Integer, SqliteType.Integer, SqliteType.Integer, SqliteType.Integer, SqliteType.Integer, SqliteType.Real, SqliteType.Real,
            SqliteType.Integer, SqliteType.Integer, SqliteType.Integer, SqliteType.Integer, SqliteType.Blob, SqliteType.Text, SqliteType.Text, SqliteType.Integer, SqliteType.Integer, SqliteType.Integer, SqliteType.Blob };
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
}
