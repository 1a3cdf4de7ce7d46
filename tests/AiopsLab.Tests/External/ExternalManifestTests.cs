using AiopsLab.Data;
using AiopsLab.External;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.External;

/// <summary>Manifests: the shipped examples load; mistakes are errors naming file, line and column; options bind with types.</summary>
public sealed class ExternalManifestTests
{
    private static string Write(string text)
    {
        var path = Path.Combine(CliRunner.TempDir("manifest"), "m" + ExternalManifest.FileSuffix);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void The_examples_load_with_their_options()
    {
        var m = ExternalManifest.Load(Path.Combine(Py.Examples, "py-baro" + ExternalManifest.FileSuffix));
        Assert.Equal("py-baro", m.Name);
        Assert.Equal(["python3", "baro.py"], m.Command);
        Assert.Equal(["absolute", "exclude-kinds", "memory-unit-divisor", "window"], m.Options.Select(o => o.Name));
        var values = m.BindOptions(new Dictionary<string, string> { ["window"] = "300", ["exclude_kinds"] = "lat_50;lat_99" });
        Assert.Equal(300L, values["window"]);
        Assert.Equal(1e6, values["memory-unit-divisor"]);
        Assert.Equal(false, values["absolute"]);
        Assert.Equal(["lat_50", "lat_99"], (string[])values["exclude-kinds"]);
    }

    [Theory]
    [InlineData("name: x\nkind: localizer\ncommand: [a]\ncolour: red\n", 4, 1, "unknown key 'colour'")]
    [InlineData("name: x\nkind: reducer\ncommand: [a]\n", 2, 7, "kind 'reducer' is not supported by protocol 1 yet")]
    [InlineData("name: x\nkind: localizer\n", 1, 1, "missing key 'command'")]
    [InlineData("name: x y\nkind: localizer\ncommand: [a]\n", 1, 7, "is not a method name")]
    [InlineData("protocol: 2\nname: x\nkind: localizer\ncommand: [a]\n", 1, 11, "protocol 2 is not supported")]
    [InlineData("name: x\nkind: localizer\ncommand: [a]\noptions:\n  k: {type: int, default: abc}\n", 5, 27, "option 'k': default 'abc' is not a whole number")]
    [InlineData("name: x\nkind: localizer\ncommand: [a]\noptions:\n  k: {type: float}\n", 5, 13, "type 'float' is not one of")]
    [InlineData("name: x\nkind: localizer\ncommand: [a]\ntransport: pigeon\n", 4, 12, "transport 'pigeon'")]
    public void Mistakes_name_file_line_and_column(string text, int line, int column, string problem)
    {
        var path = Write(text);
        var e = Assert.Throws<DataFormatException>(() => ExternalManifest.Load(path));
        Assert.Equal(path, e.File);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains(problem, e.Problem);
    }

    [Fact]
    public void Unknown_options_and_bad_values_are_clear_errors()
    {
        var m = ExternalManifest.Load(Write("name: x\nkind: localizer\ncommand: [a]\noptions:\n  mode: {type: text, default: a, choices: [a, b]}\n  k: {type: number, default: 1.5}\n"));
        Assert.Contains("unknown parameter of 'x' 'q'. Known: k, mode.", Assert.Throws<UnknownNameException>(() => m.BindOptions(new Dictionary<string, string> { ["q"] = "1" })).Message);
        Assert.Contains("'c' is not one of a, b", Assert.Throws<AiopsLabException>(() => m.BindOptions(new Dictionary<string, string> { ["mode"] = "c" })).Message);
        Assert.Contains("'x' parameter 'k': 'fast' is not a number", Assert.Throws<AiopsLabException>(() => m.BindOptions(new Dictionary<string, string> { ["k"] = "fast" })).Message);
    }
}
