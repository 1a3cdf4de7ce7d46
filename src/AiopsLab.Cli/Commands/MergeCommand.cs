using System.CommandLine;
using System.Globalization;
using AiopsLab.Experiments;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab merge A B … --out DIR</c>: combines the run stores of an experiment's shards.</summary>
public sealed class MergeCommand : ICliCommand
{
    public int Order => 35;

    public Command Build(CliContext ctx)
    {
        var inputs = new Argument<string[]>("stores") { Description = "Output folders of the shards (each holding runs.db).", Arity = ArgumentArity.OneOrMore };
        var outOpt = new Option<string>("--out", "-o") { Description = "New folder for the merged store, cases.csv and summary.csv.", Required = true };
        var cmd = new Command("merge", "Combine the run stores of one experiment's shards (--shard I/N) into one, as if run in one process.") { inputs, outOpt };
        cmd.SetAction(ctx.Guard((p, _) =>
        {
            var outDir = p.GetValue(outOpt)!;
            var r = StoreMerge.Merge(p.GetValue(inputs)!, outDir);
            ExportResult export;
            using (var store = RunStore.Open(outDir)) export = ResultFiles.Export(store, outDir);
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"merged {r.Stores} store(s): {r.Rows} of {r.ExpectedRows} runs{(r.Duplicates > 0 ? $" ({r.Duplicates} duplicate row(s) skipped; the first store given wins)" : "")}"));
            ctx.Out.WriteLine($"wrote {Path.Combine(Path.GetFullPath(outDir), RunStore.FileName)}, cases.csv and summary.csv; tables and figures: aiopslab report {outDir}");
            if (r.Rows < r.ExpectedRows) ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"note: {r.ExpectedRows - r.Rows} run(s) are missing: a shard is absent or unfinished."));
            return 0;
        }));
        return cmd;
    }
}
