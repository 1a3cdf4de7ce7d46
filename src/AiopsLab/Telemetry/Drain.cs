using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AiopsLab.Telemetry;

/// <summary>
/// Drain, the online log parser with a fixed-depth parse tree (P. He, J. Zhu, Z. Zheng, M. R. Lyu, "Drain: An Online Log
/// Parsing Approach with Fixed Depth Tree", ICWS 2017), written from the paper's Section III.
/// </summary>
/// <remarks>
/// <para>Steps per message (Sec. III-A to III-E): (1) preprocess with the masking rules; split on white space and the extra
/// delimiters; (2) go to the length-layer node of the token count; (3) descend <c>Depth − 3</c> token layers by the leading
/// tokens — a token that contains a digit goes to the <c>*</c> child, and when a node already has <c>MaxChildren − 1</c>
/// token children every new token goes to the <c>*</c> child; (4) in the leaf, pick the log group with the largest
/// simSeq = Σ equ(message token, template token) / n (Eq. 1; a template's <c>&lt;*&gt;</c> counts as unequal) and, on a tie,
/// the group with more parameters; it matches when simSeq ≥ st; (5) update the matched template by turning positions where
/// the tokens differ into <c>&lt;*&gt;</c>, or else create a new group in the leaf.</para>
/// <para>Choices the paper leaves open, taken as in Drain3 (the implementation Nezha uses, <c>log_template/*.ini</c>): depth counts
/// root and leaf, so depth 4 descends one token layer; at most <see cref="DrainOptions.MaxClusters"/> groups, the least
/// recently matched dropped beyond it; masks are replaced by <c>&lt;:NAME:&gt;</c>.</para>
/// <para>Speed (not in the paper; the result is unchanged, checked line by line against the string implementation this
/// replaced): a message is split in place into spans and every token is looked up by its span in the table of template
/// tokens (<see cref="DrainTokens"/>), so templates and messages are arrays of integer ids and Eq. 1 counts equal ids, eight
/// at a time; a token that no template holds (trace and span ids, time stamps) is never copied into a string unless it
/// founds a new group. Step 4 scores only the groups the pigeonhole principle leaves possible (<see cref="Candidates"/>),
/// drawn from each token's postings (template, position); Nezha's settings have no masks and lines start with a time stamp,
/// so one leaf per line length holds hundreds of groups.</para>
/// <para>Group ids count up from 0 in creation order, so parsing the same lines in the same order gives the same ids. Not
/// thread-safe: one instance per thread, or parse serially.</para>
/// </remarks>
public sealed class Drain
{
    /// <summary>The parameter token of a template.</summary>
    public const string Wildcard = "<*>";

    private const int Param = -1; // a template position that is a parameter; no token id is negative except Fresh

    private sealed class Node
    {
        public readonly Dictionary<string, Node> Children = new(StringComparer.Ordinal);
        public readonly Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> Lookup;
        public Leaf? Groups;

        public Node() => Lookup = Children.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>A log group: its template as token ids (<c>−1</c> = parameter), all of one length within a leaf.</summary>
    internal sealed class Group(int id, int[] template, Leaf leaf)
    {
        public readonly int Id = id;
        public readonly int[] Template = template;
        public readonly Leaf Leaf = leaf;
        public int Params;
        public long Size;
        public long Seen; // the Add call that last collected it as a candidate
        public bool Evicted;
        public Group? Older, Newer; // recency list: least recently matched first
    }

    /// <summary>A leaf's log groups in creation order (ascending id). All groups of a leaf have the same length (step 2).</summary>
    internal sealed class Leaf
    {
        public readonly List<Group> Groups = [];

        /// <summary>Removes <paramref name="g"/> found by binary search on the ascending ids.</summary>
        public void Remove(Group g)
        {
            int lo = 0, hi = Groups.Count - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1, id = Groups[mid].Id;
                if (id == g.Id) { Groups.RemoveAt(mid); return; }
                if (id < g.Id) lo = mid + 1; else hi = mid - 1;
            }
            throw new InvalidOperationException($"Drain: group {g.Id} is not in its leaf (out of step).");
        }
    }

    /// <summary>Leaves with fewer groups than this are scanned in full; larger ones go through the postings (same result).</summary>
    internal int IndexFrom { get; init; } = 8;

    private readonly DrainOptions _o;
    private readonly Dictionary<int, Node> _byLength = [];
    private readonly List<Group?> _groups = [];
    private readonly DrainTokens _tokens = new();
    private readonly System.Buffers.SearchValues<char> _separatorSet;
    private Group? _oldest, _newest;
    private int _live;
    private long _clock;

    public Drain(DrainOptions? options = null)
    {
        _o = options ?? new DrainOptions();
        if (_o.Depth < 3) throw new ArgumentException("Drain needs depth >= 3 (root, length layer, leaf).", nameof(options));
        _separatorSet = System.Buffers.SearchValues.Create([' ', '\t', '\n', '\r', '\f', '\v', .. _o.ExtraDelimiters]);
    }

    public DrainOptions Options => _o;

    /// <summary>Number of groups ever created (ids run from 0 to this − 1; an evicted id stays unused).</summary>
    public int GroupsCreated => _groups.Count;

    /// <summary>Number of groups held now.</summary>
    public int GroupCount => _live;

    /// <summary>The current template of group <paramref name="id"/> (tokens joined by one space), or null when evicted.</summary>
    public string? Template(int id) => _groups[id] is { } g ? string.Join(' ', g.Template.Select(t => t == Param ? Wildcard : _tokens.Text(t))) : null;

    /// <summary>Number of messages assigned to group <paramref name="id"/>.</summary>
    public long Size(int id) => _groups[id]?.Size ?? 0;

    /// <summary>The message after masking, as the parser sees it (Sec. III-A).</summary>
    public string Preprocess(string message)
    {
        var s = message.Trim();
        foreach (var m in _o.Masks) s = m.Pattern.Replace(s, _o.MaskPrefix + m.Name + _o.MaskSuffix);
        return s;
    }

    /// <summary>The tokens of a message (masked, split on white space and the extra delimiters).</summary>
    public string[] Tokenize(string message)
    {
        int n = Split(message);
        var tokens = new string[n];
        for (int i = 0; i < n; i++) tokens[i] = Token(i).ToString();
        return tokens;
    }

    private string _line = "";
    private int[] _ids = new int[64], _starts = new int[64], _lengths = new int[64];

    private ReadOnlySpan<char> Token(int i) => _line.AsSpan(_starts[i], _lengths[i]);

    /// <summary>Splits a message in place: token i is <c>_line[_starts[i] ..+ _lengths[i]]</c>, its id in the table of
    /// template tokens <c>_ids[i]</c> (<see cref="DrainTokens.Fresh"/> when no template holds it). Returns the count. The
    /// tokens are those of <c>Preprocess(message).Split(white space and extra delimiters, RemoveEmptyEntries)</c>.</summary>
    private int Split(string message)
    {
        string s;
        int from, to;
        if (_o.Masks.Count > 0) { s = Preprocess(message); from = 0; to = s.Length; }
        else
        {
            s = message;
            var all = s.AsSpan();
            from = all.Length - all.TrimStart().Length;
            to = from == all.Length ? from : all.TrimEnd().Length;
        }
        _line = s;
        var span = s.AsSpan(from, to - from);
        int n = 0, pos = from;
        while (true)
        {
            int at = span.IndexOfAny(_separatorSet);
            int len = at < 0 ? span.Length : at;
            if (len > 0)
            {
                if (n == _ids.Length)
                {
                    Array.Resize(ref _ids, n * 2);
                    Array.Resize(ref _starts, n * 2);
                    Array.Resize(ref _lengths, n * 2);
                }
                _starts[n] = pos;
                _lengths[n] = len;
                _ids[n++] = _tokens.Find(span[..len]);
            }
            if (at < 0) break;
            span = span[(at + 1)..];
            pos += at + 1;
        }
        return n;
    }

    /// <summary>Parses one message (learning from it) and returns its group id.</summary>
    public int Add(string message)
    {
        _tokens.Sweep(); // between messages only: the ids of the message below stay valid while it is parsed
        int n = Split(message);
        var ids = _ids.AsSpan(0, n);
        var leaf = FindLeaf(n, create: true)!;
        int need = (int)Math.Ceiling(_o.Similarity * n - 1e-9);
        var g = Best(leaf.Groups.Count >= IndexFrom ? Candidates(leaf, ids, need, _clock + 1) : leaf.Groups, ids, need);
        _clock++;
        if (g is not null)
        {
            var tpl = g.Template;
            for (int i = 0; i < n; i++)
                if (tpl[i] != Param && tpl[i] != ids[i]) { _tokens.Unref(tpl[i]); tpl[i] = Param; g.Params++; }
            g.Size++;
            if (g != _newest) { Unlink(g); Append(g); }
            return g.Id;
        }
        if (_live >= _o.MaxClusters) Evict();
        var template = new int[n];
        g = new Group(_groups.Count, template, leaf);
        for (int i = 0; i < n; i++)
        {
            int id = ids[i];
            if (id == DrainTokens.WildcardText) { template[i] = Param; g.Params++; continue; }
            if (id == DrainTokens.Fresh) id = _tokens.Enter(Token(i));
            template[i] = id;
            _tokens.Post(id, g, i);
        }
        _groups.Add(g);
        leaf.Groups.Add(g);
        _live++;
        g.Size = 1;
        Append(g);
        return g.Id;
    }

    /// <summary>The group a message falls in without learning from it (similarity ≥ st, a template's parameters counted as
    /// matching), or −1 when none does: for classifying new lines against templates learnt from a reference period.</summary>
    public int Match(string message)
    {
        int n = Split(message);
        var leaf = FindLeaf(n, create: false);
        if (leaf is null) return -1;
        Group? best = null;
        double bestSim = -1;
        foreach (var g in leaf.Groups)
        {
            int same = 0;
            for (int i = 0; i < n; i++)
                if (g.Template[i] == Param || g.Template[i] == _ids[i]) same++;
            double sim = n == 0 ? 1 : (double)same / n;
            if (sim > bestSim || (sim == bestSim && g.Params > best!.Params)) { best = g; bestSim = sim; }
        }
        return best is not null && bestSim >= _o.Similarity ? best.Id : -1;
    }

    /// <summary>Steps 2-3: the leaf of the <paramref name="n"/> tokens just split (created on the way when asked).</summary>
    private Leaf? FindLeaf(int n, bool create)
    {
        if (!_byLength.TryGetValue(n, out var node))
        {
            if (!create) return null;
            _byLength[n] = node = new Node();
        }
        int layers = Math.Min(_o.Depth - 3, n);
        for (int i = 0; i < layers; i++)
        {
            var t = Token(i);
            bool digit = t.IndexOfAnyInRange('0', '9') >= 0;
            if (digit ? node.Children.TryGetValue(Wildcard, out var next) : node.Lookup.TryGetValue(t, out next)) { node = next; continue; }
            if (!create)
            {
                if (!node.Children.TryGetValue(Wildcard, out next)) return null;
                node = next;
                continue;
            }
            bool wild = digit || t.SequenceEqual(Wildcard)
                || node.Children.Count + (node.Children.ContainsKey(Wildcard) ? 0 : 1) >= _o.MaxChildren;
            var key = wild ? Wildcard : t.ToString();
            if (!node.Children.TryGetValue(key, out next)) node.Children[key] = next = new Node();
            node = next;
        }
        if (node.Groups is null && create) node.Groups = new Leaf();
        return node.Groups;
    }

    /// <summary>
    /// The groups of a leaf that can reach simSeq ≥ st, in leaf order. A group with at least need = ⌈st·n⌉ equal positions
    /// shares a token with the message at one of any n − need + 1 positions (pigeonhole), so the union of the postings of
    /// the n − need + 1 positions with the fewest postings holds every group that can match; <see cref="Best"/> over it
    /// gives the group a full scan gives. A token no template holds has no postings.
    /// </summary>
    private List<Group> Candidates(Leaf leaf, ReadOnlySpan<int> ids, int need, long stamp)
    {
        int n = ids.Length;
        if (n == 0 || need <= 0) return leaf.Groups;
        if (_sizes.Length < n) { _sizes = new int[n * 2]; _order = new int[n * 2]; }
        var sizes = _sizes.AsSpan(0, n);
        var order = _order.AsSpan(0, n);
        for (int i = 0; i < n; i++) { sizes[i] = _tokens.PostingCount(ids[i]); order[i] = i; }
        sizes.Sort(order);
        var result = _candidates;
        result.Clear();
        for (int k = 0; k < n - need + 1; k++)
        {
            int i = order[k], id = ids[i];
            foreach (ref readonly var p in _tokens.Postings(id))
                if (p.Position == i && p.Group.Leaf == leaf && p.Group.Seen != stamp && DrainTokens.Live(p, id)) { p.Group.Seen = stamp; result.Add(p.Group); }
        }
        if (result.Count > 1) result.Sort(ById);
        return result;
    }

    private static readonly Comparison<Group> ById = (a, b) => a.Id.CompareTo(b.Id);
    private int[] _sizes = new int[64], _order = new int[64];
    private readonly List<Group> _candidates = [];

    /// <summary>Step 4: the most similar group, if its simSeq reaches need/n. Counting stops as soon as a group can no
    /// longer reach both the threshold and the best count so far (the result is the same as a full count).</summary>
    private static Group? Best(List<Group> groups, ReadOnlySpan<int> ids, int need)
    {
        int n = ids.Length;
        if (n == 0) return groups.Count > 0 ? groups[0] : null;
        Group? best = null;
        int bestSame = -1;
        foreach (var g in groups)
        {
            int allowedMiss = n - Math.Max(need, bestSame);
            if (allowedMiss < 0) continue;
            int same = Same(g.Template, ids, allowedMiss);
            if (same < 0) continue;
            if (same > bestSame || (same == bestSame && g.Params > best!.Params)) { best = g; bestSame = same; }
        }
        return best is not null && bestSame >= need ? best : null;
    }

    /// <summary>Eq. 1's numerator: positions where template and message hold the same token (a parameter, −1, equals no
    /// id), or −1 once more than <paramref name="allowedMiss"/> positions differ. Eight positions per vector compare.</summary>
    private static int Same(int[] template, ReadOnlySpan<int> ids, int allowedMiss)
    {
        int n = ids.Length, same = 0, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref int a = ref MemoryMarshal.GetArrayDataReference(template);
            ref int b = ref MemoryMarshal.GetReference(ids);
            for (; i + 8 <= n; i += 8)
            {
                var eq = Vector256.Equals(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i));
                same += BitOperations.PopCount(eq.ExtractMostSignificantBits());
                if (i + 8 - same > allowedMiss) return -1;
            }
        }
        for (; i < n; i++)
            if (template[i] == ids[i]) same++;
            else if (i + 1 - same > allowedMiss) return -1;
        return same;
    }

    private void Append(Group g)
    {
        g.Older = _newest;
        g.Newer = null;
        if (_newest is not null) _newest.Newer = g; else _oldest = g;
        _newest = g;
    }

    private void Unlink(Group g)
    {
        if (g.Older is not null) g.Older.Newer = g.Newer; else _oldest = g.Newer;
        if (g.Newer is not null) g.Newer.Older = g.Older; else _newest = g.Older;
        g.Older = g.Newer = null;
    }

    /// <summary>Drops the least recently matched group (the head of the recency list: every match moves its group to the end).</summary>
    private void Evict()
    {
        if (_oldest is not { } lru) return;
        Unlink(lru);
        lru.Evicted = true;
        foreach (var t in lru.Template)
            if (t != Param) _tokens.Unref(t);
        lru.Leaf.Remove(lru);
        _groups[lru.Id] = null;
        _live--;
    }
}
