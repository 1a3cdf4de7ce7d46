#:project ../../../src/AiopsLab/AiopsLab.csproj
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
using System.Globalization;
using System.Text.Json;
using AiopsLab.Reduction;
// dotnet run sifter_steps.cs -c Release -- ROOT OUT.json [tolerance]: our MetricSifter step by step on every exported case (reference selection).
var root = args[0]; var res = new SortedDictionary<string, object>(StringComparer.Ordinal);
double tol = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : MetricSifter.DefaultRelativeTolerance;
foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
{
    var lines = File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Where(l => l.Length > 0).ToArray();
    var names = lines[0].Split(',')[1..];
    var cols = names.Select(_ => new double[lines.Length - 1]).ToArray();
    for (int r = 1; r < lines.Length; r++)
    {
        var f = lines[r].Split(',');
        for (int c = 0; c < names.Length; c++)
            cols[c][r - 1] = f[c + 1].Length == 0 ? double.NaN : double.Parse(f[c + 1], CultureInfo.InvariantCulture);
    }
    var kept = new List<string>(); var cps = new List<int[]>(); var d = new SortedDictionary<string, int[]>(StringComparer.Ordinal);
    for (int j = 0; j < names.Length; j++)
    {
        if (!MetricSifter.CanChange(cols[j], tol)) continue;
        var cp = MetricSifter.ChangePoints(cols[j]);
        kept.Add(names[j]); cps.Add(cp); d[names[j]] = cp;
    }
    var sel = MetricSifter.SelectDensest(cps, lines.Length - 1).Select(i => kept[i]).Order(StringComparer.Ordinal).ToArray();
    res[Path.GetFileName(dir)] = new { kept = sel, cps = d };
}
File.WriteAllText(args[1], JsonSerializer.Serialize(res));
