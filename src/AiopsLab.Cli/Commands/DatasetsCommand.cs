using System.CommandLine;
using System.Globalization;
using AiopsLab.Datasets;
using AiopsLab.Reporting;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab datasets list|info|fetch</c>.</summary>
public sealed class DatasetsCommand : ICliCommand
{
    public int Order => 10;

    /// <summary>Subcommands other files add to <c>datasets</c> (e.g. fetch).</summary>
    public static readonly List<Func<CliContext, Command>> Extra = [];

    public Command Build(CliContext ctx)
    {
        var cmd = new Command("datasets", "List the dataset catalog, describe a dataset, or download one.");

        var list = new Command("list", "The catalog: name, whether it is under the data root, license.");
        list.SetAction(ctx.Guard((p, _) =>
        {
            var root = ctx.ResolveDataRoot(p);
            ctx.Out.WriteLine($"data root: {root.Path} (from {root.Source})");
            var rows = DatasetCatalog.Entries.Select(e => (IReadOnlyList<string>)
            [
                e.Name,
                e.Url is null ? "generated" : Directory.Exists(root.For(e.Name)) ? "present" : "absent",
                e.Title, e.License,
            ]);
            ctx.Out.Write(TextTable.Render(["name", "data", "title", "license"], rows));
            return 0;
        }));
        cmd.Subcommands.Add(list);

        var nameArg = new Argument<string>("dataset") { Description = "Catalog name or path to a dataset folder." };
        var opts = DatasetOptionsOption();
        var info = new Command("info", "Cases per system and fault type, and notes on this copy of the data.") { nameArg, opts };
        info.SetAction(ctx.Guard((p, _) =>
        {
            var ds = DatasetCatalog.Open(p.GetValue(nameArg)!, ctx.ResolveDataRoot(p), DatasetOptions.Parse(p.GetValue(opts) ?? []));
            Describe(ctx.Out, ds);
            return 0;
        }));
        cmd.Subcommands.Add(info);
        foreach (var f in Extra) cmd.Subcommands.Add(f(ctx));
        return cmd;
    }

    /// <summary><c>--dataset-option key=value</c>, repeatable.</summary>
    public static Option<string[]> DatasetOptionsOption() => new("--dataset-option", "-D")
    {
        Description = "Loader option key=value (repeatable), e.g. -D before=600 for nezha or -D cases=200 for synthetic.",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>Prints a dataset's case counts.</summary>
    public static void Describe(TextWriter o, IDataset ds)
    {
        var inv = CultureInfo.InvariantCulture;
        var entry = DatasetCatalog.Find(ds.Name);
        o.WriteLine($"dataset:  {ds.Name}");
        if (entry is not null)
        {
            o.WriteLine($"title:    {entry.Title}");
            o.WriteLine($"source:   {entry.Source}");
            o.WriteLine($"license:  {entry.License}");
            o.WriteLine($"citation: {entry.Citation}");
        }
        o.WriteLine($"location: {ds.Location}");
        o.WriteLine(string.Create(inv, $"cases:    {ds.Cases.Count}"));
        var unavailable = ds.Cases.Count(c => c.Problem is not null);
        if (unavailable > 0) o.WriteLine(string.Create(inv, $"          ({unavailable} cannot be run as they are; see notes)"));
        o.WriteLine();
        var rows = ds.Cases.GroupBy(c => (c.System, c.FaultClass ?? "", c.FaultType))
            .OrderBy(g => g.Key.System, StringComparer.Ordinal).ThenBy(g => g.Key.Item2, StringComparer.Ordinal).ThenBy(g => g.Key.FaultType, StringComparer.Ordinal)
            .Select(g => (IReadOnlyList<string>)[g.Key.System, g.Key.Item2, g.Key.FaultType, g.Count().ToString(inv), g.Count(c => c.Problem is not null).ToString(inv)]);
        o.Write(TextTable.Render(["system", "class", "fault", "cases", "unavailable"], rows));
        o.WriteLine();
        var byFault = ds.Cases.GroupBy(c => c.FaultType).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (IReadOnlyList<string>)[g.Key, g.Count().ToString(inv)]);
        o.Write(TextTable.Render(["fault", "cases"], byFault));
        if (ds.Notes.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("notes:");
            foreach (var n in ds.Notes) o.WriteLine("  - " + n);
        }
    }
}
