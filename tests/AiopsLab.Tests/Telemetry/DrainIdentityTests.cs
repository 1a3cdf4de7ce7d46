using System.Globalization;
using AiopsLab.Telemetry;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Telemetry;

/// <summary>
/// The token-id rewrite of <see cref="Drain"/> is a speed change only: every line must get the group the string
/// implementation it replaced gives (<see cref="FrozenDrain"/>, a frozen copy), and every template must end the same.
/// </summary>
public class DrainIdentityTests
{
    private static void AssertSame(DrainOptions o, IEnumerable<string> lines, int minGroups)
    {
        var old = new FrozenDrain(o);
        var now = new Drain(o);
        int count = 0;
        foreach (var l in lines)
        {
            int expected = old.Add(l), actual = now.Add(l);
            if (expected != actual) Assert.Fail($"line {count}: group {actual}, the string implementation gives {expected}: '{l}'");
            count++;
        }
        Assert.Equal(old.GroupsCreated, now.GroupsCreated);
        Assert.Equal(old.GroupCount, now.GroupCount);
        Assert.True(old.GroupsCreated >= minGroups, $"only {old.GroupsCreated} groups over {count} lines: too few to exercise the index");
        for (int id = 0; id < old.GroupsCreated; id++)
        {
            Assert.Equal(old.Template(id), now.Template(id));
            Assert.Equal(old.Size(id), now.Size(id));
        }
    }

    [DataFact("nezha")]
    public void Every_train_ticket_log_line_gets_the_group_and_template_of_the_string_implementation()
    {
        // All 45 Train Ticket cases, fault-free period then case window, through one parser each (1,024-group limit, so
        // eviction and token reuse run all the time): about 400,000 lines.
        var ds = AiopsLab.Datasets.DatasetCatalog.Open("nezha", TestData.DataRoot);
        var lines = new List<string>();
        foreach (var c in ds.Cases.Where(c => c.System == "train-ticket"))
        {
            var t = ds.Load(c).Telemetry!;
            lines.AddRange(t.NormalLogs!.Message);
            lines.AddRange(t.Logs!.Message);
        }
        Assert.True(lines.Count >= 200_000, $"only {lines.Count} lines");
        AssertSame(DrainOptions.NezhaTrainTicket, lines, 10_000);
    }

    [Theory]
    [InlineData(0.8, 1024, 4, false, 1, 100)]
    [InlineData(0.5, 40, 4, false, 2, 100)]      // heavy eviction
    [InlineData(0.95, 1024, 5, false, 3, 100)]   // two token layers
    [InlineData(0.4, 200, 4, true, 4, 100)]      // masks (IP, UUID, hex, number)
    [InlineData(0.0, 1024, 3, false, 5, 8)]       // no token layer: one group per length (3 to 10 tokens)
    public void Generated_lines_get_the_group_and_template_of_the_string_implementation(double st, int maxClusters, int depth, bool masks, int seed, int minGroups)
    {
        // Seeded lines built to hit the corner cases: literal "<*>" tokens, a token repeated in a line, digits in the routing
        // token, unique ids, white space of every kind (tabs, doubled, Unicode at the ends), the extra delimiter, masks.
        var o = new DrainOptions
        {
            Similarity = st, MaxClusters = maxClusters, Depth = depth, MaxChildren = 6, ExtraDelimiters = "_",
            Masks = masks ? DrainOptions.CommonMasks : [],
        };
        var rng = new Random(seed);
        string[] vocab = ["get", "put", "order", "user", "ok", "failed", "<*>", "id", "pay", "ticket", "x_y", "10.0.0.1:80", "a\u00a0b"];
        string[] gaps = [" ", "  ", "\t", "_", " _ "];
        var lines = new List<string>();
        for (int line = 0; line < 30_000; line++)
        {
            int n = 3 + rng.Next(8);
            var sb = new System.Text.StringBuilder(rng.Next(8) == 0 ? "\u2003 " : "");
            for (int i = 0; i < n; i++)
            {
                if (i > 0) sb.Append(gaps[rng.Next(gaps.Length)]);
                sb.Append(rng.Next(12) switch
                {
                    0 => rng.Next(1000).ToString(CultureInfo.InvariantCulture),
                    1 => rng.NextInt64().ToString("x16", CultureInfo.InvariantCulture),
                    2 => Uuid(rng),
                    _ => vocab[rng.Next(i < 2 ? 5 : vocab.Length)],
                });
            }
            if (rng.Next(10) == 0) sb.Append(" \t");
            lines.Add(sb.ToString());
        }
        AssertSame(o, lines, minGroups);
    }

    private static string Uuid(Random rng)
    {
        var bytes = new byte[16];
        rng.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }
}
