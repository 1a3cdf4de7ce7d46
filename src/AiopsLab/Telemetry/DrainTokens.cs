namespace AiopsLab.Telemetry;

/// <summary>
/// The tokens held by <see cref="Drain"/>'s templates, each under a small integer id (equal ids ⇔ ordinally equal text), with
/// per token its postings: the (group, position) pairs of templates holding it, i.e. the inverted index step 4 draws its
/// candidates from. A speed structure only: it decides nothing.
/// </summary>
/// <remarks>
/// <para>Only tokens of templates enter the table (a message's token looked up and absent is <see cref="Fresh"/>: it equals
/// no template token). A token is counted once per template position holding it (<see cref="Refs"/>); when a position turns
/// into a parameter or its group is evicted the count drops and its posting goes stale (skipped, compacted away later), and
/// <see cref="Sweep"/> frees tokens no template holds, so one-off tokens (trace ids, time stamps) do not pile up. Freed ids
/// are reused; a sweep runs only between messages, never while a message's ids are in use.</para>
/// </remarks>
internal sealed class DrainTokens
{
    /// <summary>Id of a message token not in the table: it equals no template token.</summary>
    public const int Fresh = -2;

    /// <summary>Id of a message token spelled <c>&lt;*&gt;</c>: a template turns it into a parameter, and it equals no token.</summary>
    public const int WildcardText = 0;

    public readonly record struct Posting(Drain.Group Group, int Position);

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private string?[] _text = new string?[256];
    private int[] _refs = new int[256];
    private Posting[]?[] _post = new Posting[]?[256];
    private int[] _postCount = new int[256];
    private readonly Stack<int> _free = new();
    private int _next = 1;
    private int _sweepAt = 4096;

    public DrainTokens()
    {
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _ids[Drain.Wildcard] = WildcardText;
        _text[WildcardText] = Drain.Wildcard;
    }

    /// <summary>The id of <paramref name="token"/>, or <see cref="Fresh"/> when no template holds it.</summary>
    public int Find(ReadOnlySpan<char> token) => _lookup.TryGetValue(token, out var id) ? id : Fresh;

    /// <summary>The id of <paramref name="token"/>, entered in the table if absent.</summary>
    public int Enter(ReadOnlySpan<char> token)
    {
        if (_lookup.TryGetValue(token, out var id)) return id;
        id = _free.Count > 0 ? _free.Pop() : _next++;
        if (id >= _text.Length)
        {
            int n = _text.Length * 2;
            Array.Resize(ref _text, n);
            Array.Resize(ref _refs, n);
            Array.Resize(ref _post, n);
            Array.Resize(ref _postCount, n);
        }
        var s = token.ToString();
        _text[id] = s;
        _ids[s] = id;
        return id;
    }

    public string Text(int id) => _text[id]!;

    /// <summary>Number of template positions holding token <paramref name="id"/>.</summary>
    public int Refs(int id) => _refs[id];

    /// <summary>Number of postings of <paramref name="id"/>, stale ones included (an upper bound of the live ones).</summary>
    public int PostingCount(int id) => id > WildcardText ? _postCount[id] : 0;

    public ReadOnlySpan<Posting> Postings(int id) => id > WildcardText ? _post[id].AsSpan(0, _postCount[id]) : default;

    /// <summary>Group <paramref name="g"/> holds token <paramref name="id"/> at <paramref name="position"/>.</summary>
    public void Post(int id, Drain.Group g, int position)
    {
        _refs[id]++;
        var list = _post[id];
        int count = _postCount[id];
        if (list is null) _post[id] = list = new Posting[1];
        else if (count == list.Length)
        {
            count = Compact(list, count, id);
            if (count * 2 > list.Length) { Array.Resize(ref list, list.Length * 2); _post[id] = list; }
        }
        list[count] = new Posting(g, position);
        _postCount[id] = count + 1;
    }

    /// <summary>A template position stops holding token <paramref name="id"/> (its posting goes stale).</summary>
    public void Unref(int id) => _refs[id]--;

    /// <summary>A posting is live while its group is held and its template still has the token there.</summary>
    public static bool Live(in Posting p, int id) => !p.Group.Evicted && p.Group.Template[p.Position] == id;

    private static int Compact(Posting[] list, int count, int id)
    {
        int k = 0;
        for (int i = 0; i < count; i++)
            if (Live(list[i], id)) list[k++] = list[i];
        Array.Clear(list, k, count - k);
        return k;
    }

    /// <summary>Frees the tokens no template holds once the table has grown past twice its size after the last sweep.</summary>
    public void Sweep()
    {
        if (_ids.Count < _sweepAt) return;
        foreach (var (text, id) in _ids)
        {
            if (id == WildcardText || _refs[id] > 0) continue;
            _ids.Remove(text);
            _text[id] = null;
            if (_post[id] is { } list) Array.Clear(list, 0, _postCount[id]);
            _postCount[id] = 0;
            _free.Push(id);
        }
        _sweepAt = Math.Max(4096, 2 * _ids.Count);
    }
}
