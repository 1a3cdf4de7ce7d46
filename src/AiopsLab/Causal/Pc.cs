using AiopsLab.Data;

namespace AiopsLab.Causal;

/// <summary>Options of <see cref="Pc"/>.</summary>
public sealed record PcOptions
{
    /// <summary>Significance level: an edge is removed when some test gives p &gt; alpha (causal-learn's default 0.05).</summary>
    public double Alpha { get; set; } = 0.05;

    /// <summary>Largest conditioning-set size tested; -1 for no limit.</summary>
    public int MaxDepth { get; set; } = -1;

    /// <summary>
    /// The order-independent "stable" skeleton (Colombo &amp; Maathuis 2014): adjacency sets are frozen at the start of
    /// each depth level, so the skeleton does not depend on variable order. False runs the original PC skeleton
    /// (Spirtes et al. 2000), which removes edges at once and depends on variable order; it is always sequential.
    /// </summary>
    public bool Stable { get; set; } = true;

    /// <summary>Orient edges (v-structures, then Meek's rules). False returns the skeleton with every edge undirected.</summary>
    public bool Orient { get; set; } = true;

    /// <summary>
    /// Which separating set of a removed pair decides the unshielded colliders (stable skeleton only; the original
    /// order-dependent skeleton always keeps the first set found, as causal-learn's does). Default
    /// <see cref="SeparatingSetRule.CausalLearn"/>; see docs/causal.md, "PC: separating sets and colliders".
    /// </summary>
    public SeparatingSetRule SeparatingSets { get; set; } = SeparatingSetRule.CausalLearn;

    /// <summary>Threads for the tests of one depth level (stable skeleton only); 0 uses every core. The result does not depend on it.</summary>
    public int Parallelism { get; set; }

    /// <summary>
    /// Work limit, in independence tests per pair of variables (0: no limit): PC stops with an
    /// <see cref="AiopsLabException"/> before a depth level that would take the total over
    /// max(<see cref="MinTestBudget"/>, this · n(n−1)/2). See <see cref="Pc"/>, "Work limit".
    /// </summary>
    public int MaxTestsPerPair { get; set; } = 150;

    /// <summary>The work limit is never below this many tests (10⁶, about a second), so small problems are never stopped.</summary>
    public long MinTestBudget { get; set; } = 1_000_000;

    /// <summary>
    /// With the Fisher-z test of <see cref="PcDiscovery"/>: fail (<see cref="DegenerateTestException"/>) where causal-learn's
    /// <c>fisherz</c> raises (<see cref="FisherZ.FailLikeCausalLearn"/>). For the <c>rcaeval=true</c> modes only.
    /// </summary>
    public bool FailLikeCausalLearn { get; set; }

    /// <summary>
    /// Orient as causal-learn 0.1.3.3 does, in its order and with its ancestor check (<see cref="CausalLearnOrientation"/>;
    /// without background knowledge only). For the <c>rcaeval=true</c> modes; the default applies Meek's rules to a fixed
    /// point, which does not depend on the order of the variables.
    /// </summary>
    public bool OrientLikeCausalLearn { get; set; }
}

/// <summary>How PC-stable records the separating set of a pair it removes, which decides the unshielded colliders.</summary>
public enum SeparatingSetRule
{
    /// <summary>
    /// causal-learn 0.1.3.3's stable skeleton (<c>skeleton_discovery</c>, then <c>uc_sepset</c> with <c>uc_rule=0</c>):
    /// every ℓ-subset of a(x) \ {y} and of a(y) \ {x} is tested at the depth ℓ where the pair is removed, and the
    /// separating set is the union of all subsets with p &gt; α. A triple x − z − y is a collider only when z is in none of
    /// them. The decision does not depend on the order of the variables.
    /// </summary>
    CausalLearn,

    /// <summary>
    /// The first ℓ-subset with p &gt; α (lexicographic, x's side then y's), as in Spirtes et al. (2000) step C and
    /// Colombo &amp; Maathuis (2014) Algorithm 4.1; the collider decision then depends on the order of the variables.
    /// AiopsLab's rule before issue 15.
    /// </summary>
    First,
}

/// <summary>The output of <see cref="Pc"/>.</summary>
public sealed class PcResult
{
    internal PcResult(CausalGraph graph, IReadOnlyDictionary<(int, int), int[]> sepsets, long tests, int depth)
    {
        Graph = graph; SeparatingSets = sepsets; TestCount = tests; DepthReached = depth;
    }

    /// <summary>The estimated CPDAG (PDAG with background knowledge): directed edges are compelled, undirected ones are not.</summary>
    public CausalGraph Graph { get; }

    /// <summary>
    /// The separating set of every removed pair (i &lt; j), sorted: under <see cref="SeparatingSetRule.CausalLearn"/> the
    /// union of every separating subset found at the removal depth, under <see cref="SeparatingSetRule.First"/> the first.
    /// </summary>
    public IReadOnlyDictionary<(int, int), int[]> SeparatingSets { get; }

    /// <summary>Number of conditional-independence tests run.</summary>
    public long TestCount { get; }

    /// <summary>Largest conditioning-set size tested.</summary>
    public int DepthReached { get; }
}

/// <summary>
/// The PC algorithm (Spirtes, Glymour &amp; Scheines, <i>Causation, Prediction, and Search</i>, 2nd ed., 2000, §5.4.2) with
/// the order-independent skeleton of Colombo &amp; Maathuis ("Order-independent constraint-based causal structure
/// learning", JMLR 15, 2014, Algorithm 4.1, "PC-stable"), followed by orientation: unshielded colliders from the
/// separating sets (Spirtes et al., step C of Table 5.2 / Colombo &amp; Maathuis Algorithm 2), then Meek's rules R1–R3
/// (and R4 when background knowledge is given) applied to a fixed point (Meek, "Causal inference and causal explanation
/// with background knowledge", UAI 1995, §2 rules 1–4).
/// </summary>
/// <remarks>
/// <para><b>Skeleton.</b> Start from the complete undirected graph. At depth ℓ = 0, 1, …, every adjacent pair (x, y)
/// with |a(x) \ {y}| ≥ ℓ or |a(y) \ {x}| ≥ ℓ is tested against each ℓ-subset S of a(x) \ {y} (in lexicographic order),
/// then of a(y) \ {x}, where a(·) are the adjacency sets frozen at the start of the level; the edge is removed when the
/// level ends if some S gives p &gt; α. The recorded separating set is the union of all such S on both sides
/// (<see cref="SeparatingSetRule.CausalLearn"/>, the default) or the first one (<see cref="SeparatingSetRule.First"/>). Because the frozen sets do not change within a
/// level, the pairs of one level are independent: they run in parallel and the result (skeleton and separating sets) is
/// the same for any number of threads.</para>
/// <para><b>Work limit</b> (issue 16, D13). A group of variables that no conditioning set separates — identical
/// columns, or step-like columns that a one-row anomalous window leaves behind — keeps a clique in the skeleton, and each
/// of its pairs is tested against every subset of the rest at every depth: 2^(k−2) tests per pair for a k-clique, most of
/// them on singular correlation matrices (the slow pseudo-inverse path). A PetShop issue cut to one row made a 19-column
/// clique and ran for 99–270 s. The stable skeleton therefore computes, before each level, how many tests the level will
/// run (exact under <see cref="SeparatingSetRule.CausalLearn"/>, an upper bound under <see cref="SeparatingSetRule.First"/>)
/// and stops with a message naming the clique when the total would exceed <see cref="PcOptions.MaxTestsPerPair"/> (150)
/// tests per pair of variables; the sequential skeleton checks after each level. The widest real need seen is 109 per
/// pair (PetShop <c>high_traffic/test/issue_12</c>: 3.76 million tests on 263 columns); the one-row case needs about 500.
/// The limit counts tests, not time, so whether a case is stopped does not depend on the machine.</para>
/// <para><b>Colliders.</b> For an unshielded triple x − z − y (x &lt; y non-adjacent) with z ∉ sepset(x, y) (under the
/// default rule: z in none of the separating subsets found for (x, y), causal-learn's <c>uc_rule=0</c>), orient
/// x → z ← y, visiting z, then (x, y), in ascending order; an orientation that would reverse an arrow already set (by
/// knowledge or an earlier collider) is skipped, i.e. existing arrows have priority (causal-learn's <c>uc_priority=2</c>).</para>
/// <para><b>Knowledge</b> (<see cref="BackgroundKnowledge"/>): pairs forbidden both ways start non-adjacent; required
/// pairs are never removed and are oriented first; no rule orients an edge against the knowledge.</para>
/// </remarks>
public static class Pc
{
    /// <summary>Runs PC on <paramref name="test"/>'s variables, named <paramref name="names"/>.</summary>
    public static PcResult Run(IIndependenceTest test, IReadOnlyList<string> names, PcOptions? options = null,
        BackgroundKnowledge? knowledge = null, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var o = options ?? new PcOptions();
        if (!(o.Alpha > 0 && o.Alpha < 1)) throw new ArgumentOutOfRangeException(nameof(options), "alpha must be in (0, 1).");
        int n = test.VariableCount;
        if (names.Count != n) throw new ArgumentException($"{names.Count} names for {n} variables.");
        var adj = new bool[n, n];
        var locked = new bool[n, n]; // required adjacency: never removed
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j) continue;
                bool forbidBoth = knowledge is not null && knowledge.IsForbidden(names[i], names[j]) && knowledge.IsForbidden(names[j], names[i]);
                adj[i, j] = !forbidBoth;
                locked[i, j] = knowledge is not null && (knowledge.IsRequired(names[i], names[j]) || knowledge.IsRequired(names[j], names[i]));
            }
        var sepsets = new Dictionary<(int, int), int[]>();
        long tests = 0;
        int depth = o.Stable
            ? StableSkeleton(test, adj, locked, sepsets, o, names, ref tests, ct)
            : SequentialSkeleton(test, adj, locked, sepsets, o, names, ref tests, ct);

        var arrow = new bool[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                arrow[i, j] = adj[i, j];
        if (o.Orient && o.OrientLikeCausalLearn && knowledge is null) CausalLearnOrientation.Orient(arrow, sepsets);
        else if (o.Orient) Orientation.Orient(arrow, sepsets, names, knowledge);
        return new PcResult(new CausalGraph(names, arrow), sepsets, tests, depth);
    }

    private static int StableSkeleton(IIndependenceTest test, bool[,] adj, bool[,] locked, Dictionary<(int, int), int[]> sepsets,
        PcOptions o, IReadOnlyList<string> names, ref long tests, CancellationToken ct)
    {
        int n = adj.GetLength(0);
        int depth = 0, reached = -1;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = o.Parallelism > 0 ? o.Parallelism : Environment.ProcessorCount,
            CancellationToken = ct,
        };
        for (; o.MaxDepth < 0 || depth <= o.MaxDepth; depth++)
        {
            ct.ThrowIfCancellationRequested();
            var a = Neighbours(adj);
            var pairs = new List<(int X, int Y)>();
            for (int x = 0; x < n; x++)
                foreach (var y in a[x])
                    if (x < y && !locked[x, y] && (a[x].Length - 1 >= depth || a[y].Length - 1 >= depth))
                        pairs.Add((x, y));
            if (pairs.Count == 0) break;
            CheckBudget(o, n, tests, LevelTests(a, pairs, depth), depth, a, names);
            reached = depth;
            var found = new int[]?[pairs.Count];
            var counts = new long[pairs.Count];
            int d = depth;
            Parallel.For(0, pairs.Count, parallel, k =>
            {
                var (x, y) = pairs[k];
                long c = 0;
                if (o.SeparatingSets == SeparatingSetRule.First)
                    found[k] = FindSeparatingSet(test, x, y, a[x], d, o.Alpha, false, ref c, ct)
                               ?? FindSeparatingSet(test, y, x, a[y], d, o.Alpha, false, ref c, ct);
                else
                    found[k] = Union(FindSeparatingSet(test, x, y, a[x], d, o.Alpha, true, ref c, ct),
                                     FindSeparatingSet(test, y, x, a[y], d, o.Alpha, true, ref c, ct));
                counts[k] = c;
            });
            for (int k = 0; k < pairs.Count; k++)
            {
                tests += counts[k];
                if (found[k] is not { } s) continue;
                var (x, y) = pairs[k];
                adj[x, y] = adj[y, x] = false;
                sepsets[(x, y)] = s;
            }
        }
        return reached;
    }

    private static int SequentialSkeleton(IIndependenceTest test, bool[,] adj, bool[,] locked, Dictionary<(int, int), int[]> sepsets,
        PcOptions o, IReadOnlyList<string> names, ref long tests, CancellationToken ct)
    {
        int n = adj.GetLength(0);
        int reached = -1;
        for (int depth = 0; o.MaxDepth < 0 || depth <= o.MaxDepth; depth++)
        {
            bool any = false;
            for (int x = 0; x < n; x++)
            {
                ct.ThrowIfCancellationRequested();
                for (int y = 0; y < n; y++)
                {
                    if (!adj[x, y] || locked[x, y]) continue;
                    var ax = Row(adj, x);
                    if (ax.Length - 1 < depth) continue;
                    any = true;
                    long c = 0;
                    var s = FindSeparatingSet(test, x, y, ax, depth, o.Alpha, false, ref c, ct);
                    tests += c;
                    if (s is null) continue;
                    adj[x, y] = adj[y, x] = false;
                    sepsets[(Math.Min(x, y), Math.Max(x, y))] = s;
                }
            }
            if (!any) break;
            reached = depth;
            CheckBudget(o, n, tests, 0, depth, Neighbours(adj), names);
        }
        return reached;
    }

    /// <summary>
    /// The first ℓ-subset S of <paramref name="candidates"/> \ {y} (lexicographic) with p(x ⊥ y | S) &gt; α, or, when
    /// <paramref name="all"/>, the sorted union of every such S (all subsets are tested); null when none separates.
    /// </summary>
    private static int[]? FindSeparatingSet(IIndependenceTest test, int x, int y, int[] candidates, int size, double alpha,
        bool all, ref long count, CancellationToken ct)
    {
        SortedSet<int>? union = null;
        var pool = candidates.Where(v => v != y).ToArray();
        if (pool.Length < size) return null;
        var idx = new int[size];
        for (int t = 0; t < size; t++) idx[t] = t;
        var s = new int[size];
        while (true)
        {
            for (int t = 0; t < size; t++) s[t] = pool[idx[t]];
            count++;
            if ((count & 255) == 0) ct.ThrowIfCancellationRequested();
            if (test.PValue(x, y, s) > alpha)
            {
                if (!all) return s.ToArray();
                (union ??= new SortedSet<int>()).UnionWith(s);
            }
            // Next combination in lexicographic order.
            int i = size - 1;
            while (i >= 0 && idx[i] == pool.Length - size + i) i--;
            if (i < 0) return union?.ToArray();
            idx[i]++;
            for (int t = i + 1; t < size; t++) idx[t] = idx[t - 1] + 1;
        }
    }

    /// <summary>Tests one stable level runs: every ℓ-subset of a(x) \ {y} and of a(y) \ {x} for each pair (exact under the
    /// causal-learn rule, which tests them all; an upper bound under the first-set rule).</summary>
    private static double LevelTests(int[][] a, List<(int X, int Y)> pairs, int depth)
    {
        double total = 0;
        foreach (var (x, y) in pairs) total += Binomial(a[x].Length - 1, depth) + Binomial(a[y].Length - 1, depth);
        return total;
    }

    private static double Binomial(int m, int k)
    {
        if (k < 0 || k > m) return 0;
        double r = 1;
        for (int i = 0; i < k; i++) r = r * (m - i) / (i + 1);
        return r;
    }

    /// <summary>Throws when <paramref name="done"/> + <paramref name="next"/> tests exceed the work limit (see the remarks),
    /// naming the most connected variables, the clique that keeps the count growing.</summary>
    private static void CheckBudget(PcOptions o, int n, long done, double next, int depth, int[][] a, IReadOnlyList<string> names)
    {
        if (o.MaxTestsPerPair <= 0) return;
        double budget = Math.Max(o.MinTestBudget, (double)o.MaxTestsPerPair * n * (n - 1) / 2);
        if (done + next <= budget) return;
        var top = Enumerable.Range(0, n).OrderByDescending(v => a[v].Length).ThenBy(v => names[v], StringComparer.Ordinal).ToArray();
        int degree = a[top[0]].Length;
        var shown = top.TakeWhile(v => a[v].Length == degree).Take(4).Select(v => names[v]);
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        throw new AiopsLabException(string.Create(ci,
            $"PC stopped before depth {depth}: it would run {done + next:N0} independence tests on {n:N0} columns, over its limit of {budget:N0} ({o.MaxTestsPerPair} per pair of columns). ")
            + string.Create(ci, $"Columns such as {string.Join(", ", shown)} stay adjacent to {degree} others whatever is conditioned on ")
            + "(identical or step-like columns, as a very short anomalous window leaves them), so the tests grow as 2^(neighbours). "
            + "This window cannot be searched in reasonable time; use a longer window or reduce the columns first, e.g. metricsifter+<method>.");
    }

    private static int[]? Union(int[]? a, int[]? b) =>
        a is null ? b : b is null ? a : a.Union(b).Order().ToArray();

    private static int[][] Neighbours(bool[,] adj)
    {
        int n = adj.GetLength(0);
        var a = new int[n][];
        for (int x = 0; x < n; x++) a[x] = Row(adj, x);
        return a;
    }

    private static int[] Row(bool[,] adj, int x)
    {
        var r = new List<int>();
        for (int y = 0; y < adj.GetLength(1); y++) if (adj[x, y]) r.Add(y);
        return r.ToArray();
    }
}

/// <summary>
/// Edge orientation of a skeleton: background knowledge, unshielded colliders, then Meek's rules (see <see cref="Pc"/>).
/// Works on an arrow matrix where an undirected edge has both marks.
/// </summary>
public static class Orientation
{
    /// <summary>Orients <paramref name="arrow"/> in place.</summary>
    public static void Orient(bool[,] arrow, IReadOnlyDictionary<(int, int), int[]> sepsets, IReadOnlyList<string> names, BackgroundKnowledge? knowledge)
    {
        int n = arrow.GetLength(0);
        bool Adj(int a, int b) => arrow[a, b] || arrow[b, a];
        bool Undirected(int a, int b) => arrow[a, b] && arrow[b, a];
        bool Directed(int a, int b) => arrow[a, b] && !arrow[b, a];
        bool Forbidden(int a, int b) => knowledge is not null && knowledge.IsForbidden(names[a], names[b]);
        // Sets a → b on an undirected a − b unless knowledge forbids it.
        bool Set(int a, int b)
        {
            if (!Undirected(a, b) || Forbidden(a, b)) return false;
            arrow[b, a] = false;
            return true;
        }

        // 1. Knowledge.
        if (knowledge is not null)
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++)
                {
                    if (a == b || !Undirected(a, b)) continue;
                    if (knowledge.IsRequired(names[a], names[b])) arrow[b, a] = false;
                    else if (Forbidden(a, b) && !Forbidden(b, a)) arrow[a, b] = false;
                }

        // 2. Unshielded colliders x → z ← y.
        for (int z = 0; z < n; z++)
            for (int x = 0; x < n; x++)
            {
                if (x == z || !Adj(x, z)) continue;
                for (int y = x + 1; y < n; y++)
                {
                    if (y == z || !Adj(y, z) || Adj(x, y)) continue;
                    if (!sepsets.TryGetValue((x, y), out var s) || Array.IndexOf(s, z) >= 0) continue;
                    // Existing arrows win: orient only the parts still undirected, and only if neither points away from z.
                    if (Directed(z, x) || Directed(z, y)) continue;
                    if (Undirected(x, z) && Forbidden(x, z)) continue;
                    if (Undirected(y, z) && Forbidden(y, z)) continue;
                    Set(x, z);
                    Set(y, z);
                }
            }

        // 3. Meek's rules to a fixed point.
        bool useR4 = knowledge is not null && (knowledge.ForbiddenCount > 0 || knowledge.RequiredCount > 0);
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++)
                {
                    if (a == b || !Undirected(a, b)) continue;
                    if (R1(a, b) || R2(a, b) || R3(a, b) || (useR4 && R4(a, b)))
                        changed |= Set(a, b);
                }
        }

        // R1: c → a − b with c, b non-adjacent ⇒ a → b.
        bool R1(int a, int b)
        {
            for (int c = 0; c < n; c++)
                if (c != a && c != b && Directed(c, a) && !Adj(c, b)) return true;
            return false;
        }
        // R2: a → c → b with a − b ⇒ a → b.
        bool R2(int a, int b)
        {
            for (int c = 0; c < n; c++)
                if (c != a && c != b && Directed(a, c) && Directed(c, b)) return true;
            return false;
        }
        // R3: a − c → b and a − d → b, c and d non-adjacent, a − b ⇒ a → b.
        bool R3(int a, int b)
        {
            for (int c = 0; c < n; c++)
            {
                if (c == a || c == b || !Undirected(a, c) || !Directed(c, b)) continue;
                for (int d = c + 1; d < n; d++)
                    if (d != a && d != b && Undirected(a, d) && Directed(d, b) && !Adj(c, d)) return true;
            }
            return false;
        }
        // R4: a − d, d → c → b, a adjacent to c, b and d non-adjacent, a − b ⇒ a → b.
        bool R4(int a, int b)
        {
            for (int c = 0; c < n; c++)
            {
                if (c == a || c == b || !Directed(c, b) || !Adj(a, c)) continue;
                for (int d = 0; d < n; d++)
                    if (d != a && d != b && d != c && Undirected(a, d) && Directed(d, c) && !Adj(b, d)) return true;
            }
            return false;
        }
    }
}
