using System.Globalization;
using System.Text;
using AiopsLab.Data;
using AiopsLab.Evaluation;

namespace AiopsLab.Reporting;

/// <summary>
/// The numbers the paper's prose quotes, as LaTeX macros (<c>results/paper/numbers.tex</c>, <c>\newcommand{\resName}{value}</c>)
/// computed from the same run stores and result files as the tables, so text, tables and figures cannot disagree and the text
/// stays true when the results are regenerated. Every macro is named <c>\res…</c> (letters only); a test checks that each one
/// <c>paper/main.tex</c> uses is defined. Findings are phrased through these macros (e.g. the best method of a column and
/// its score) rather than as claims about a fixed ordering.
/// </summary>
public static class PaperNumbers
{
    /// <summary>A fidelity row is "close" when its gap to the nearer reference is at most this.</summary>
    public const double CloseGap = 0.05;

    /// <summary>A method "drops" under a late anomaly time when its Avg@5 falls by more than this.</summary>
    public const double Drop = 0.1;

    /// <summary>Main-table column ids used in macro names, in <see cref="PaperTables.MainColumns"/> order.</summary>
    private static readonly string[] ColumnIds = ["SockCpu", "SockMem", "ObResource", "TtResource", "NezhaCode", "Petshop", "Synthetic"];

    /// <summary>Computes every macro; <paramref name="results"/> is read for the detection, NAB and external timing files;
    /// <paramref name="multimodal"/> holds the multi-modal experiment's runs (<see cref="PaperMultimodal.Load"/>) when it exists.</summary>
    public static SortedDictionary<string, string> Compute(IReadOnlyDictionary<string, List<CaseOutcome>> stores, IReadOnlyDictionary<string, List<CaseOutcome>> excluded,
        IReadOnlyList<PublishedFigure> published, string results, IReadOnlyList<CaseOutcome>? multimodal = null)
    {
        var m = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var inv = CultureInfo.InvariantCulture;
        string F2(double v) => double.IsNaN(v) ? "--" : v.ToString("0.00", inv);
        string I(int v) => v.ToString("#,0", inv).Replace(",", "{,}", StringComparison.Ordinal);
        foreach (var (exp, id) in new[] { ("sockshop", "Sockshop"), ("nezha", "Nezha"), ("petshop", "Petshop"), ("synthetic", "Synthetic"), ("robustness", "Robustness") })
        {
            if (!stores.TryGetValue(exp, out var rows)) continue;
            m["resCases" + id] = I(rows.Select(r => (r.Dataset, r.CaseId)).Distinct().Count());
            m["resSeeds" + id] = I(rows.Select(r => r.Seed).Distinct().Count());
            m["resMethods" + id] = I(rows.Select(r => r.Method).Distinct().Count());
        }
        m["resDefaultMethods"] = I(PaperTables.DefaultMethods.Length);
        m["resCloseThreshold"] = CloseGap.ToString("0.00", inv);
        m["resDropThreshold"] = Drop.ToString("0.0", inv);
        m["resLocalizers"] = I(Catalog.MethodCatalog.OfKind(Methods.MethodKind.Localizer).Count());
        m["resDetectors"] = I(Catalog.MethodCatalog.OfKind(Methods.MethodKind.Detector).Count());

        // main table: best, worst, random, chance and lift per column
        var cols = PaperTables.MainColumns().ToArray();
        int statWins = 0, present = 0;
        for (int c = 0; c < cols.Length; c++)
        {
            if (!stores.TryGetValue(cols[c].Experiment, out var rows)) continue;
            present++;
            var prim = PaperTables.PrimaryRows(rows).Where(cols[c].Keep).ToList();
            var scores = PaperTables.DefaultMethods.Where(x => x != "random" && prim.Any(r => r.Method == x))
                .Select(x => (Method: x, Avg: Summary.Avg5(prim.Where(r => r.Method == x)))).OrderByDescending(s => s.Avg).ThenBy(s => s.Method, StringComparer.Ordinal).ToArray();
            if (scores.Length == 0) continue;
            var id = ColumnIds[c];
            double random = Summary.Avg5(prim.Where(r => r.Method == "random"));
            var counts = prim.GroupBy(r => (r.Dataset, r.CaseId)).Select(g => g.First().ServiceCount).ToArray();
            double chance = RankingMetrics.ChanceAvgAt(counts, 5);
            // The random baseline's distance from its expectation, in standard errors of one draw per case (per seed).
            var randomRuns = prim.Where(r => r.Method == "random").ToList();
            double se = RankingMetrics.ChanceAvgAtStandardError(counts, 5) / Math.Sqrt(Math.Max(1, randomRuns.Select(r => r.Seed).Distinct().Count()));
            m[$"resBest{id}Method"] = Tt(scores[0].Method);
            m[$"resBest{id}Avg"] = F2(scores[0].Avg);
            m[$"resWorst{id}Method"] = Tt(scores[^1].Method);
            m[$"resWorst{id}Avg"] = F2(scores[^1].Avg);
            m[$"resRandom{id}Avg"] = F2(random);
            m[$"resChance{id}Avg"] = F2(chance);
            if (randomRuns.Count > 0 && se > 0) m[$"resRandomZ{id}"] = ((random - chance) / se).ToString("0.0", inv);
            m[$"resLift{id}"] = chance > 0 ? (scores[0].Avg / chance).ToString("0.0", inv) : "--";
            m[$"resBelowRandom{id}"] = I(scores.Count(s => s.Avg <= random));
            m[$"resCases{id}"] = I(prim.Select(r => (r.Dataset, r.CaseId)).Distinct().Count());
            if (scores[0].Method is "baro" or "nsigma" or "e-diagnosis" or "metricsifter+baro") statWins++;
        }
        m["resStatisticalWins"] = I(statWins);
        m["resMainColumns"] = I(present);

        if (stores.ContainsKey("petshop"))
            m["resUnavailablePetshop"] = I(excluded.TryGetValue("petshop", out var gone) ? gone.Select(r => r.CaseId).Distinct().Count() : 0);

        Robustness(stores, m, F2, I);
        Fidelity(stores, published, m, F2, I);
        Speed(stores, published, m);
        Significance(stores, m, F2);
        Detection(results, m, I);
        Nab(results, m);
        PaperMultimodal.Numbers(multimodal, published, m);
        PaperExternal.Numbers(results, m);
        return m;
    }

    private static void Robustness(IReadOnlyDictionary<string, List<CaseOutcome>> stores, SortedDictionary<string, string> m, Func<double, string> f2, Func<int, string> i)
    {
        if (!stores.TryGetValue("robustness", out var rows)) return;
        var delays = rows.Where(r => r.Detection == "label").Select(r => r.Delay).Distinct().Order().ToArray();
        var methods = PaperTables.DefaultMethods.Where(x => rows.Any(r => r.Method == x)).ToArray();
        if (delays.Length == 0 || methods.Length == 0) return;
        long max = delays[^1];
        m["resRobustMaxDelay"] = max.ToString(CultureInfo.InvariantCulture);
        (string, double) Best(Func<CaseOutcome, bool> keep) => methods.Select(x => (x, Summary.Avg5(rows.Where(r => r.Method == x && keep(r)))))
            .OrderByDescending(s => s.Item2).ThenBy(s => s.x, StringComparer.Ordinal).First();
        var b0 = Best(r => r.Detection == "label" && r.Delay == 0);
        var bMax = Best(r => r.Detection == "label" && r.Delay == max);
        m["resRobustBestZeroMethod"] = Tt(b0.Item1);
        m["resRobustBestZeroAvg"] = f2(b0.Item2);
        m["resRobustBestZeroAtMax"] = f2(Summary.Avg5(rows.Where(r => r.Method == b0.Item1 && r.Detection == "label" && r.Delay == max)));
        m["resRobustBestMaxMethod"] = Tt(bMax.Item1);
        m["resRobustBestMaxAvg"] = f2(bMax.Item2);
        m["resRobustDropped"] = i(methods.Count(x => Summary.Avg5(rows.Where(r => r.Method == x && r.Detection == "label" && r.Delay == max))
            < Summary.Avg5(rows.Where(r => r.Method == x && r.Detection == "label" && r.Delay == 0)) - Drop));
        m["resRobustMethods"] = i(methods.Length);
        var det = rows.Select(r => r.Detection).Where(d => d != "label").Distinct().Order(StringComparer.Ordinal).FirstOrDefault();
        if (det is null) return;
        var bd = Best(r => r.Detection == det && r.Delay == 0);
        m["resRobustDetector"] = Tt(det);
        m["resRobustBestDetectedMethod"] = Tt(bd.Item1);
        m["resRobustBestDetectedAvg"] = f2(bd.Item2);
    }

    private static void Fidelity(IReadOnlyDictionary<string, List<CaseOutcome>> stores, IReadOnlyList<PublishedFigure> published, SortedDictionary<string, string> m, Func<double, string> f2, Func<int, string> i)
    {
        if (!stores.TryGetValue("sockshop", out var sock)) return;
        var t = PaperTables.Fidelity(sock, published);
        var gaps = t.Blocks.SelectMany(b => b).Select(r => (Label: r[0].Text, Fault: r[2].Text, Gap: r[6].Value ?? double.NaN)).Where(g => !double.IsNaN(g.Gap)).ToArray();
        if (gaps.Length == 0) return;
        m["resFidelityRows"] = i(gaps.Length);
        m["resFidelityClose"] = i(gaps.Count(g => g.Gap <= CloseGap));
        var worst = gaps.OrderByDescending(g => g.Gap).First();
        m["resFidelityMaxGap"] = worst.Gap.ToString("0.00", CultureInfo.InvariantCulture);
        m["resFidelityMaxGapLabel"] = ReportTable.Tex(worst.Label + ", " + worst.Fault);
    }

    private static void Speed(IReadOnlyDictionary<string, List<CaseOutcome>> stores, IReadOnlyList<PublishedFigure> published, SortedDictionary<string, string> m)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var (exp, id) in new[] { ("sockshop", "Sockshop"), ("petshop", "Petshop") })
        {
            if (!stores.TryGetValue(exp, out var rows)) continue;
            var prim = PaperTables.PrimaryRows(rows).ToList();
            var med = PaperTables.DefaultMethods.Where(x => x != "random" && prim.Any(r => r.Method == x))
                .Select(x => (x, s: Summary.MedianSeconds(prim.Where(r => r.Method == x)))).Where(p => !double.IsNaN(p.s)).OrderBy(p => p.s).ThenBy(p => p.x, StringComparer.Ordinal).ToArray();
            if (med.Length == 0) continue;
            m[$"resFastest{id}Method"] = Tt(med[0].x);
            m[$"resFastest{id}Ms"] = (med[0].s * 1000).ToString("0.0", inv);
            m[$"resSlowest{id}Method"] = Tt(med[^1].x);
            m[$"resSlowest{id}Seconds"] = med[^1].s.ToString(med[^1].s < 1 ? "0.000" : "0.0", inv);
            if (exp != "sockshop") continue;
            foreach (var p in published.Where(p => p.Experiment == "sockshop" && p.Seconds is not null).GroupBy(p => p.Method).Take(1))
            {
                var ours = Summary.MedianSeconds(prim.Where(r => r.Method == p.Key));
                if (double.IsNaN(ours)) ours = Summary.MedianSeconds(rows.Where(r => r.Method == p.Key));
                m["resSpeedRefLabel"] = ReportTable.Tex(p.First().Label);
                m["resSpeedRefSeconds"] = p.First().Seconds!.Value.ToString("0.00", inv);
                m["resSpeedRefOursMs"] = (ours * 1000).ToString("0.0", inv);
                m["resSpeedRefRatio"] = double.IsNaN(ours) || ours <= 0 ? "--" : (p.First().Seconds!.Value / ours).ToString("#,0", inv).Replace(",", "{,}", StringComparison.Ordinal);
            }
        }
    }

    private static void Significance(IReadOnlyDictionary<string, List<CaseOutcome>> stores, SortedDictionary<string, string> m, Func<double, string> f2)
    {
        foreach (var (exp, id) in new[] { ("sockshop", "Sockshop"), ("nezha", "Nezha") })
        {
            if (!stores.TryGetValue(exp, out var rows) || PaperFigures.Friedman(PaperTables.PrimaryRows(rows).ToList(), PaperTables.DefaultMethods) is not { } f) continue;
            m[$"resFriedman{id}P"] = PValue(f.Result.FFPValue);
            m[$"resCd{id}"] = f2(f.Result.CriticalDifference);
            m[$"resFriedman{id}Cases"] = f.Result.Blocks.ToString(CultureInfo.InvariantCulture);
            int best = Enumerable.Range(0, f.Methods.Length).OrderBy(k => f.Result.AverageRanks[k]).First();
            m[$"resTopRank{id}Method"] = Tt(f.Methods[best]);
            m[$"resTopRank{id}Rank"] = f2(f.Result.AverageRanks[best]);
            m[$"resNotDifferent{id}"] = Enumerable.Range(0, f.Methods.Length).Count(k => k != best && !f.Result.Differ(k, best)).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A p-value for the text: "$p < 10^{-16}$" below double precision's representable resolution, else three significant digits.</summary>
    public static string PValue(double p) =>
        double.IsNaN(p) ? "--" : p < 1e-16 ? "$p < 10^{-16}$" : p < 1e-3 ? "$p = " + p.ToString("0.0e+0", CultureInfo.InvariantCulture).Replace("e-", "\\times 10^{-", StringComparison.Ordinal) + "}$"
        : "$p = " + p.ToString("0.###", CultureInfo.InvariantCulture) + "$";

    private static void Detection(string results, SortedDictionary<string, string> m, Func<int, string> i)
    {
        foreach (var (ds, id) in new[] { ("rcd-sockshop", "Sockshop"), ("nezha", "Nezha"), ("petshop", "Petshop") })
        {
            var csv = Path.Combine(results, "detection", ds, "detection.csv");
            if (!File.Exists(csv)) continue;
            var s = CaseDetection.Summarize(PaperReproduction.Available(CaseDetection.ReadRows(csv)));
            if (s.Count == 0) continue;
            var best = s.OrderByDescending(x => x.Tp).ThenBy(x => x.Fp).ThenBy(x => x.Detector, StringComparer.Ordinal).First();
            m[$"resDetect{id}Best"] = Tt(best.Detector);
            m[$"resDetect{id}BestTp"] = i(best.Tp);
            m[$"resDetect{id}BestFp"] = i(best.Fp);
            m[$"resDetect{id}Cases"] = i(best.Cases - best.Failed);
            m[$"resDetect{id}AllFp"] = i(s.Count(x => x.Fp >= (x.Cases - x.Failed) / 2.0 && x.Cases > x.Failed));
            m[$"resDetect{id}Detectors"] = i(s.Count);
        }
    }

    private static void Nab(string results, SortedDictionary<string, string> m)
    {
        var csv = Path.Combine(results, "nab", "scoreboard.csv");
        if (!File.Exists(csv)) return;
        var records = Csv.ReadRecords(csv).ToList();
        if (records.Count == 0) return;
        int Col(string name) => Csv.Column(records[0], name, csv);
        int cd = Col("detector"), cs = Col("source"), cst = Col("standard");
        var rows = records.Skip(1).Select(r => (Detector: r.Fields[cd], Source: r.Fields[cs],
            Score: double.TryParse(r.Fields[cst], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN)).ToArray();
        static string Key(string s) => s.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        var ours = rows.Where(r => r.Source == "AiopsLab").ToArray();
        var pubs = rows.Where(r => r.Source != "AiopsLab").ToDictionary(r => Key(r.Detector), r => r.Score);
        var paired = ours.Where(o => pubs.ContainsKey(Key(o.Detector))).ToArray();
        m["resNabOurs"] = ours.Length.ToString(CultureInfo.InvariantCulture);
        m["resNabPaired"] = paired.Length.ToString(CultureInfo.InvariantCulture);
        m["resNabExact"] = paired.Count(o => Math.Abs(o.Score - pubs[Key(o.Detector)]) < 0.005).ToString(CultureInfo.InvariantCulture);
        m["resNabZero"] = ours.Count(o => o.Score == 0).ToString(CultureInfo.InvariantCulture);
        if (ours.Length > 0)
        {
            var best = ours.OrderByDescending(o => o.Score).ThenBy(o => o.Detector, StringComparer.Ordinal).First();
            m["resNabBest"] = Tt(best.Detector);
            m["resNabBestScore"] = best.Score.ToString("0.00", CultureInfo.InvariantCulture);
        }
        if (ours.FirstOrDefault(o => o.Detector == "windowed-gaussian") is { Detector: not null } wg && pubs.TryGetValue("windowedgaussian", out var wp))
        {
            m["resNabWgOurs"] = wg.Score.ToString("0.00", CultureInfo.InvariantCulture);
            m["resNabWgPublished"] = wp.ToString("0.00", CultureInfo.InvariantCulture);
        }
    }

    private static string Tt(string s) => "\\texttt{" + ReportTable.Tex(s) + "}";

    /// <summary>The macro file: one <c>\newcommand</c> per macro, sorted by name.</summary>
    public static string ToTex(IReadOnlyDictionary<string, string> macros)
    {
        var sb = new StringBuilder("% Generated by `aiopslab reproduce` from the run stores in results/; do not edit. Every number the paper's prose quotes is one of these.\n");
        foreach (var (k, v) in macros) sb.Append("\\newcommand{\\").Append(k).Append("}{").Append(v).Append("}\n");
        return sb.ToString();
    }
}
