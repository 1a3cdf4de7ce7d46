using System.CommandLine;
using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Methods;
using AiopsLab.Reporting;

namespace AiopsLab.Cli.Commands;

/// <summary>The options <c>run</c> and <c>quickstart</c> share, and the code that runs them.</summary>
public sealed class RunOptions
{
    public Option<string> Out { get; } = new("--out", "-o") { Description = "Output folder for cases.csv, summary.csv and rankings.jsonl." };
    public Option<long> Seed { get; } = new("--seed") { Description = "Experiment seed.", DefaultValueFactory = _ => 0 };
    public Option<double> Timeout { get; } = new("--timeout") { Description = "Seconds one method may take on one case; over it the run is recorded as timeout.", DefaultValueFactory = _ => 600 };
    public Option<long> Delay { get; } = new("--delay") { Description = "Seconds added to the inject time given to localizers (RCAEval's t-delta).", DefaultValueFactory = _ => 0 };
    public Option<int> Jobs { get; } = new("--jobs", "-j") { Description = "Cases run at once (default: number of cores). Results do not depend on it.", DefaultValueFactory = _ => Environment.ProcessorCount };
    public Option<string?> Systems { get; } = new("--system") { Description = "Only these systems (comma-separated)." };
    public Option<string?> Faults { get; } = new("--fault") { Description = "Only these fault types or fault classes (comma-separated)." };
    public Option<int?> Limit { get; } = new("--limit") { Description = "Only the first N selected cases." };
    public Option<string[]> DatasetOptions { get; } = DatasetsCommand.DatasetOptionsOption();
    public Option<string> AnomalyTime { get; } = new("--anomaly-time") { Description = "Where the anomaly time comes from: 'label' (the inject time) or 'bocpd' (end-to-end: BARO's multivariate BOCPD on latency/error metrics).", DefaultValueFactory = _ => "label" };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Out, Seed, Timeout, Delay, Jobs, Systems, Faults, Limit, DatasetOptions, AnomalyTime }) c.Options.Add(o);
    }

    /// <summary>Runs <paramref name="methods"/> on the dataset, writes the result files, prints the summary.</summary>
    public int Execute(CliContext ctx, ParseResult p, string dataset, IReadOnlyList<MethodSpec> methods, string outDir, CancellationToken ct)
    {
        var ds = DatasetCatalog.Open(dataset, ctx.ResolveDataRoot(p), Datasets.DatasetOptions.Parse(p.GetValue(DatasetOptions) ?? []));
        var timeout = p.GetValue(Timeout);
        if (timeout <= 0) throw new AiopsLabException("--timeout must be positive.");
        var jobs = p.GetValue(Jobs);
        if (jobs < 1) throw new AiopsLabException("--jobs must be at least 1.");
        var systems = Split(p.GetValue(Systems));
        var faults = Split(p.GetValue(Faults));
        var limit = p.GetValue(Limit);
        foreach (var s in systems ?? [])
            if (!ds.Cases.Any(c => c.System == s)) throw new UnknownNameException($"system of '{ds.Name}'", s, ds.Cases.Select(c => c.System).Distinct());
        foreach (var f in faults ?? [])
            if (!ds.Cases.Any(c => c.FaultType == f || c.FaultClass == f))
                throw new UnknownNameException($"fault type or class of '{ds.Name}'", f, ds.Cases.Select(c => c.FaultType).Concat(ds.Cases.Select(c => c.FaultClass ?? c.FaultType)).Distinct());
        var selected = ds.Cases.Where(c => (systems is null || systems.Contains(c.System)) && (faults is null || faults.Contains(c.FaultType) || (c.FaultClass is { } fc && faults.Contains(fc))))
            .Take(limit ?? int.MaxValue).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);

        var request = new RunRequest
        {
            Dataset = ds, Methods = methods, Seed = p.GetValue(Seed), Timeout = TimeSpan.FromSeconds(timeout),
            Delay = p.GetValue(Delay), Jobs = jobs, Filter = c => selected.Contains(c.Id),
            AnomalyTimeSource = p.GetValue(AnomalyTime) switch
            {
                null or "label" => null,
                "bocpd" => new Rca.BaroAnomalyDetector(),
                var other => throw new UnknownNameException("anomaly-time source", other, ["label", "bocpd"]),
            },
        };
        // Building the methods validates names and parameters before any output is created.
        foreach (var m in methods) MethodCatalog.CreateLocalizer(m);
        ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"running {methods.Count} method(s) on {selected.Count} case(s) of {ds.Name} with {jobs} job(s); output: {Path.GetFullPath(outDir)}"));
        IReadOnlyList<SummaryRow> rows;
        var dataErrors = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using (var files = new ResultFiles(outDir))
        {
            rows = ProgressDisplay.With(ctx, ds.Name, progress =>
            {
                foreach (var o in Runner.Run(request with { Progress = progress }, ct))
                {
                    files.Add(o);
                    if (o.DataError) dataErrors.TryAdd(o.CaseId, o.Error ?? "");
                }
                return files.Commit();
            });
        }
        PrintSummary(ctx.Out, rows);
        ctx.Out.WriteLine($"wrote {Path.Combine(Path.GetFullPath(outDir), "cases.csv")}, summary.csv and rankings.jsonl");
        if (dataErrors.Count == 0) return 0;
        // The run is complete and every case is recorded (unreadable ones as failed), but the data needs fixing.
        foreach (var (id, err) in dataErrors) ctx.Err.WriteLine($"error: case {id}: {err}");
        ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: {dataErrors.Count} case(s) could not be read; they are recorded as failed."));
        return 3;
    }

    public static void PrintSummary(TextWriter o, IReadOnlyList<SummaryRow> rows)
    {
        var F = ResultFiles.F;
        o.Write(TextTable.Render(
            ["dataset", "method", "fault", "cases", "AC@1", "AC@3", "Avg@5", "MRR", "chance Avg@5", "failed", "median s"],
            rows.Select(r => (IReadOnlyList<string>)[r.Dataset, r.Method, r.Fault, r.Cases.ToString(CultureInfo.InvariantCulture),
                F(r.Ac1), F(r.Ac3), F(r.Avg5), F(r.Mrr), F(r.ChanceAvg5), (r.Failed + r.TimedOut).ToString(CultureInfo.InvariantCulture),
                double.IsNaN(r.MedianSeconds) ? "" : r.MedianSeconds.ToString("0.0000", CultureInfo.InvariantCulture)])));
    }

    private static HashSet<string>? Split(string? s) =>
        string.IsNullOrWhiteSpace(s) ? null : s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}

/// <summary><c>aiopslab run --dataset NAME|PATH --methods a,b --out DIR</c>.</summary>
public sealed class RunCommand : ICliCommand
{
    public int Order => 30;

    public Command Build(CliContext ctx)
    {
        var ro = new RunOptions();
        var dataset = new Option<string>("--dataset", "-d") { Description = "Catalog name (see 'datasets list') or path to a dataset folder.", Required = true };
        var methods = new Option<string>("--methods", "-m") { Description = "Comma-separated method specs (see 'methods'), e.g. baro,nsigma,metricsifter+baro.", Required = true };
        var cmd = new Command("run", "Run root-cause localizers on a dataset and score them against its labels.") { dataset, methods };
        ro.AddTo(cmd);
        ro.Out.Required = true;
        cmd.SetAction(ctx.Guard((p, ct) => ro.Execute(ctx, p, p.GetValue(dataset)!, MethodSpec.ParseList(p.GetValue(methods)!), p.GetValue(ro.Out)!, ct)));
        return cmd;
    }
}

/// <summary><c>aiopslab quickstart</c>: the synthetic benchmark through every registered localizer.</summary>
public sealed class QuickstartCommand : ICliCommand
{
    public int Order => 5;

    public Command Build(CliContext ctx)
    {
        var ro = new RunOptions();
        var methods = new Option<string?>("--methods", "-m") { Description = "Methods to run (default: every registered localizer)." };
        var cmd = new Command("quickstart", "Generate the synthetic fault-injection benchmark, run the localizers, print a table and write results.") { methods };
        ro.AddTo(cmd);
        cmd.SetAction(ctx.Guard((p, ct) =>
        {
            var specs = p.GetValue(methods) is { } m
                ? MethodSpec.ParseList(m)
                : MethodCatalog.OfKind(MethodKind.Localizer).Select(x => MethodSpec.Parse(x.Name)).ToArray();
            return ro.Execute(ctx, p, "synthetic", specs, p.GetValue(ro.Out) ?? Path.Combine("out", "quickstart"), ct);
        }));
        return cmd;
    }
}
