using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AiopsLab.Catalog;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;
using AiopsLab.Labelling;
using AiopsLab.Methods;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab label</c>: fault-type labelling (what kind of fault) over one or more datasets, oracle and end to end.</summary>
public sealed class LabelCommand : ICliCommand
{
    public int Order => 47;

    /// <summary>Every registered labeller, rule baseline first.</summary>
    public const string DefaultLabellers = "max-family,gbdt,knn";

    public Command Build(CliContext ctx)
    {
        var dataset = new Option<string>("--dataset", "-d") { Description = "Comma-separated catalog names or dataset folders (e.g. rcd-sockshop,nezha,petshop,synthetic).", Required = true };
        var labellers = new Option<string>("--labellers") { Description = $"Comma-separated labeller specs (default: {DefaultLabellers}; see 'aiopslab methods').", DefaultValueFactory = _ => DefaultLabellers };
        var localizer = new Option<string>("--localizer") { Description = "Localizer whose top-1 service is labelled in end-to-end mode (oracle mode uses the true service).", DefaultValueFactory = _ => "baro" };
        var outOpt = new Option<string>("--out", "-o") { Description = "Output folder: predictions.csv, summary.{csv,md}, confusion-*.svg.", Required = true };
        var folds = new Option<int>("--folds") { Description = "Folds of the grouped cross-validation within each dataset.", DefaultValueFactory = _ => 5 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the folds and of every labeller's training.", DefaultValueFactory = _ => 1UL };
        var protocols = new Option<string>("--protocols") { Description = "Comma-separated: cv (grouped cross-validation), lodo (leave one dataset out), split (the dataset's own train/test split).", DefaultValueFactory = _ => "cv,lodo,split" };
        var baseline = new Option<string>("--baseline") { Description = "Labeller the others are compared with in the paired test.", DefaultValueFactory = _ => "max-family" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Cases (and training folds) run at once.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var opts = DatasetsCommand.DatasetOptionsOption();
        var cmd = new Command("label", "Label each case's fault type (cpu, memory, network-delay, exception, overload, ...) at the true root-cause service (oracle) and at a localizer's top-1 (end to end); score with grouped cross-validation, leave-one-dataset-out and the dataset's own split.")
            { dataset, labellers, localizer, outOpt, folds, seed, protocols, baseline, jobs, opts };
        cmd.SetAction(ctx.Guard((p, ct) =>
        {
            var specs = MethodSpec.ParseList(p.GetValue(labellers)!).Select(s => s.ToString()).ToArray();
            var built = specs.Select(MethodCatalog.CreateLabeller).ToArray();
            var loc = p.GetValue(localizer)!;
            MethodCatalog.CreateLocalizer(loc);
            var protocolList = p.GetValue(protocols)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var o = new ProtocolOptions { Folds = p.GetValue(folds), Seed = p.GetValue(seed), Protocols = protocolList, Jobs = p.GetValue(jobs) };
            if (o.Folds < 2) throw new Data.AiopsLabException("--folds must be ≥ 2.");
            var outDir = Path.GetFullPath(p.GetValue(outOpt)!);
            var notes = new List<string>();
            var cases = new List<LabelCase>();
            var sw = Stopwatch.StartNew();
            foreach (var name in p.GetValue(dataset)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var ds = DatasetCatalog.Open(name, ctx.ResolveDataRoot(p), DatasetOptions.Parse(p.GetValue(opts) ?? []));
                var t0 = sw.Elapsed;
                var prepared = LabellingCases.Prepare(ds, loc, o.Jobs, n => { lock (notes) notes.Add(n); }, Reporter(ctx, sw, $"{ds.Name}: cases"), ct);
                cases.AddRange(prepared);
                ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ds.Name}: {prepared.Count} case(s) prepared in {(sw.Elapsed - t0).TotalSeconds:0.0} s"));
            }
            double prepSeconds = sw.Elapsed.TotalSeconds;
            var predictions = LabellingProtocol.Run(cases, built, o, n => notes.Add(n), Reporter(ctx, sw, "train/evaluate tasks"), ct);
            double evalSeconds = sw.Elapsed.TotalSeconds - prepSeconds;
            notes.Insert(0, string.Create(CultureInfo.InvariantCulture,
                $"{cases.Count} cases; labellers {string.Join(", ", specs)}; localizer {loc}; folds {o.Folds}; seed {o.Seed}; protocols {string.Join(",", protocolList)}. Time: {prepSeconds:0.0} s loading and features, {evalSeconds:0.0} s training and evaluation."));
            var md = LabellingReport.Write(outDir, predictions, p.GetValue(baseline)!, $"Fault-type labelling ({string.Join(", ", cases.Select(c => c.Dataset).Distinct())})", notes);
            ctx.Out.Write(md);
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {Path.Combine(outDir, "predictions.csv")}, summary.{{csv,md}} and confusion SVGs ({sw.Elapsed.TotalSeconds:0.0} s: {prepSeconds:0.0} s preparing, {evalSeconds:0.0} s training and evaluating)"));
            return 0;
        }));
        return cmd;
    }

    private static Action<int, int> Reporter(CliContext ctx, Stopwatch sw, string what)
    {
        var last = TimeSpan.Zero;
        return (done, total) =>
        {
            lock (ctx.Err)
                if (done == total || sw.Elapsed - last > TimeSpan.FromSeconds(5))
                {
                    last = sw.Elapsed;
                    ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what}: {done}/{total}, {sw.Elapsed.TotalSeconds:0.0} s"));
                }
        };
    }
}
