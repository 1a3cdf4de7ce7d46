using System.Text.Json.Nodes;
using AiopsLab.Data;
using AiopsLab.Notebooks;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Notebooks;

/// <summary>
/// Notebook tests change the process's working directory and console while a notebook runs, so they run alone
/// (after the parallel collections), never beside other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotebookCollection
{
    public const string Name = "Notebooks";
}

/// <summary>Builds small notebooks in a temp folder.</summary>
internal static class TestNotebooks
{
    public static string Ipynb(string folder, string name, params string[] cells) => Write(folder, name, cells.Select(c => (c.StartsWith("# ", StringComparison.Ordinal) ? CellKind.Markdown : CellKind.Code, c)).ToArray());

    public static string Write(string folder, string name, params (CellKind Kind, string Source)[] cells)
    {
        var doc = new NotebookDocument
        {
            Path = Path.Combine(folder, name),
            Cells = cells.Select(c => new NotebookCell(c.Kind, c.Kind == CellKind.Code ? "csharp" : "", c.Source)).ToArray(),
            Metadata = NotebookDocument.PolyglotMetadata(),
        };
        File.WriteAllText(doc.Path, doc.ToIpynb());
        return doc.Path;
    }

    public static JsonObject Executed(NotebookRunResult r) => JsonNode.Parse(File.ReadAllText(r.OutputPath!))!.AsObject();

    public static JsonArray Outputs(JsonObject executed, int cell) => executed["cells"]![cell - 1]!["outputs"]!.AsArray();

    public static string Text(JsonNode? lines) => lines is JsonArray a ? string.Concat(a.Select(l => l!.GetValue<string>())) : lines?.GetValue<string>() ?? "";

    public static IEnumerable<JsonObject> AllOutputs(JsonObject executed) =>
        executed["cells"]!.AsArray().SelectMany(c => c!["outputs"] is JsonArray o ? o.Select(x => x!.AsObject()) : []);
}

[Collection(NotebookCollection.Name)]
/// <summary>The Roslyn engine (<see cref="NotebookEngine.Roslyn"/>); the kernel engine is covered by KernelEngineTests.</summary>
public sealed class NotebookRunnerTests
{
    private static Task<NotebookRunResult> Run(string path, TimeSpan? timeout = null) =>
        NotebookRunner.RunAsync(path, new NotebookRunOptions { OutDir = Path.Combine(Path.GetDirectoryName(path)!, "out"), CellTimeout = timeout, Engine = NotebookEngine.Roslyn });

    [Fact]
    public async Task State_carries_from_cell_to_cell()
    {
        var dir = CliRunner.TempDir("nb-state");
        var nb = TestNotebooks.Ipynb(dir, "state.ipynb",
            "var x = 20;\nint Twice(int v) => 2 * v;",
            "using System.Globalization;\nvar y = Twice(x) + 2;",
            "y.ToString(CultureInfo.InvariantCulture) + \"!\"");
        var r = await Run(nb);
        Assert.True(r.Ok, r.Error);
        var exec = TestNotebooks.Executed(r);
        var result = TestNotebooks.Outputs(exec, 3).Single()!;
        Assert.Equal("execute_result", result["output_type"]!.GetValue<string>());
        Assert.Equal("42!", TestNotebooks.Text(result["data"]!["text/plain"]));
        Assert.Equal(3, exec["cells"]![2]!["execution_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Error_in_cell_2_stops_the_notebook_and_is_recorded_with_its_cell_number()
    {
        var dir = CliRunner.TempDir("nb-error");
        var marker = Path.Combine(dir, "cell3-ran.txt");
        var nb = TestNotebooks.Ipynb(dir, "fails.ipynb",
            "Console.WriteLine(\"before\");",
            "Console.WriteLine(\"partial\");\nthrow new InvalidOperationException(\"boom in cell two\");",
            $"System.IO.File.WriteAllText(@\"{marker}\", \"x\");");
        var r = await Run(nb);
        Assert.False(r.Ok);
        Assert.Equal(2, r.FailedCell);
        Assert.Contains("fails.ipynb", r.Error);
        Assert.Contains("cell 2", r.Error);
        Assert.Contains("boom in cell two", r.Error);
        Assert.False(File.Exists(marker), "cell 3 must not run after cell 2 failed");
        var exec = TestNotebooks.Executed(r);
        var outs = TestNotebooks.Outputs(exec, 2);
        Assert.Equal("partial\n", TestNotebooks.Text(outs[0]!["text"]));
        var err = outs[1]!.AsObject();
        Assert.Equal("error", err["output_type"]!.GetValue<string>());
        Assert.Equal("InvalidOperationException", err["ename"]!.GetValue<string>());
        Assert.Equal("boom in cell two", err["evalue"]!.GetValue<string>());
        Assert.NotEmpty(err["traceback"]!.AsArray());
        Assert.Empty(TestNotebooks.Outputs(exec, 3));
        Assert.Null(exec["cells"]![2]!["execution_count"]);
    }

    [Fact]
    public async Task Compile_error_names_the_line_of_the_cell()
    {
        var dir = CliRunner.TempDir("nb-compile");
        var nb = TestNotebooks.Ipynb(dir, "compile.ipynb", "# Title", "var a = 1;\n\nvar b = undefinedName;");
        var r = await Run(nb);
        Assert.False(r.Ok);
        Assert.Equal(2, r.FailedCell); // cell numbers count markdown cells, as an editor shows them
        Assert.Contains("(3,9)", r.Error);
        Assert.Contains("CS0103", r.Error);
    }

    [Theory]
    [InlineData(NotebookEngine.Roslyn)]
    [InlineData(NotebookEngine.Kernel)]
    public async Task Cell_time_limit_fails_the_cell(NotebookEngine engine)
    {
        var dir = CliRunner.TempDir("nb-timeout-" + engine);
        var nb = TestNotebooks.Ipynb(dir, "slow.ipynb", "System.Threading.Thread.Sleep(3000);");
        var r = await NotebookRunner.RunAsync(nb, new NotebookRunOptions { OutDir = Path.Combine(dir, "out"), CellTimeout = TimeSpan.FromMilliseconds(300), Engine = engine });
        Assert.False(r.Ok);
        Assert.Contains("TimeoutException", r.Error);
    }

    [Fact]
    public async Task Display_of_a_MetricFrame_is_an_html_table_with_a_text_twin()
    {
        var dir = CliRunner.TempDir("nb-display");
        var nb = TestNotebooks.Ipynb(dir, "display.ipynb",
            "using AiopsLab.Data;\nConsole.WriteLine(\"first\");\ndisplay(new MetricFrame(new long[] { 10, 20, 30 }, new[] { \"cart_cpu\", \"cart_mem\" }, new[] { new[] { 1.5, 2.5, 3.5 }, new[] { 7.0, double.NaN, 9.0 } }));\nConsole.WriteLine(\"second\");");
        var r = await Run(nb);
        Assert.True(r.Ok, r.Error);
        var outs = TestNotebooks.Outputs(TestNotebooks.Executed(r), 1);
        Assert.Equal(["stream", "display_data", "stream"], outs.Select(o => o!["output_type"]!.GetValue<string>()).ToArray());
        var html = TestNotebooks.Text(outs[1]!["data"]!["text/html"]);
        var text = TestNotebooks.Text(outs[1]!["data"]!["text/plain"]);
        Assert.Contains("<table>", html);
        Assert.Contains("<th>cart_cpu</th>", html);
        Assert.Contains("<th>cart_mem</th>", html);
        Assert.Contains("3 rows × 2 columns", html.Replace("&#215;", "×", StringComparison.Ordinal));
        Assert.Contains("<td style=\"text-align:right\">2.5</td>", html);
        Assert.Contains("cart_cpu", text);
        Assert.Contains("NaN", text);
    }

    [Fact]
    public async Task Html_figures_tables_and_records_render_as_html()
    {
        var dir = CliRunner.TempDir("nb-render");
        var nb = TestNotebooks.Ipynb(dir, "render.ipynb",
            "using AiopsLab.Reporting.Figures;\ndisplay(new PlotlyFigure { Title = \"fig\", Traces = [new PlotlyTrace { Name = \"t\", X = [1.0, 2.0], Y = [3.0, 4.0] }] });",
            "display(HTML(\"<b>bold</b>\"));\ndisplay(new[] { new { method = \"baro\", avg5 = 0.5 }, new { method = \"circa\", avg5 = 0.25 } });",
            "var rr = AiopsLab.Methods.RcaResult.FromScores(new[] { \"a_cpu\", \"b_mem\" }, new[] { 1.0, 2.0 });\nrr");
        var r = await Run(nb);
        Assert.True(r.Ok, r.Error);
        var exec = TestNotebooks.Executed(r);
        var fig = TestNotebooks.Text(TestNotebooks.Outputs(exec, 1)[0]!["data"]!["text/html"]);
        Assert.Contains("Plotly", fig);
        Assert.Contains("newPlot", fig);
        Assert.Contains("\"name\":\"t\"", fig);
        var two = TestNotebooks.Outputs(exec, 2);
        Assert.Equal("<b>bold</b>", TestNotebooks.Text(two[0]!["data"]!["text/html"]));
        var records = TestNotebooks.Text(two[1]!["data"]!["text/html"]);
        Assert.Contains("<th>method</th><th>avg5</th>", records);
        Assert.Contains("<td>circa</td>", records);
        var ranking = TestNotebooks.Outputs(exec, 3).Single()!;
        Assert.Equal("execute_result", ranking["output_type"]!.GetValue<string>());
        var rankingHtml = TestNotebooks.Text(ranking["data"]!["text/html"]);
        // b_mem has the higher score, so it is ranked first.
        Assert.True(rankingHtml.IndexOf("b_mem", StringComparison.Ordinal) < rankingHtml.IndexOf("a_cpu", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Working_directory_is_the_notebook_folder_and_is_restored()
    {
        var dir = CliRunner.TempDir("nb-cwd");
        File.WriteAllText(Path.Combine(dir, "data.txt"), "relative read works");
        var nb = TestNotebooks.Ipynb(dir, "cwd.ipynb", "System.IO.File.ReadAllText(\"data.txt\")");
        var before = Directory.GetCurrentDirectory();
        var r = await Run(nb);
        Assert.True(r.Ok, r.Error);
        Assert.Equal(before, Directory.GetCurrentDirectory());
        Assert.Equal("relative read works", TestNotebooks.Text(TestNotebooks.Outputs(TestNotebooks.Executed(r), 1)[0]!["data"]!["text/plain"]));
    }

    [Fact]
    public async Task Dib_sections_become_cells_and_run()
    {
        var dir = CliRunner.TempDir("nb-dib");
        var path = Path.Combine(dir, "sample.dib");
        File.WriteAllText(path, "#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"aliases\":[],\"name\":\"csharp\"}]}}\n\n#!markdown\n\n# Title\n\nText.\n\n#!csharp\n\nvar n = 6;\n\n#!c#\n\nn * 7\n");
        var doc = NotebookDocument.Load(path);
        Assert.Equal([CellKind.Markdown, CellKind.Code, CellKind.Code], doc.Cells.Select(c => c.Kind).ToArray());
        Assert.Equal("# Title\n\nText.", doc.Cells[0].Source);
        Assert.Equal("var n = 6;", doc.Cells[1].Source);
        Assert.All(doc.Cells.Skip(1), c => Assert.Equal("csharp", c.Language));
        var r = await Run(path);
        Assert.True(r.Ok, r.Error);
        Assert.EndsWith("sample.ipynb", r.OutputPath);
        var exec = TestNotebooks.Executed(r);
        Assert.Equal(".net-csharp", exec["metadata"]!["kernelspec"]!["name"]!.GetValue<string>());
        Assert.Equal("42", TestNotebooks.Text(TestNotebooks.Outputs(exec, 3)[0]!["data"]!["text/plain"]));
    }

    [Fact]
    public void Ipynb_cell_language_comes_from_polyglot_metadata()
    {
        var json = """
            {"cells":[
              {"cell_type":"code","metadata":{"polyglot_notebook":{"kernelName":"fsharp"}},"source":["let x = 1"],"outputs":[],"execution_count":null},
              {"cell_type":"code","metadata":{"dotnet_interactive":{"language":"csharp"}},"source":"var y = 2;","outputs":[],"execution_count":null},
              {"cell_type":"code","metadata":{},"source":["var z = 3;"],"outputs":[],"execution_count":null},
              {"cell_type":"markdown","metadata":{},"source":["# md"]}],
             "metadata":{"kernelspec":{"display_name":".NET (C#)","language":"C#","name":".net-csharp"}},"nbformat":4,"nbformat_minor":5}
            """;
        var doc = NotebookDocument.ParseIpynb(json, "x.ipynb");
        Assert.Equal(["fsharp", "csharp", "csharp", ""], doc.Cells.Select(c => c.Language).ToArray());
        var bad = Assert.Throws<DataFormatException>(() => NotebookDocument.ParseIpynb(json.Replace(".net-csharp", "python3", StringComparison.Ordinal), "y.ipynb"));
        Assert.Contains("y.ipynb", bad.Message);
        Assert.Contains("python3", bad.Message);
    }

    [Fact]
    public void Directives_are_taken_out_of_the_cell_keeping_line_numbers()
    {
        var src = CellSource.Parse("#!csharp\n#r \"nuget: Newtonsoft.Json, 13.0.3\"\n#r \"../artifacts/lib/AiopsLab.dll\"\nvar a = 1;");
        Assert.Equal([new NuGetPackage("Newtonsoft.Json", "13.0.3")], src.Packages);
        Assert.Equal(["../artifacts/lib/AiopsLab.dll"], src.AssemblyPaths);
        Assert.Equal("\n\n\nvar a = 1;", src.Code);
        Assert.Contains("exact version", Assert.Throws<AiopsLabException>(() => CellSource.Parse("#r \"nuget: Newtonsoft.Json\"")).Message);
        Assert.Contains("#!time", Assert.Throws<AiopsLabException>(() => CellSource.Parse("#!time\nvar a = 1;")).Message);
        Assert.Null(NuGetRestore.Parse("#r \"some.dll\""));
        Assert.Equal(new NuGetPackage("CsvHelper", "33.0.1"), NuGetRestore.Parse("  #r \"nuget:CsvHelper,33.0.1\"  "));
    }

    /// <summary>
    /// Restores a package the library does not load (Newtonsoft.Json 13.0.3, in the machine's package cache because the
    /// test SDK depends on it, so this works without network) and uses it from a cell. Runs everywhere, CI included.
    /// </summary>
    [Fact]
    public async Task Nuget_reference_is_restored_and_usable()
    {
        var dir = CliRunner.TempDir("nb-nuget");
        var nb = TestNotebooks.Ipynb(dir, "nuget.ipynb",
            "#r \"nuget: Newtonsoft.Json, 13.0.3\"\nusing Newtonsoft.Json;",
            "JsonConvert.SerializeObject(new { answer = 42 })");
        var r = await Run(nb, TimeSpan.FromMinutes(3));
        Assert.True(r.Ok, r.Error);
        Assert.Equal("{\"answer\":42}", TestNotebooks.Text(TestNotebooks.Outputs(TestNotebooks.Executed(r), 2)[0]!["data"]!["text/plain"]));
        var assemblies = NuGetRestore.Restore(new NuGetPackage("Newtonsoft.Json", "13.0.3"));
        Assert.Contains(assemblies, a => Path.GetFileName(a) == "Newtonsoft.Json.dll" && File.Exists(a));
    }

    [Fact]
    public async Task Reference_to_the_built_library_binds_to_the_loaded_copy()
    {
        var lib = Path.Combine(TestData.RepoRoot, "artifacts", "lib", "AiopsLab.dll");
        Assert.True(File.Exists(lib), $"{lib} is missing: building the solution copies it there");
        var dir = CliRunner.TempDir("nb-ref");
        var nb = TestNotebooks.Ipynb(dir, "ref.ipynb",
            $"#r \"{lib}\"\nusing AiopsLab.Data;",
            "typeof(MetricFrame).Assembly.Location");
        var r = await Run(nb);
        Assert.True(r.Ok, r.Error);
        var location = TestNotebooks.Text(TestNotebooks.Outputs(TestNotebooks.Executed(r), 2)[0]!["data"]!["text/plain"]);
        Assert.Equal(typeof(MetricFrame).Assembly.Location, location);
    }

    [Fact]
    public async Task Missing_reference_is_a_clear_error()
    {
        var dir = CliRunner.TempDir("nb-missing");
        var nb = TestNotebooks.Ipynb(dir, "missing.ipynb", "#r \"../artifacts/lib/Nothing.dll\"");
        var r = await Run(nb);
        Assert.False(r.Ok);
        Assert.Contains("Nothing.dll", r.Error);
        Assert.Contains("does not exist", r.Error);
    }

    [Fact]
    public void Cli_runs_notebooks_and_exits_non_zero_on_failure()
    {
        var dir = CliRunner.TempDir("nb-cli");
        TestNotebooks.Ipynb(dir, "a-ok.ipynb", "Console.WriteLine(1);");
        TestNotebooks.Ipynb(dir, "b-bad.ipynb", "# md", "throw new Exception(\"bad\");");
        var outDir = Path.Combine(dir, "executed");
        var res = CliRunner.Run("notebook", "run", Path.Combine(dir, "*.ipynb"), "--out", outDir);
        Assert.Equal(1, res.ExitCode);
        Assert.Contains("b-bad.ipynb: cell 2", res.Err);
        Assert.True(File.Exists(Path.Combine(outDir, "a-ok.ipynb")));
        Assert.True(File.Exists(Path.Combine(outDir, "b-bad.ipynb")));
        var none = CliRunner.Run("notebook", "run", Path.Combine(dir, "nothing-*.ipynb"));
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("matches no file", none.Err);
    }
}
