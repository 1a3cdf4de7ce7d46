using System.Globalization;

namespace AiopsLab.Labelling;

/// <summary>One type's precision and recall (NaN where undefined: nothing predicted / nothing true).</summary>
public sealed record TypeScore(string Type, int Support, int Predicted, double Precision, double Recall, double F1);

/// <summary>
/// Scores of one set of labelled cases: accuracy, macro-F1 (mean F1 over the types that occur in the truth, a type
/// never predicted scoring 0, as scikit-learn's <c>f1_score(average="macro")</c> with the truth's labels), top-2
/// accuracy, per-type precision/recall and the confusion matrix (rows = truth, columns = prediction).
/// </summary>
public sealed record LabelScores(int Cases, double Accuracy, double MacroF1, double Top2, IReadOnlyList<TypeScore> PerType,
    IReadOnlyList<string> Types, int[,] Confusion)
{
    /// <summary>Scores of (truth, ranked prediction) pairs.</summary>
    public static LabelScores Of(IReadOnlyList<(string Truth, IReadOnlyList<string> Ranked)> cases)
    {
        var types = cases.SelectMany(c => c.Ranked.Take(1).Append(c.Truth)).Distinct(StringComparer.Ordinal)
            .OrderBy(FaultVocabulary.IndexOf).ThenBy(t => t, StringComparer.Ordinal).ToArray();
        var idx = types.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        var cm = new int[types.Length, types.Length];
        int right = 0, top2 = 0;
        foreach (var (truth, ranked) in cases)
        {
            var top = ranked.Count > 0 ? ranked[0] : null;
            if (top is not null) cm[idx[truth], idx[top]]++;
            if (top == truth) right++;
            if (ranked.Take(2).Contains(truth)) top2++;
        }
        var per = new List<TypeScore>();
        for (int i = 0; i < types.Length; i++)
        {
            int tp = cm[i, i], support = 0, predicted = 0;
            for (int j = 0; j < types.Length; j++) { support += cm[i, j]; predicted += cm[j, i]; }
            double p = predicted == 0 ? double.NaN : (double)tp / predicted, r = support == 0 ? double.NaN : (double)tp / support;
            double f1 = tp == 0 ? 0 : 2 * p * r / (p + r);
            per.Add(new TypeScore(types[i], support, predicted, p, r, f1));
        }
        var inTruth = per.Where(t => t.Support > 0).ToArray();
        int n = cases.Count;
        return new LabelScores(n, n == 0 ? double.NaN : (double)right / n, inTruth.Length == 0 ? double.NaN : inTruth.Average(t => t.F1),
            n == 0 ? double.NaN : (double)top2 / n, per, types, cm);
    }

    /// <summary>The confusion matrix as a Markdown table (rows = true type, columns = predicted).</summary>
    public string ConfusionMarkdown()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("| true \\ predicted | ").AppendJoin(" | ", Types).AppendLine(" |");
        sb.Append("|---|").AppendJoin("", Types.Select(_ => "---:|")).AppendLine();
        for (int i = 0; i < Types.Count; i++)
        {
            sb.Append("| ").Append(Types[i]).Append(" | ");
            sb.AppendJoin(" | ", Enumerable.Range(0, Types.Count).Select(j => Confusion[i, j].ToString(CultureInfo.InvariantCulture))).AppendLine(" |");
        }
        return sb.ToString();
    }
}

/// <summary>
/// McNemar's exact test (McNemar, Psychometrika 1947; exact binomial form, e.g. Edwards 1948 / Dietterich, Neural
/// Computation 1998) on paired per-case correctness of two labellers: b = cases only A gets right, c = only B;
/// two-sided p = min(1, 2·P(X ≤ min(b, c))) with X ~ Binomial(b + c, ½). p = 1 when b + c = 0.
/// </summary>
public static class McNemar
{
    /// <summary>The exact two-sided p-value for discordant counts <paramref name="b"/> and <paramref name="c"/>.</summary>
    public static double ExactP(int b, int c)
    {
        if (b < 0 || c < 0) throw new ArgumentException("McNemar: counts must be ≥ 0.");
        int n = b + c, k = Math.Min(b, c);
        if (n == 0) return 1;
        // log P(X = i) = log C(n, i) − n log 2, accumulated with log-sum-exp.
        double logC = 0, logHalfN = n * Math.Log(0.5), acc = double.NegativeInfinity;
        for (int i = 0; i <= k; i++)
        {
            if (i > 0) logC += Math.Log(n - i + 1) - Math.Log(i);
            double lp = logC + logHalfN;
            acc = acc == double.NegativeInfinity ? lp : Math.Max(acc, lp) + Math.Log(1 + Math.Exp(-Math.Abs(acc - lp)));
        }
        return Math.Min(1, 2 * Math.Exp(acc));
    }
}
