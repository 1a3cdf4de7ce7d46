using AiopsLab.Methods;

namespace AiopsLab.Experiments;

/// <summary>
/// Expands a method entry's parameter grid into method specs. The grid is the Cartesian product of its axes, in the
/// order they are written, the first axis varying slowest (as <c>itertools.product</c>): <c>nsigma: {k: [2, 3]}</c> gives
/// <c>nsigma(k=2)</c>, <c>nsigma(k=3)</c>. An axis named <c>k</c> sets the last stage's parameter (the localizer);
/// <c>stage.k</c> sets the parameter of the named stage, e.g. <c>metricsifter.bandwidth</c> in
/// <c>metricsifter+baro</c>. Each result is canonical (<see cref="MethodSpec.ToString"/>: parameters sorted by name).
/// </summary>
public static class MethodGrid
{
    /// <summary>The specs of one entry, in grid order.</summary>
    /// <exception cref="Data.DataFormatException">An axis names a stage that is not in the spec, or a parameter the spec already fixes.</exception>
    public static IReadOnlyList<MethodSpec> Expand(MethodGridSpec entry)
    {
        var stages = entry.Base.Stages;
        var axes = new List<(int Stage, string Param, IReadOnlyList<string> Values)>();
        foreach (var (key, values, where) in entry.Grid)
        {
            int dot = key.IndexOf('.');
            int stage = stages.Count - 1;
            string param = key;
            if (dot >= 0)
            {
                var stageName = key[..dot].Trim().ToLowerInvariant();
                param = key[(dot + 1)..];
                stage = -1;
                for (int i = 0; i < stages.Count; i++) if (stages[i].Name == stageName) { stage = i; break; }
                if (stage < 0)
                    throw where.Error($"grid axis '{key}': '{stageName}' is not a stage of '{entry.Base}' (stages: {string.Join(", ", stages.Select(s => s.Name))}).");
            }
            param = OptionsBinder.Kebab(param.Trim());
            if (param.Length == 0) throw where.Error($"grid axis '{key}' names no parameter.");
            if (stages[stage].Parameters.ContainsKey(param))
                throw where.Error($"grid axis '{key}': '{entry.Base}' already fixes '{param}'; give it either in the spec or in the grid.");
            if (axes.Any(a => a.Stage == stage && a.Param == param)) throw where.Error($"grid axis '{key}' is given twice.");
            axes.Add((stage, param, values));
        }
        var result = new List<MethodSpec>();
        var pick = new int[axes.Count];
        while (true)
        {
            var pars = stages.Select(s => new SortedDictionary<string, string>((IDictionary<string, string>)s.Parameters.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal)).ToArray();
            for (int a = 0; a < axes.Count; a++) pars[axes[a].Stage][axes[a].Param] = axes[a].Values[pick[a]];
            result.Add(new MethodSpec(stages.Select((s, i) => new MethodStage(s.Name, pars[i])).ToArray()));
            int d = axes.Count - 1;
            while (d >= 0 && ++pick[d] == axes[d].Values.Count) { pick[d] = 0; d--; }
            if (d < 0) break;
        }
        return result;
    }
}
