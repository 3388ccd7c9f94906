namespace Rapport.Engine.Recommendations;

/// <summary>
/// One thing a user did with an item (viewed, bought, rated), with dense int ids from an
/// <see cref="IdIndex{TKey}"/>. Time is unix seconds; weight is how much it counts (1 for a view,
/// more for a purchase, a rating).
/// </summary>
public readonly record struct Interaction(int User, int Item, long Time, float Weight = 1f);

/// <summary>Dense ids 0..Count-1 for external keys (SKUs, customer ids), in first-seen order.</summary>
public sealed class IdIndex<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, int> _ids;
    private readonly List<TKey> _keys = [];

    public IdIndex(IEqualityComparer<TKey>? comparer = null) => _ids = new Dictionary<TKey, int>(comparer);

    public int Count => _keys.Count;

    public IReadOnlyList<TKey> Keys => _keys;

    /// <summary>The id of <paramref name="key"/>, adding it if new.</summary>
    public int Add(TKey key)
    {
        if (!_ids.TryGetValue(key, out var id))
        {
            id = _keys.Count;
            _ids.Add(key, id);
            _keys.Add(key);
        }

        return id;
    }

    public bool TryGet(TKey key, out int id) => _ids.TryGetValue(key, out id);

    public TKey this[int id] => _keys[id];
}
