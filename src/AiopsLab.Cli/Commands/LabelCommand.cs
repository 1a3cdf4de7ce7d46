using System.CommandLine;
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
            var loc = p.GetValue(localizer)!;
            MethodCatalog.CreateLocalizer(loc);
            var protocolList = p.GetValue(protocols)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var o = new ProtocolOptions { Folds = p.GetValue(folds), Seed = p.GetValue(seed), Protocols = protocolList, Jobs = p.GetValue(jobs) };
            if (o.Folds < 2) throw new Data.AiopsLabException("--folds must be ≥ 2.");
            var outDir = Path.GetFullPath(p.GetValue(outOpt)!);
            var datasets = p.GetValue(dataset)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(n => DatasetCatalog.Open(n, ctx.ResolveDataRoot(p), DatasetOptions.Parse(p.GetValue(opts) ?? []))).ToArray();
            var run = LabellingCases.Run(datasets, specs, loc, o, p.GetValue(baseline)!, outDir, ctx.Err, ct);
            ctx.Out.Write(run.Markdown);
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {Path.Combine(outDir, "predictions.csv")}, summary.{{csv,md}} and confusion SVGs ({run.PrepareSeconds + run.EvaluateSeconds:0.0} s: {run.PrepareSeconds:0.0} s preparing, {run.EvaluateSeconds:0.0} s training and evaluating)"));
            return 0;
        }));
        return cmd;
    }

    /// <summary>The paper's labelling step of <c>aiopslab reproduce</c>: every labeller over the four datasets, oracle and
    /// end to end with BARO, into <c>results/labelling/</c> and the <c>labelling</c> table into <c>results/paper/</c>.</summary>
    public static IReadOnlyList<string> ReproducePaper(CliContext ctx, string results, DataRoot root, int jobs, CancellationToken ct)
    {
        var datasets = PaperDatasets.Select(n => DatasetCatalog.Open(n, root)).ToArray();
        var run = LabellingCases.Run(datasets, MethodSpec.ParseList(DefaultLabellers).Select(s => s.ToString()).ToArray(), "baro",
            new ProtocolOptions { Jobs = jobs }, "max-family", Path.Combine(results, "labelling"), ctx.Err, ct);
        ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[labelling] {run.Predictions.Count} prediction(s) in {run.PrepareSeconds + run.EvaluateSeconds:0} s -> {Path.Combine(results, "labelling")}"));
        return LabellingReport.WritePaperTable(Path.Combine(results, "paper"), run.Predictions);
    }

    /// <summary>The datasets of the paper's labelling table.</summary>
    public static readonly string[] PaperDatasets = ["rcd-sockshop", "nezha", "petshop", "synthetic"];
}
