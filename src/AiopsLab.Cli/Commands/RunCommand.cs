using System.CommandLine;
using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Methods;
using AiopsLab.Reporting;
using AiopsLab.Catalog;

namespace AiopsLab.Cli.Commands;

/// <summary>The options <c>run</c> and <c>quickstart</c> share, and the code that runs them through the experiment runner.</summary>
public sealed class RunOptions
{
    public Option<string> Out { get; } = new("--out", "-o") { Description = "Output folder: the run store (runs.db), cases.csv and summary.csv. Rerunning into the same folder resumes." };
    public Option<long> Seed { get; } = new("--seed") { Description = "Experiment seed.", DefaultValueFactory = _ => 0 };
    public Option<double> Timeout { get; } = new("--timeout") { Description = "Seconds one method may take on one case; over it the run is recorded as timeout (default 600, or the spec's).", };
    public Option<long> Delay { get; } = new("--delay") { Description = "Seconds added to the anomaly time given to localizers (RCAEval's t-delta).", DefaultValueFactory = _ => 0 };
    public Option<string?> Window { get; } = new("--window-seconds", "--window") { Description = "Seconds of data each side of the anomaly time the methods see, or 'full' (default). --window is the older spelling. (A method's own window option, e.g. baro(window=300), counts rows.)" };
    public Option<int?> Jobs { get; } = new("--jobs", "-j") { Description = "Cases run at once (default: the spec's, else the number of cores). Results do not depend on it." };
    public Option<string?> ShardOption { get; } = new("--shard") { Description = "Run only shard I of N (I/N, 1-based) into its own output folder; combine with 'aiopslab merge'." };
    public Option<bool> Retry { get; } = new("--retry") { Description = "When resuming, rerun rows that failed or timed out (by default every stored row counts as done)." };
    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "Check the spec (every name, the data) and print the work per shard; run nothing, write nothing." };
    public Option<string?> Systems { get; } = new("--system") { Description = "Only these systems (comma-separated)." };
    public Option<string?> Faults { get; } = new("--fault") { Description = "Only these fault types or fault classes (comma-separated)." };
    public Option<int?> Limit { get; } = new("--limit") { Description = "Only the first N selected cases." };
    public Option<string[]> DatasetOptions { get; } = DatasetsCommand.DatasetOptionsOption();
    public Option<string[]> MethodsDirs { get; } = new("--methods-dir") { Description = "Folder of external-method manifests (*.method.yaml; see docs/external-methods.md), usable by name in --methods and specs. Repeatable; AIOPSLAB_METHODS adds more.", AllowMultipleArgumentsPerToken = false };
    public Option<string> AnomalyTime { get; } = new("--anomaly-time") { Description = "Where the anomaly time comes from: 'label' (the inject time) or an anomaly-time source for end-to-end mode (see 'methods'): 'bocpd' (BARO's multivariate BOCPD), 'first-alarm(detector=SPEC,threshold=X)'.", DefaultValueFactory = _ => ExperimentSpec.DefaultDetection };

    public Option<string?> Sources { get; } = new("--sources") { Description = "Data the methods see: 'metrics' (default) or e.g. 'metrics,logs,traces' — derived log and trace series per service are added beside the metrics (docs/multimodal.md)." };

    private IEnumerable<Option> ShortcutOnly => [Seed, Delay, Window, Systems, Faults, Limit, DatasetOptions, AnomalyTime, Sources];

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Out, Seed, Timeout, Delay, Window, Jobs, ShardOption, Retry, DryRun, Systems, Faults, Limit, DatasetOptions, AnomalyTime, MethodsDirs, Sources }) c.Options.Add(o);
    }

    /// <summary>Registers the external methods of <c>--methods-dir</c> and <c>AIOPSLAB_METHODS</c>; call before reading method names.</summary>
    public void LoadExternalMethods(ParseResult p) => ExternalMethods.Load(p.GetValue(MethodsDirs) ?? []);

    private static bool Given(ParseResult p, Option o) => p.GetResult(o) is { Implicit: false };

    /// <summary>The spec a shortcut (<c>run --dataset</c>, <c>quickstart</c>) stands for.</summary>
    public ExperimentSpec ShortcutSpec(ParseResult p, string dataset, IReadOnlyList<MethodSpec> methods, string name)
    {
        var window = Experiments.Window.Full;
        if (p.GetValue(Window) is { } w && !Experiments.Window.TryParse(w, out window))
            throw new AiopsLabException($"--window-seconds '{w}': give 'full' or a positive number of seconds.");
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in Datasets.DatasetOptions.Parse(p.GetValue(DatasetOptions) ?? []).Values) options[kv.Key] = kv.Value;
        if (p.GetValue(Sources) is { Length: > 0 } src) options[Datasets.MultiSourceDataset.OptionKey] = Telemetry.SourceSet.Parse(src).ToString();
        return new ExperimentSpec
        {
            File = "", Name = name, Text = "# " + name + " (command line)\n",
            Datasets = [new DatasetSpec { Name = dataset, Options = options, Systems = Split(p.GetValue(Systems)), Faults = Split(p.GetValue(Faults)), Limit = p.GetValue(Limit), Where = SpecLocation.None }],
            Methods = methods.Select(m => new MethodGridSpec { Base = m, Where = SpecLocation.None }).ToArray(),
            Seeds = [p.GetValue(Seed)], Delays = [p.GetValue(Delay)], Windows = [window],
            Detection = [p.GetValue(AnomalyTime) ?? ExperimentSpec.DefaultDetection], DetectionWhere = [SpecLocation.None],
            Timeout = TimeSpan.FromSeconds(p.GetValue(Timeout) is var t && Given(p, Timeout) ? t : 600),
        };
    }

    /// <summary>Runs a spec file; options other than --out, --jobs, --shard, --timeout, --retry belong in the spec.</summary>
    public int ExecuteSpec(CliContext ctx, ParseResult p, string specPath, CancellationToken ct)
    {
        foreach (var o in ShortcutOnly)
            if (Given(p, o)) throw new AiopsLabException($"{o.Name} cannot be used with an experiment spec; set it in '{specPath}' (see docs/experiments.md).");
        var spec = ExperimentSpec.Load(specPath);
        if (Given(p, Timeout)) spec = spec with { Timeout = TimeSpan.FromSeconds(CheckTimeout(p.GetValue(Timeout))) };
        var outDir = p.GetValue(Out) ?? Path.Combine("out", spec.Name);
        return Execute(ctx, p, spec, StoreKind.Experiment, outDir, ct);
    }

    /// <summary>Runs a shortcut's spec and writes the same files <c>run</c> always wrote.</summary>
    public int ExecuteShortcut(CliContext ctx, ParseResult p, ExperimentSpec spec, string outDir, CancellationToken ct)
    {
        if (Given(p, Timeout)) CheckTimeout(p.GetValue(Timeout));
        return Execute(ctx, p, spec, StoreKind.Shortcut, outDir, ct);
    }

    private static double CheckTimeout(double t) => t > 0 && double.IsFinite(t) ? t : throw new AiopsLabException("--timeout must be positive.");

    private int Execute(CliContext ctx, ParseResult p, ExperimentSpec spec, StoreKind kind, string outDir, CancellationToken ct)
    {
        var jobs = p.GetValue(Jobs) ?? spec.Jobs ?? Environment.ProcessorCount;
        if (jobs < 1) throw new AiopsLabException("--jobs must be at least 1.");
        var shard = p.GetValue(ShardOption) is { } s ? Shard.Parse(s) : Shard.All;
        // Every name is checked (methods first) before any output is created.
        var plan = ExperimentPlan.Build(spec, ctx.ResolveDataRoot(p));
        var inv = CultureInfo.InvariantCulture;
        var full = Path.GetFullPath(outDir);
        if (kind == StoreKind.Shortcut && plan.Datasets.Count == 1)
            ctx.Err.WriteLine(string.Create(inv,
                $"running {plan.Methods.Count} method(s) on {plan.CaseCount} case(s) of {plan.Datasets[0].Name} with {jobs} job(s){(shard.IsAll ? "" : ", shard " + shard)}; output: {full}"));
        else
            ctx.Err.WriteLine(string.Create(inv,
                $"experiment {spec.Name}: {plan.CaseCount} case(s) in {plan.Datasets.Count} dataset(s) x {plan.Configs.Count} config(s) x {plan.Seeds.Count} seed(s) x {plan.Delays.Count} delay(s) = {plan.RunCount} run(s); {jobs} job(s){(shard.IsAll ? "" : ", shard " + shard)}; output: {full}"));

        if (p.GetValue(DryRun))
        {
            int cases = plan.Units(shard).Count();
            ctx.Out.WriteLine(string.Create(inv, $"dry run: the spec is valid; shard {shard} has {cases} case(s), {(long)cases * plan.Configs.Count * plan.Seeds.Count * plan.Delays.Count} run(s). Nothing was run or written."));
            return 0;
        }
        var (stats, export) = RunIntoStore(ctx, plan, spec.Name, full, new ExperimentRunOptions { Jobs = jobs, Shard = shard, Retry = p.GetValue(Retry), Kind = kind }, ct);
        if (stats.CasesResumed > 0)
            ctx.Err.WriteLine(string.Create(inv, $"resumed: {stats.CasesResumed} of {stats.CasesInShard} case(s) were already in the store; ran {stats.CasesRun}."));
        if (kind == StoreKind.Shortcut) PrintSummary(ctx.Out, export.Summary.Select(r => r.Row).ToArray());
        else PrintSettingSummary(ctx.Out, export.Summary);
        ctx.Out.WriteLine(kind == StoreKind.Shortcut
            ? $"wrote {Path.Combine(full, "cases.csv")}, summary.csv and rankings.jsonl"
            : $"wrote {Path.Combine(full, "cases.csv")}, summary.csv and {RunStore.FileName}; tables and figures: aiopslab report {outDir}");
        if (export.Rows < export.ExpectedRows)
            ctx.Err.WriteLine(string.Create(inv, $"note: the store holds {export.Rows} of the experiment's {export.ExpectedRows} runs{(shard.IsAll ? "" : " (one shard; merge the shards with 'aiopslab merge')")}."));
        if (export.DataErrors.Count == 0) return 0;
        // The run is complete and every case is recorded (unreadable ones as failed), but the data needs fixing.
        foreach (var (id, err) in export.DataErrors) ctx.Err.WriteLine($"error: case {id}: {err}");
        ctx.Err.WriteLine(string.Create(inv, $"error: {export.DataErrors.Count} case(s) could not be read; they are recorded as failed."));
        return 3;
    }

    /// <summary>Runs a plan into the store in <paramref name="folder"/> (resuming it) with progress, then exports the result files.</summary>
    public static (ExperimentRunStats Stats, ExportResult Export) RunIntoStore(CliContext ctx, ExperimentPlan plan, string title, string folder,
        ExperimentRunOptions options, CancellationToken ct)
    {
        using var store = RunStore.Create(folder);
        var stats = ProgressDisplay.With(ctx, title, progress => ExperimentRunner.Run(plan, store, options with { Progress = progress }, ct));
        store.Checkpoint();
        return (stats, ResultFiles.Export(store, folder));
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

    /// <summary>The <c>all</c> rows of every setting (the per-fault rows are in summary.csv and the report).</summary>
    public static void PrintSettingSummary(TextWriter o, IReadOnlyList<SettingSummary> rows)
    {
        var F = ResultFiles.F;
        o.Write(TextTable.Render(
            ["dataset", "method", "delay", "window", "detection", "runs", "AC@1", "AC@3", "Avg@5", "MRR", "chance Avg@5", "failed", "median s"],
            rows.Where(r => r.Row.Fault == Summary.AllFaults).Select(x =>
            {
                var r = x.Row;
                return (IReadOnlyList<string>)[r.Dataset, r.Method, x.Delay.ToString(CultureInfo.InvariantCulture), x.Window, x.Detection,
                    r.Cases.ToString(CultureInfo.InvariantCulture), F(r.Ac1), F(r.Ac3), F(r.Avg5), F(r.Mrr), F(r.ChanceAvg5),
                    (r.Failed + r.TimedOut).ToString(CultureInfo.InvariantCulture),
                    double.IsNaN(r.MedianSeconds) ? "" : r.MedianSeconds.ToString("0.0000", CultureInfo.InvariantCulture)];
            })));
    }

    private static IReadOnlyList<string>? Split(string? s) =>
        string.IsNullOrWhiteSpace(s) ? null : s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
}

/// <summary>
/// <c>aiopslab run experiments/X.yaml [--out DIR] [--jobs N] [--shard I/N]</c>, or the shortcut
/// <c>aiopslab run --dataset NAME|PATH --methods a,b --out DIR</c>.
/// </summary>
public sealed class RunCommand : ICliCommand
{
    public int Order => 30;

    public Command Build(CliContext ctx)
    {
        var ro = new RunOptions();
        var spec = new Argument<string?>("spec") { Description = "Experiment spec (experiments/NAME.yaml; see docs/experiments.md).", Arity = ArgumentArity.ZeroOrOne };
        var dataset = new Option<string?>("--dataset", "-d") { Description = "Shortcut without a spec: catalog name (see 'datasets list') or path to a dataset folder." };
        var methods = new Option<string?>("--methods", "-m") { Description = "With --dataset: comma-separated method specs (see 'methods'), e.g. baro,nsigma,metricsifter+baro." };
        var cmd = new Command("run", "Run an experiment spec, or root-cause localizers on one dataset, and score them against the labels.") { spec, dataset, methods };
        ro.AddTo(cmd);
        cmd.SetAction(ctx.Guard((p, ct) =>
        {
            ro.LoadExternalMethods(p);
            var specPath = p.GetValue(spec);
            var ds = p.GetValue(dataset);
            if (specPath is not null)
            {
                if (ds is not null || p.GetValue(methods) is not null)
                    throw new AiopsLabException("give either an experiment spec or --dataset with --methods, not both.");
                return ro.ExecuteSpec(ctx, p, specPath, ct);
            }
            if (ds is null) throw new AiopsLabException("give an experiment spec (aiopslab run experiments/NAME.yaml) or --dataset NAME --methods a,b --out DIR.");
            var m = p.GetValue(methods) ?? throw new AiopsLabException("--methods is required with --dataset (e.g. --methods baro,nsigma).");
            var outDir = p.GetValue(ro.Out) ?? throw new AiopsLabException("--out is required with --dataset.");
            return ro.ExecuteShortcut(ctx, p, ro.ShortcutSpec(p, ds, MethodSpec.ParseList(m), "run"), outDir, ct);
        }));
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
        var methods = new Option<string?>("--methods", "-m") { Description = "Methods to run (default: every registered localizer, each configuration once: graph-rca at its defaults is pc-pagerank)." };
        var cmd = new Command("quickstart", "Generate the synthetic fault-injection benchmark, run the localizers, print a table and write results.") { methods };
        ro.AddTo(cmd);
        cmd.SetAction(ctx.Guard((p, ct) =>
        {
            ro.LoadExternalMethods(p);
            var specs = p.GetValue(methods) is { } m
                ? MethodSpec.ParseList(m)
                : MethodCatalog.DistinctLocalizers().Select(x => MethodSpec.Parse(x.Name)).ToArray(); // graph-rca at its defaults is pc-pagerank
            return ro.ExecuteShortcut(ctx, p, ro.ShortcutSpec(p, "synthetic", specs, "quickstart"), p.GetValue(ro.Out) ?? Path.Combine("out", "quickstart"), ct);
        }));
        return cmd;
    }
}
