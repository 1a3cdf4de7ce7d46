using System.CommandLine;
using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Reporting;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab datasets list|info|fetch</c>.</summary>
public sealed class DatasetsCommand : ICliCommand
{
    public int Order => 10;

    public Command Build(CliContext ctx)
    {
        var cmd = new Command("datasets", "List the dataset catalog, describe, check, download, export or import datasets.");

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
            if (DatasetCatalog.Find(p.GetValue(nameArg)!) is { Layout: "nab" } nab)
            {
                DescribeNab(ctx.Out, nab, ctx.ResolveDataRoot(p));
                return 0;
            }
            var ds = DatasetCatalog.Open(p.GetValue(nameArg)!, ctx.ResolveDataRoot(p), DatasetOptions.Parse(p.GetValue(opts) ?? []));
            Describe(ctx.Out, ds);
            return 0;
        }));
        cmd.Subcommands.Add(info);
        cmd.Subcommands.Add(Fetch(ctx));
        cmd.Subcommands.Add(Check(ctx));
        cmd.Subcommands.Add(DatasetsTransfer.Export(ctx));
        cmd.Subcommands.Add(DatasetsTransfer.Import(ctx));
        return cmd;
    }

    private static Command Check(CliContext ctx)
    {
        var name = new Argument<string>("dataset") { Description = "Catalog name or path to a dataset folder." };
        var opts = DatasetOptionsOption();
        var cmd = new Command("check", "Load every case (metrics, labels, graphs), report the ones that cannot be read, and time it.") { name, opts };
        cmd.SetAction(ctx.Guard((p, ct) =>
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var ds = DatasetCatalog.Open(p.GetValue(name)!, ctx.ResolveDataRoot(p), DatasetOptions.Parse(p.GetValue(opts) ?? []));
            int ok = 0, unavailable = 0, bad = 0;
            long cells = 0;
            foreach (var d in ds.Cases)
            {
                ct.ThrowIfCancellationRequested();
                try { var c = ds.Load(d, ct); CaseValidation.Check(c); cells += (long)c.Metrics.RowCount * c.Metrics.ColumnCount; ok++; }
                catch (CaseUnavailableException e) { unavailable++; ctx.Err.WriteLine($"unavailable: {d.Id}: {e.Message}"); }
                catch (AiopsLabException e) { bad++; ctx.Err.WriteLine($"error: {d.Id}: {e.Message}"); }
                catch (Exception e) when (e is not OperationCanceledException)
                { bad++; ctx.Err.WriteLine($"error: {d.Id}: cannot load the case: {ErrorText.Limit(e.GetType().Name + ": " + e.Message)}"); }
            }
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ds.Name}: {ok} cases loaded ({cells:N0} values), {unavailable} unavailable, {bad} unreadable, in {sw.Elapsed.TotalSeconds:0.000} s"));
            return bad == 0 ? 0 : 3;
        }));
        return cmd;
    }

    private static Command Fetch(CliContext ctx)
    {
        var name = new Argument<string>("dataset") { Description = "Catalog name (see 'datasets list')." };
        var force = new Option<bool>("--force") { Description = "Replace the dataset folder if it exists." };
        var unpinned = new Option<bool>("--allow-unpinned") { Description = "Accept an archive whose SHA-256 the catalog does not pin yet (the checksum seen is printed)." };
        var catalog = new Option<string?>("--catalog") { Description = "Read this catalog file instead of the built-in datasets/catalog.yaml." };
        var cmd = new Command("fetch", "Download a dataset's upstream archive, verify its SHA-256 and unpack it under the data root.") { name, force, unpinned, catalog };
        cmd.SetAction(ctx.Guard((p, ct) =>
        {
            var n = p.GetValue(name)!;
            var entries = p.GetValue(catalog) is { } file
                ? DatasetCatalog.Parse(File.Exists(file) ? File.ReadAllText(file) : throw new AiopsLabException($"catalog file '{file}' does not exist."), file)
                : DatasetCatalog.Entries;
            var entry = entries.FirstOrDefault(e => string.Equals(e.Name, n, StringComparison.OrdinalIgnoreCase))
                ?? throw new UnknownNameException("dataset", n, entries.Select(e => e.Name));
            var root = ctx.ResolveDataRoot(p);
            ctx.Err.WriteLine($"fetching {entry.Name} from {entry.Url} into {root.For(entry.Name)}");
            var options = new FetchOptions { Force = p.GetValue(force), AllowUnpinned = p.GetValue(unpinned) };
            var result = ProgressDisplay.Download(ctx, entry.Name, progress => DatasetFetcher.FetchAsync(entry, root, options, progress, null, ct).GetAwaiter().GetResult());
            var inv = CultureInfo.InvariantCulture;
            ctx.Out.WriteLine(string.Create(inv, $"fetched {entry.Name}: {result.Files} files ({result.UnpackedBytes / 1e6:0.0} MB) into {result.Folder}"));
            ctx.Out.WriteLine($"sha256:   {result.Sha256}{(result.Pinned ? " (matches the catalog)" : " (not pinned in the catalog)")}");
            ctx.Out.WriteLine($"license:  {entry.License}");
            ctx.Out.WriteLine($"citation: {entry.Citation}");
            return 0;
        }));
        return cmd;
    }

    /// <summary><c>--dataset-option key=value</c>, repeatable.</summary>
    public static Option<string[]> DatasetOptionsOption() => new("--dataset-option", "-D")
    {
        Description = "Loader option key=value (repeatable), e.g. -D before=600 for nezha or -D cases=200 for synthetic.",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>The name, the catalog entry's title, (source,) license and citation when there is one, and the location.</summary>
    private static void Header(TextWriter o, string name, DatasetEntry? entry, string location, bool source)
    {
        o.WriteLine($"dataset:  {name}");
        if (entry is not null)
        {
            o.WriteLine($"title:    {entry.Title}");
            if (source) o.WriteLine($"source:   {entry.Source}");
            o.WriteLine($"license:  {entry.License}");
            o.WriteLine($"citation: {entry.Citation}");
        }
        o.WriteLine($"location: {location}");
    }

    /// <summary>NAB is not a set of fault cases: its series and windows per category.</summary>
    private static void DescribeNab(TextWriter o, DatasetEntry entry, DataRoot root)
    {
        var dir = root.For(entry.Name);
        if (!Directory.Exists(dir)) throw new AiopsLabException($"'{dir}' does not exist; run 'aiopslab datasets fetch {entry.Name}'.");
        var corpus = NabCorpus.Open(dir);
        var inv = CultureInfo.InvariantCulture;
        Header(o, entry.Name, entry, dir, source: false);
        o.WriteLine(string.Create(inv, $"series:   {corpus.Files.Count}, anomaly windows: {corpus.WindowCount}"));
        o.WriteLine();
        var rows = corpus.Files.GroupBy(f => f.Split('/')[0]).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (IReadOnlyList<string>)[g.Key, g.Count().ToString(inv), g.Sum(f => corpus.Windows[f].Length).ToString(inv)]);
        o.Write(TextTable.Render(["category", "series", "windows"], rows));
        o.WriteLine();
        o.WriteLine("Use it with 'aiopslab nab score DIR --detector NAME' or 'aiopslab nab run --detectors a,b --out DIR'.");
    }

    /// <summary>Prints a dataset's case counts.</summary>
    public static void Describe(TextWriter o, IDataset ds)
    {
        var inv = CultureInfo.InvariantCulture;
        var entry = DatasetCatalog.Find(ds.Name);
        Header(o, ds.Name, entry, ds.Location, source: true);
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
