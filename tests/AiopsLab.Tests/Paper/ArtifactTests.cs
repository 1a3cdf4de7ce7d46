using System.Reflection;
using System.Text.Json;
using AiopsLab.Datasets;
using AiopsLab.Methods;
using AiopsLab.Tests.Infrastructure;
using Xunit;
using YamlDotNet.RepresentationModel;
using AiopsLab.Catalog;

namespace AiopsLab.Tests.Paper;

/// <summary>The citable artifact: licence, citation metadata in step with the build, and a reference for every method and dataset.</summary>
public class ArtifactTests
{
    private static string Repo(string path) => Path.Combine(TestData.RepoRoot, path);

    private static string BuildVersion =>
        typeof(MethodCatalog).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    [Fact]
    public void Citation_cff_is_cff_1_2_0_and_matches_the_build_version()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Repo("CITATION.cff"))));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        string Get(string key) => ((YamlScalarNode)root.Children[new YamlScalarNode(key)]).Value!;
        Assert.Equal("1.2.0", Get("cff-version"));
        // The keys CFF 1.2.0 requires.
        Assert.False(string.IsNullOrWhiteSpace(Get("message")));
        Assert.False(string.IsNullOrWhiteSpace(Get("title")));
        Assert.NotEmpty((YamlSequenceNode)root.Children[new YamlScalarNode("authors")]);
        Assert.Equal(BuildVersion, Get("version"));
        Assert.Equal("MIT", Get("license"));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", Get("date-released"));
    }

    [Fact]
    public void Codemeta_agrees_with_the_citation_and_the_licence()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Repo("codemeta.json")));
        var r = doc.RootElement;
        Assert.Equal("https://doi.org/10.5063/schema/codemeta-2.0", r.GetProperty("@context").GetString());
        Assert.Equal("SoftwareSourceCode", r.GetProperty("@type").GetString());
        Assert.Equal(BuildVersion, r.GetProperty("version").GetString());
        Assert.EndsWith("/MIT", r.GetProperty("license").GetString());
        Assert.StartsWith("MIT License", File.ReadAllText(Repo("LICENSE")));
    }

    /// <summary>Committed report pages draw on a fresh clone: every local script a page under results/ loads is committed beside it.</summary>
    [Fact]
    public void Every_committed_report_page_has_the_scripts_it_loads()
    {
        var pages = Directory.GetFiles(Repo("results"), "*.html", SearchOption.AllDirectories);
        Assert.NotEmpty(pages);
        foreach (var page in pages)
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(page), "<script[^>]*\\ssrc=\"([^\"]+)\""))
            {
                var src = m.Groups[1].Value;
                Assert.False(src.StartsWith("http", StringComparison.OrdinalIgnoreCase), $"{page} loads {src} from the network: reports must draw offline.");
                Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(page)!, src)), $"{page} loads {src}, which is not beside it (regenerate the report).");
            }
    }

    [Fact]
    public void References_cite_every_method_and_dataset()
    {
        var bib = File.ReadAllText(Repo("paper/references.bib"));
        // The first author's surname of every registered method's citation appears in the bibliography.
        foreach (var m in MethodCatalog.All)
        {
            var first = new string(m.Citation.TakeWhile(c => char.IsLetter(c) || c == '-').ToArray());
            bool cited = bib.Contains(first + ",", StringComparison.Ordinal) || (first.Length >= 4 && bib.Contains(first, StringComparison.OrdinalIgnoreCase));
            Assert.True(first.Length >= 2 && cited,
                $"paper/references.bib has no reference for {m.Name} (citation '{m.Citation}').");
        }
        foreach (var key in new[] { "ikram2022rcd", "yu2023nezha", "hardt2024petshop", "lavin2015nab", "pham2024rcaeval_ase" })
            Assert.Contains("{" + key + ",", bib);
        Assert.All(DatasetCatalog.Entries.Where(e => e.Url is not null), e => Assert.False(string.IsNullOrWhiteSpace(e.Citation), $"{e.Name} has no citation in the catalog."));
    }
}
