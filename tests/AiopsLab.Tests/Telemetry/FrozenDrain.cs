using AiopsLab.Telemetry;

namespace AiopsLab.Tests.Telemetry;

/// <summary>
/// A frozen copy of <see cref="Drain"/> as it was before the token-id rewrite (main at 091c226, 2026-12-01): string tokens, a
/// per-leaf inverted index of strings. Kept only as the reference that the rewrite must agree with line by line
/// (<see cref="DrainIdentityTests"/>); not to be changed.
/// </summary>
internal sealed class FrozenDrain
{
    /// <summary>The parameter token of a template.</summary>
    public const string Wildcard = "<*>";

    private sealed class Node
    {
        public readonly Dictionary<string, Node> Children = new(StringComparer.Ordinal);
        public Leaf? Groups;
    }

    private sealed class Group(int id, string[] template, Leaf leaf)
    {
        public readonly int Id = id;
        public readonly string[] Template = template;
        public readonly Leaf Leaf = leaf;
        public int Params;
        public long Size;
        public long LastUsed;
        public long Seen; // the Add call that last collected it as a candidate
        public LinkedListNode<Group>? Lru;
    }

    /// <summary>
    /// A leaf's log groups in creation order (ascending id), with an inverted index: per token position, the groups whose
    /// template has that token there (parameters not indexed). All groups of a leaf have the same length (step 2).
    /// </summary>
    private sealed class Leaf
    {
        public readonly List<Group> Groups = [];
        public Dictionary<string, List<Group>>[]? Index;

        public void Post(int position, string token, Group g)
        {
            Index ??= new Dictionary<string, List<Group>>[g.Template.Length];
            var d = Index[position] ??= new Dictionary<string, List<Group>>(StringComparer.Ordinal);
            if (!d.TryGetValue(token, out var list)) d[token] = list = [];
            list.Add(g); // ids grow, so every list stays in ascending id order
        }

        public void Unpost(int position, string token, Group g)
        {
            var d = Index![position];
            var list = d[token];
            list.RemoveAt(IndexOf(list, g));
            if (list.Count == 0) d.Remove(token); // one-off tokens (trace ids, time stamps) must not pile up empty lists
        }

        public void Remove(Group g) => Groups.RemoveAt(IndexOf(Groups, g));

        /// <summary>Where <paramref name="g"/> stands in a list kept in ascending id order (binary search: a list of a
        /// common token holds most of the leaf, and a linear <c>Remove</c> per evicted group dominated the parse).</summary>
        private static int IndexOf(List<Group> list, Group g)
        {
            int lo = 0, hi = list.Count - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1, id = list[mid].Id;
                if (id == g.Id) return mid;
                if (id < g.Id) lo = mid + 1; else hi = mid - 1;
            }
            throw new InvalidOperationException($"Drain: group {g.Id} is not in its leaf's list (index out of step).");
        }
    }

    /// <summary>Leaves with fewer groups than this are scanned in full; larger ones go through the index (same result).</summary>
    internal int IndexFrom { get; init; } = 8;

    private readonly DrainOptions _o;
    private readonly Dictionary<int, Node> _byLength = [];
    private readonly List<Group?> _groups = [];
    private readonly LinkedList<Group> _lru = []; // live groups, least recently matched first
    private readonly char[] _separators;
    private int _live;
    private long _clock;

    public FrozenDrain(DrainOptions? options = null)
    {
        _o = options ?? new DrainOptions();
        if (_o.Depth < 3) throw new ArgumentException("Drain needs depth >= 3 (root, length layer, leaf).", nameof(options));
        _separators = [' ', '\t', '\n', '\r', '\f', '\v', .. _o.ExtraDelimiters];
        _separatorSet = System.Buffers.SearchValues.Create(_separators);
        _tokenLookup = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private readonly System.Buffers.SearchValues<char> _separatorSet;
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _tokenLookup;

    public DrainOptions Options => _o;

    /// <summary>Number of groups ever created (ids run from 0 to this − 1; an evicted id stays unused).</summary>
    public int GroupsCreated => _groups.Count;

    /// <summary>Number of groups held now.</summary>
    public int GroupCount => _live;

    /// <summary>The current template of group <paramref name="id"/> (tokens joined by one space), or null when evicted.</summary>
    public string? Template(int id) => _groups[id] is { } g ? string.Join(' ', g.Template) : null;

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
    /// <remarks>Without masks the message is split in place and a token seen before is taken from a bounded table instead
    /// of allocating a new string (the same tokens as <c>Trim().Split(...)</c>; half a line's cost was tokenizing).</remarks>
    public string[] Tokenize(string message) => Split(message).ToArray();

    /// <summary>The tokens of a message in a buffer reused by the next call (a matched line allocates no token array).</summary>
    private ReadOnlySpan<string> Split(string message)
    {
        if (_o.Masks.Count > 0) return Preprocess(message).Split(_separators, StringSplitOptions.RemoveEmptyEntries);
        var span = message.AsSpan().Trim();
        var tokens = _tokenBuffer;
        tokens.Clear();
        while (true)
        {
            int at = span.IndexOfAny(_separatorSet);
            var token = at < 0 ? span : span[..at];
            if (!token.IsEmpty) tokens.Add(Intern(token));
            if (at < 0) break;
            span = span[(at + 1)..];
        }
        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens);
    }

    private string Intern(ReadOnlySpan<char> token)
    {
        if (_tokenLookup.TryGetValue(token, out var s)) return s;
        if (_tokens.Count >= TokenTableSize) _tokens.Clear(); // unique ids (trace ids, time stamps) must not grow it forever
        s = token.ToString();
        _tokens[s] = s;
        return s;
    }

    private const int TokenTableSize = 1 << 16;
    private readonly List<string> _tokenBuffer = new(64);

    /// <summary>Parses one message (learning from it) and returns its group id.</summary>
    public int Add(string message)
    {
        var tokens = Split(message);
        var leaf = FindLeaf(tokens, create: true)!;
        var g = leaf.Groups.Count >= IndexFrom ? Best(Candidates(leaf, tokens, _o.Similarity, _clock + 1), tokens, _o.Similarity) : Best(leaf.Groups, tokens, _o.Similarity);
        _clock++;
        if (g is not null)
        {
            for (int i = 0; i < tokens.Length; i++)
                if (!ReferenceEquals(g.Template[i], Wildcard) && !string.Equals(g.Template[i], tokens[i], StringComparison.Ordinal))
                {
                    leaf.Unpost(i, g.Template[i], g);
                    g.Template[i] = Wildcard;
                    g.Params++;
                }
        }
        else
        {
            if (_live >= _o.MaxClusters) Evict();
            var template = tokens.ToArray();
            g = new Group(_groups.Count, template, leaf);
            for (int i = 0; i < template.Length; i++)
                if (template[i] == Wildcard) { template[i] = Wildcard; g.Params++; }
                else leaf.Post(i, template[i], g);
            _groups.Add(g);
            leaf.Groups.Add(g);
            _live++;
        }
        g.Size++;
        g.LastUsed = _clock;
        if (g.Lru is null) g.Lru = _lru.AddLast(g);
        else { _lru.Remove(g.Lru); _lru.AddLast(g.Lru); }
        return g.Id;
    }

    /// <summary>The group a message falls in without learning from it (similarity ≥ st, a template's parameters counted as
    /// matching), or −1 when none does: for classifying new lines against templates learnt from a reference period.</summary>
    public int Match(string message)
    {
        var tokens = Split(message);
        var leaf = FindLeaf(tokens, create: false);
        if (leaf is null) return -1;
        Group? best = null;
        double bestSim = -1;
        foreach (var g in leaf.Groups)
        {
            int same = 0;
            for (int i = 0; i < tokens.Length; i++)
                if (ReferenceEquals(g.Template[i], Wildcard) || string.Equals(g.Template[i], tokens[i], StringComparison.Ordinal)) same++;
            double sim = tokens.Length == 0 ? 1 : (double)same / tokens.Length;
            if (sim > bestSim || (sim == bestSim && g.Params > best!.Params)) { best = g; bestSim = sim; }
        }
        return best is not null && bestSim >= _o.Similarity ? best.Id : -1;
    }

    /// <summary>Steps 2-3: the leaf's group list for this token sequence (created on the way when asked).</summary>
    private Leaf? FindLeaf(ReadOnlySpan<string> tokens, bool create)
    {
        if (!_byLength.TryGetValue(tokens.Length, out var node))
        {
            if (!create) return null;
            _byLength[tokens.Length] = node = new Node();
        }
        int layers = Math.Min(_o.Depth - 3, tokens.Length);
        for (int i = 0; i < layers; i++)
        {
            var t = tokens[i];
            var key = t.AsSpan().IndexOfAnyInRange('0', '9') >= 0 ? Wildcard : t;
            if (node.Children.TryGetValue(key, out var next)) { node = next; continue; }
            if (!create)
            {
                if (!node.Children.TryGetValue(Wildcard, out next)) return null;
                node = next;
                continue;
            }
            if (key != Wildcard && node.Children.Count + (node.Children.ContainsKey(Wildcard) ? 0 : 1) >= _o.MaxChildren) key = Wildcard;
            if (!node.Children.TryGetValue(key, out next)) node.Children[key] = next = new Node();
            node = next;
        }
        if (node.Groups is null && create) node.Groups = new Leaf();
        return node.Groups;
    }

    /// <summary>Step 4: the most similar group, if its simSeq reaches <paramref name="st"/>. Counting stops as soon as a
    /// group can no longer reach both the threshold and the best count so far (the result is the same as a full count).</summary>
    /// <summary>
    /// The groups of a leaf that can reach simSeq ≥ st, in leaf order. A group with at least need = ⌈st·n⌉ equal positions
    /// shares a token with the message at one of any n − need + 1 positions (pigeonhole), so the union of the index lists
    /// of the n − need + 1 positions with the shortest lists holds every group that can match; <see cref="Best"/> over it
    /// gives the group a full scan gives.
    /// </summary>
    private List<Group> Candidates(Leaf leaf, ReadOnlySpan<string> tokens, double st, long stamp)
    {
        int n = tokens.Length;
        int need = (int)Math.Ceiling(st * n - 1e-9);
        if (n == 0 || need <= 0 || leaf.Index is null) return leaf.Groups;
        if (_lists.Length < n) { _lists = new List<Group>?[n * 2]; _sizes = new int[n * 2]; _order = new int[n * 2]; }
        var lists = _lists;
        var sizes = _sizes.AsSpan(0, n);
        var order = _order.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            lists[i] = leaf.Index[i] is { } d && d.TryGetValue(tokens[i], out var l) ? l : null;
            sizes[i] = lists[i]?.Count ?? 0;
            order[i] = i;
        }
        sizes.Sort(order);
        var result = _candidates;
        result.Clear();
        for (int k = 0; k < n - need + 1; k++)
            if (lists[order[k]] is { } l)
                foreach (var g in l)
                    if (g.Seen != stamp) { g.Seen = stamp; result.Add(g); }
        if (result.Count > 1) result.Sort(ById);
        return result;
    }

    private static readonly Comparison<Group> ById = (a, b) => a.Id.CompareTo(b.Id);
    private List<Group>?[] _lists = new List<Group>?[64];
    private int[] _sizes = new int[64], _order = new int[64];
    private readonly List<Group> _candidates = [];

    private static Group? Best(List<Group> leaf, ReadOnlySpan<string> tokens, double st)
    {
        int n = tokens.Length;
        if (n == 0) return leaf.Count > 0 ? leaf[0] : null;
        int need = (int)Math.Ceiling(st * n - 1e-9);
        Group? best = null;
        int bestSame = -1;
        foreach (var g in leaf)
        {
            var tpl = g.Template;
            int floor = Math.Max(need, bestSame), allowedMiss = n - floor, miss = 0, same = 0;
            if (allowedMiss < 0) continue;
            for (int i = 0; i < n; i++)
            {
                if (!ReferenceEquals(tpl[i], Wildcard) && string.Equals(tpl[i], tokens[i], StringComparison.Ordinal)) same++;
                else if (++miss > allowedMiss) break;
            }
            if (miss > allowedMiss) continue;
            if (same > bestSame || (same == bestSame && g.Params > best!.Params)) { best = g; bestSame = same; }
        }
        return best is not null && bestSame >= need ? best : null;
    }

    private void Evict()
    {
        // The least recently matched live group (smallest LastUsed): the head of the list, as every match moves its group to the end.
        if (_lru.First is not { } head) return;
        var lru = head.Value;
        _lru.RemoveFirst();
        for (int i = 0; i < lru.Template.Length; i++)
            if (!ReferenceEquals(lru.Template[i], Wildcard)) lru.Leaf.Unpost(i, lru.Template[i], lru);
        lru.Leaf.Remove(lru);
        _groups[lru.Id] = null;
        _live--;
    }
}
