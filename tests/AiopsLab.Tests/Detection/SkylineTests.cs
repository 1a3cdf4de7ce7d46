using AiopsLab.Datasets;
using AiopsLab.Detection;
using AiopsLab.Evaluation;
using AiopsLab.Numerics;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>
/// Skyline's tests and NAB's two Skyline detectors: the order-statistic tree against sorting, each vote on series small
/// enough to work by hand from the tests' definitions (numpy's histogram, pandas' median), the expiry rule, and the whole
/// corpus against NAB's published board.
/// </summary>
public class SkylineTests
{
    private static readonly double[] Small = [53, 64, 49, 48, 22, 23, 17];

    private static int Votes(double[] x, bool dayOldPrefix = false, bool floorTail = false, double step = 300)
    {
        var v = new SkylineVotes(dayOldPrefix, floorTail);
        for (int i = 0; i < x.Length; i++) v.Add(x[i], i * step);
        return v.Votes();
    }

    [Fact]
    public void Order_statistics_equal_those_of_the_sorted_sample()
    {
        var rng = Rng.For(11, "ost");
        var tree = new OrderStatisticTree();
        var all = new List<double>();
        for (int i = 0; i < 600; i++)
        {
            double x = Math.Round(rng.NextNormal() * 4, 1);   // many ties
            tree.Add(x); all.Add(x);
            var sorted = all.Order().ToArray();
            int n = sorted.Length;
            double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            Assert.Equal(median, tree.Median());
            var dev = sorted.Select(v => Math.Abs(v - median)).Order().ToArray();
            double mad = n % 2 == 1 ? dev[n / 2] : (dev[n / 2 - 1] + dev[n / 2]) / 2;
            Assert.Equal(mad, tree.MedianAbsoluteDeviation(median));
            double probe = Math.Round(rng.NextNormal() * 4, 1);
            Assert.Equal(sorted.Count(v => v < probe), tree.CountBelow(probe));
            int k = i / 2;
            Assert.Equal(sorted[k], tree.Select(k));
        }
    }

    [Fact]
    public void Median_absolute_deviation_votes_beyond_six_MADs()
    {
        // median 3, deviations {2, 1, 0, 1, 97}: MAD 1, and 97 > 6.
        Assert.Equal(SkylineVotes.MedianAbsoluteDeviation, Votes([1, 2, 3, 4, 100]) & SkylineVotes.MedianAbsoluteDeviation);
        // deviations {2, 1, 0, 1, 5}: 5 < 6.
        Assert.Equal(0, Votes([1, 2, 3, 4, 8]) & SkylineVotes.MedianAbsoluteDeviation);
    }

    [Fact]
    public void Histogram_of_a_constant_history_votes_until_its_bin_holds_21_values()
    {
        // numpy widens a constant sample to [v − ½, v + ½]; v falls in bin 7, which holds every point: ≤ 20 votes.
        var x = Enumerable.Repeat(4.0, 25).ToArray();
        for (int n = 1; n <= 25; n++)
            Assert.Equal(n <= 20, (Votes(x[..n]) & SkylineVotes.HistogramBins) != 0);
    }

    [Fact]
    public void Histogram_vote_follows_the_tail_mean_and_Python_2_floors_it_on_whole_numbers()
    {
        // min 17, max 64: edges 17 + 47i/15. Tail (17 + 23 + 22)/3 = 20.67 lies in bin 1 = [20.13, 23.27), which holds
        // {22, 23}: a vote. Floored to 20 (Python 2's integer division) it lies inside bin 0 above its lower edge: no vote.
        Assert.NotEqual(0, Votes(Small) & SkylineVotes.HistogramBins);
        Assert.Equal(0, Votes(Small, floorTail: true) & SkylineVotes.HistogramBins);
    }

    [Fact]
    public void Least_squares_needs_a_residual_that_rounds_away_from_zero()
    {
        // An exact line has zero residuals (no vote); a jump of 10 on a flat series of 20 points: the residual tail is
        // far beyond 3 sd of the residuals, and both round to non-zero integers.
        Assert.Equal(0, Votes(Enumerable.Range(0, 20).Select(i => 2.0 * i).ToArray()) & SkylineVotes.LeastSquares);
        var jump = Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? 0.0 : 1.0).Concat([10.0, 10, 10]).ToArray();
        Assert.NotEqual(0, Votes(jump) & SkylineVotes.LeastSquares);
    }

    [Fact]
    public void First_hour_average_reads_one_hour_a_day_ago_or_everything_older_than_23_hours()
    {
        // Hourly points: the Etsy window [t − 24 h, t − 23 h) holds exactly one point (no σ: no vote); earthgecko's prefix
        // (older than 23 h) holds all but the last 23 points, σ ≈ 0.5, and the tail 50 is far outside it.
        var x = Enumerable.Range(0, 60).Select(i => i % 2 == 0 ? 0.0 : 1.0).Concat(Enumerable.Repeat(50.0, 3)).ToArray();
        Assert.Equal(0, Votes(x, step: 3600) & SkylineVotes.FirstHourAverage);
        Assert.NotEqual(0, Votes(x, dayOldPrefix: true, step: 3600) & SkylineVotes.FirstHourAverage);
    }

    [Fact]
    public void Skyline_scores_the_mean_vote_and_uses_the_given_times()
    {
        // The first point: only the histogram can vote (one value in its bin), so 1/7.
        Assert.Equal(1.0 / 7, new Skyline().Score([5.0])[0], 15);
        // Same values, 5-minute vs 1-hour times: the first-hour test sees different windows, so the scores differ.
        var x = Enumerable.Range(0, 400).Select(i => Math.Sin(i / 5.0) + (i == 350 ? 6 : 0)).ToArray();
        var t5 = Enumerable.Range(0, 400).Select(i => DateTime.UnixEpoch.AddMinutes(5 * i)).ToArray();
        var t60 = Enumerable.Range(0, 400).Select(i => DateTime.UnixEpoch.AddHours(i)).ToArray();
        Assert.Equal(new Skyline().Score(x), new Skyline().Score(x, t5));
        Assert.NotEqual(new Skyline().Score(x, t5), new Skyline().Score(x, t60));
    }

    [Fact]
    public void Earthgecko_skyline_alarms_on_consensus_then_expires_for_twelve_hours()
    {
        var rng = Rng.For(3, "earthgecko");
        var x = Enumerable.Range(0, 1000).Select(_ => 10 + rng.NextNormal()).ToArray();
        for (int i = 600; i < x.Length; i++) x[i] += 30;               // a level shift: most tests agree at once
        var s = new EarthgeckoSkyline().Score(x);
        int first = Array.IndexOf(s, 1.0, 500);
        Assert.InRange(first, 600, 603);
        // 12 h at 5-minute spacing: the next 143 points (< 43,200 s later) are not tested.
        Assert.All(s.Skip(first + 1).Take(143), v => Assert.Equal(0, v));
        var longer = new EarthgeckoSkyline(new EarthgeckoSkyline.Options { Expiration = 0 }).Score(x);
        Assert.True(longer.Skip(first + 1).Take(143).Sum() > 0, "without expiry the shift keeps alarming");
    }

    [DataFact("nab")]
    public void Whole_corpus_scores_equal_the_published_board()
    {
        // NAB's published files are reproduced point for point here (docs/detection.md: earthgecko 58/58 series, skyline
        // 55/58 with one point each at a ratio within 10⁻¹⁵ of its threshold), so the band is tight: ±0.05.
        var corpus = NabCorpus.Open(TestData.For("nab"));
        var published = corpus.PublishedScores();
        foreach (var (ours, theirs) in new (IAnomalyDetector, string)[] { (new Skyline(), "skyline"), (new EarthgeckoSkyline(), "earthgeckoSkyline") })
        {
            var (result, _, _) = NabBenchmark.Run(corpus, ours, jobs: 2);
            foreach (var (profile, score) in published[theirs])
                Assert.True(Math.Abs(result[profile].Normalized - score) <= 0.05, $"{ours.Name} {profile}: {result[profile].Normalized:F2} vs published {score:F2}");
        }
    }
}
