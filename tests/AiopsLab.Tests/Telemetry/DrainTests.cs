using AiopsLab.Data;
using AiopsLab.Telemetry;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Telemetry;

/// <summary>Drain on hand-worked examples from the paper's rules (He et al. 2017, Sec. III), not on its own output.</summary>
public class DrainTests
{
    private static readonly DrainOptions Nezha = DrainOptions.NezhaTrainTicket;

    [Fact]
    public void Lines_differing_only_in_a_number_share_one_template_with_a_parameter()
    {
        var d = new Drain(Nezha);
        // 7 tokens, 6 equal: simSeq = 6/7 = 0.857 >= 0.8 (Eq. 1), so the second joins the first and position 4 becomes <*>.
        int a = d.Add("Connection closed after 12 seconds by peer");
        int b = d.Add("Connection closed after 47 seconds by peer");
        Assert.Equal(a, b);
        Assert.Equal("Connection closed after <*> seconds by peer", d.Template(a));
        Assert.Equal(2, d.Size(a));
    }

    [Fact]
    public void Similarity_below_the_threshold_opens_a_new_group()
    {
        var strict = new Drain(Nezha);
        // 3 tokens, 2 equal: simSeq = 2/3 < 0.8 -> two groups; with the paper's default st = 0.4 -> one group.
        Assert.NotEqual(strict.Add("user login ok"), strict.Add("user login failed"));
        var loose = new Drain();
        int a = loose.Add("user login ok");
        Assert.Equal(a, loose.Add("user login failed"));
        Assert.Equal("user login <*>", loose.Template(a));
    }

    [Fact]
    public void Messages_of_different_length_never_share_a_group()
    {
        var d = new Drain(new DrainOptions { Similarity = 0 });
        Assert.NotEqual(d.Add("a b c"), d.Add("a b c d"));
        Assert.Equal(2, d.GroupCount);
    }

    [Fact]
    public void A_leading_token_with_digits_goes_to_the_wildcard_branch()
    {
        var d = new Drain(Nezha);
        // The first token routes the tree (depth 4 = one token layer); "42" and "17" both contain digits, so both go to '*'
        // and meet in one leaf; 4 of 5 tokens equal = 0.8 >= 0.8.
        int a = d.Add("42 users online right now");
        Assert.Equal(a, d.Add("17 users online right now"));
        Assert.Equal("<*> users online right now", d.Template(a));
        // Without digits the two first tokens take different branches, so 0.8 similarity alone cannot merge them.
        var e = new Drain(Nezha);
        Assert.NotEqual(e.Add("alice users online right now"), e.Add("bob users online right now"));
    }

    [Fact]
    public void A_full_node_sends_new_tokens_to_its_wildcard_child()
    {
        // maxChild = 3: two token children plus '*'. The third and fourth first tokens both go to '*' and can merge there.
        var d = new Drain(new DrainOptions { Similarity = 0.5, MaxChildren = 3 });
        int x = d.Add("alpha job started quickly");
        int y = d.Add("beta job started quickly");
        int z = d.Add("gamma job started quickly");
        int w = d.Add("delta job started quickly");
        Assert.NotEqual(x, y);
        Assert.Equal(z, w);
        Assert.Equal("<*> job started quickly", d.Template(z));
    }

    [Fact]
    public void On_equal_similarity_the_group_with_more_parameters_wins()
    {
        var d = new Drain(new DrainOptions { Similarity = 0.5 });
        int a = d.Add("x a b c");
        Assert.Equal(a, d.Add("x a b d"));   // 3/4 -> A = "x a b <*>" (1 parameter)
        int b = d.Add("x e f g");             // against A: 1/4 -> new group B
        Assert.NotEqual(a, b);
        Assert.Equal(b, d.Add("x e h i"));   // against A 1/4, B 2/4 -> B = "x e <*> <*>" (2 parameters)
        // "x e b z": A equal on x, b = 2/4; B equal on x, e = 2/4. A tie, so the group with more parameters (B) wins.
        Assert.Equal(b, d.Add("x e b z"));
        Assert.Equal("x a b <*>", d.Template(a));
    }

    [Fact]
    public void Extra_delimiters_split_like_spaces_and_masks_replace_before_parsing()
    {
        var d = new Drain(new DrainOptions { ExtraDelimiters = "_", Masks = DrainOptions.CommonMasks });
        Assert.Equal(["get", "user", "by", "id", "from", "<:IP:>"], d.Tokenize("get_user_by_id from 10.0.0.12:8080"));
        Assert.Equal(["order", "<:UUID:>", "paid", "<:NUM:>"], d.Tokenize("order 4d2a46c7-71cb-4cf1-b5bb-b68406d9da6f paid 12.5"));
    }

    [Fact]
    public void Match_classifies_without_learning()
    {
        var d = new Drain(Nezha);
        int a = d.Add("Connection closed after 12 seconds by peer");
        d.Add("Connection closed after 47 seconds by peer");
        Assert.Equal(a, d.Match("Connection closed after 99 seconds by peer"));
        Assert.Equal(-1, d.Match("Something else entirely happened here today"));
        Assert.Equal(1, d.GroupCount);
        Assert.Equal(2, d.Size(a));
    }

    [Fact]
    public void Beyond_max_clusters_the_least_recently_matched_group_is_dropped()
    {
        var d = new Drain(new DrainOptions { MaxClusters = 2, Similarity = 0.8 });
        int a = d.Add("alpha one");
        int b = d.Add("beta two");
        d.Add("alpha one");            // a used more recently than b
        int c = d.Add("gamma three");   // evicts b
        Assert.Equal(2, d.GroupCount);
        Assert.Null(d.Template(b));
        Assert.Equal("alpha one", d.Template(a));
        Assert.Equal("gamma three", d.Template(c));
    }

    [Fact]
    public void Same_lines_in_the_same_order_give_the_same_ids()
    {
        string[] lines = ["a 1 x", "b 2 y", "a 3 x", "c d e f", "b 9 y"];
        var r1 = lines.Select(new Drain(Nezha).Add).ToArray();
        var r2 = lines.Select(new Drain(Nezha).Add).ToArray();
        Assert.Equal(r1, r2);
    }

    [Fact]
    public void Reads_a_drain3_ini_with_masking_rules_and_reports_bad_values_with_their_line()
    {
        var dir = Directory.CreateTempSubdirectory("drain");
        var p = Path.Combine(dir.FullName, "d.ini");
        File.WriteAllText(p, "[MASKING]\nmasking = [\n    {\"regex_pattern\":\"\\\\d+\", \"mask_with\": \"NUM\"}\n    ]\nmask_prefix = <\nmask_suffix = >\n[DRAIN]\nsim_th = 0.7\ndepth = 5\nmax_children = 50\nextra_delimiters = [\"_\", \"/\"]\n");
        var o = DrainOptions.FromIni(p);
        Assert.Equal(0.7, o.Similarity);
        Assert.Equal(5, o.Depth);
        Assert.Equal(50, o.MaxChildren);
        Assert.Equal("_/", o.ExtraDelimiters);
        Assert.Equal(["took", "<NUM>", "ms", "a", "b"], new Drain(o).Tokenize("took 35 ms a/b"));
        File.WriteAllText(p, "[DRAIN]\nsim_th = high\n");
        var e = Assert.Throws<DataFormatException>(() => DrainOptions.FromIni(p));
        Assert.Equal(2, e.Line);
        dir.Delete(true);
    }

    [DataFact("nezha")]
    public void Nezha_train_ticket_ini_gives_the_documented_parameters()
    {
        var o = DrainOptions.FromIni(Path.Combine(TestData.For("nezha"), "log_template", "drain3_ts.ini"));
        Assert.Equal(DrainOptions.NezhaTrainTicket.Similarity, o.Similarity);
        Assert.Equal(4, o.Depth);
        Assert.Equal(100, o.MaxChildren);
        Assert.Equal(1024, o.MaxClusters);
        Assert.Equal("_", o.ExtraDelimiters);
        Assert.Empty(o.Masks);
    }

    [Theory]
    [InlineData(0.8, 1024)]
    [InlineData(0.5, 40)]   // eviction: groups leave the index too
    [InlineData(0.95, 1024)]
    public void The_leaf_index_gives_the_groups_and_templates_of_a_full_scan(double similarity, int maxClusters)
    {
        // Seeded random lines over a small vocabulary: a time stamp first (as in Nezha's logs), 6 to 9 tokens, many groups per
        // leaf. The index is a speed-up only, so every line must get the same group and every template must end the same.
        var o = new DrainOptions { Similarity = similarity, Depth = 4, MaxChildren = 100, MaxClusters = maxClusters, ExtraDelimiters = "_" };
        var indexed = new Drain(o) { IndexFrom = 1 };
        var scan = new Drain(o) { IndexFrom = int.MaxValue };
        var rng = new Random(7);
        string[] vocab = ["get", "put", "order", "user", "ok", "failed", "ms", "id", "pay", "ticket", "route", "seat"];
        for (int line = 0; line < 20_000; line++)
        {
            int n = 6 + rng.Next(4);
            var tokens = new string[n];
            tokens[0] = "10:" + rng.Next(60).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
            for (int i = 1; i < n; i++) tokens[i] = rng.Next(10) == 0 ? rng.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture) : vocab[rng.Next(i < 3 ? 3 : vocab.Length)];
            var msg = string.Join(' ', tokens);
            Assert.Equal(scan.Add(msg), indexed.Add(msg));
        }
        Assert.True(scan.GroupsCreated > 200, $"only {scan.GroupsCreated} groups: the test would not exercise large leaves");
        Assert.Equal(scan.GroupsCreated, indexed.GroupsCreated);
        for (int id = 0; id < scan.GroupsCreated; id++) Assert.Equal(scan.Template(id), indexed.Template(id));
    }

    [DataFact("nezha")]
    public void The_leaf_index_gives_the_groups_of_a_full_scan_on_real_train_ticket_lines()
    {
        var ds = AiopsLab.Datasets.DatasetCatalog.Open("nezha", TestData.DataRoot);
        var lines = ds.Cases.Where(c => c.System == "train-ticket").Take(2).SelectMany(c => ds.Load(c).Telemetry!.Logs!.Message).Take(30_000).ToArray();
        var indexed = new Drain(Nezha);
        var scan = new Drain(Nezha) { IndexFrom = int.MaxValue };
        foreach (var l in lines) Assert.Equal(scan.Add(l), indexed.Add(l));
        Assert.True(scan.GroupsCreated > 100, $"{scan.GroupsCreated} groups");
        for (int id = 0; id < scan.GroupsCreated; id++) Assert.Equal(scan.Template(id), indexed.Template(id));
    }

    [Theory]
    [InlineData("  a  b\tc\r\n")]
    [InlineData("\u00a0lead and trail\u2003")]     // Unicode white space is trimmed at the ends only, as string.Trim does
    [InlineData("x_y__z _ w")]                      // the extra delimiter, doubled and alone
    [InlineData("a\u00a0b c")]                      // inside, a no-break space is not a separator
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("same same same")]
    public void Tokens_are_the_trimmed_message_split_on_white_space_and_the_extra_delimiters(string message)
    {
        // The reference is the definition (Sec. III-A with Drain3's delimiters), written with string.Split.
        char[] separators = [' ', '\t', '\n', '\r', '\f', '\v', '_'];
        var expected = message.Trim().Split(separators, StringSplitOptions.RemoveEmptyEntries);
        var d = new Drain(Nezha);
        Assert.Equal(expected, d.Tokenize(message));
        Assert.Equal(expected, d.Tokenize(message)); // a second time, from the table of tokens seen before
    }
}
