using AiopsLab.Numerics;

namespace AiopsLab.Labelling;

/// <summary>
/// Grouped k-fold assignment: every case of a group (a recording: a Nezha day, a PetShop scenario, a generated system)
/// lands in the same fold, so no fold is tested on a recording it was trained on. Groups are shuffled with
/// <see cref="Rng"/>(seed), then placed largest first into the fold with the fewest cases (ties: lowest fold), which
/// keeps folds balanced. With fewer groups than k, there are as many folds as groups.
/// </summary>
public static class GroupedFolds
{
    /// <summary>The fold (0-based) of each case, given each case's group.</summary>
    public static int[] Assign(IReadOnlyList<string> groups, int k, ulong seed)
    {
        if (k < 2) throw new ArgumentException("folds: k must be ≥ 2.");
        var distinct = groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var rng = new Rng(seed);
        for (int i = distinct.Length - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (distinct[i], distinct[j]) = (distinct[j], distinct[i]); }
        var size = groups.GroupBy(g => g, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        int folds = Math.Min(k, distinct.Length);
        var load = new int[folds];
        var foldOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var g in distinct.Select((g, i) => (g, i)).OrderByDescending(x => size[x.g]).ThenBy(x => x.i).Select(x => x.g))
        {
            int best = 0;
            for (int f = 1; f < folds; f++) if (load[f] < load[best]) best = f;
            foldOf[g] = best;
            load[best] += size[g];
        }
        return groups.Select(g => foldOf[g]).ToArray();
    }
}
