using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Latent;

/// <summary>
/// Prompt prefixes an agent has already read, kept as KV caches so they are prefilled once. An agent's
/// prompt up to its first message slot is the same in every round for a question (and, when no question
/// text comes before the slot, for every question): a run reads that prefix from here, stacks the
/// prefixes of its batch (<see cref="KvCache.Stack"/>) and prefills only what follows. Entries are keyed by
/// their token ids and evicted least recently used beyond a byte budget. The model is frozen, so an entry
/// never goes stale. Not thread-safe: it belongs to the agent, which one thread runs at a time.
/// </summary>
public sealed class PromptPrefixCache(CausalLM model, long maxBytes) : IDisposable
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private long _bytes;

    sealed record Entry(string Key, KvCache Cache);

    /// <summary>The byte budget; 0 = prefixes are prefilled every time (nothing is kept).</summary>
    public long MaxBytes { get; } = maxBytes;

    /// <summary>Prefixes held now.</summary>
    public int Count => _entries.Count;

    /// <summary>Bytes held now.</summary>
    public long Bytes => _bytes;

    /// <summary>Prefixes prefilled because they were not held (each costs one prefill).</summary>
    public long Misses { get; private set; }

    /// <summary>Prefixes read from here instead of being prefilled again.</summary>
    public long Hits { get; private set; }

    /// <summary>
    /// A cache of the batch's prefixes (row i has read <paramref name="prefixes"/>[i]), with room for
    /// <paramref name="extraCapacity"/> more positions; the caller disposes it. Prefixes not held are
    /// prefilled (and kept when the budget allows).
    /// </summary>
    public KvCache Stacked(IReadOnlyList<IReadOnlyList<int>> prefixes, int extraCapacity, CancellationToken cancellationToken = default)
    {
        var rows = new KvCache[prefixes.Count];
        var owned = new List<KvCache>();
        try
        {
            for (int i = 0; i < rows.Length; i++)
            {
                var (cache, kept) = Get(prefixes[i], cancellationToken);
                rows[i] = cache;
                if (!kept)
                    owned.Add(cache);
            }
            return KvCache.Stack(rows, extraCapacity);
        }
        finally
        {
            foreach (var cache in owned)
                cache.Dispose();
        }
    }

    (KvCache Cache, bool Kept) Get(IReadOnlyList<int> ids, CancellationToken cancellationToken)
    {
        string key = string.Join(",", ids);
        if (_entries.TryGetValue(key, out var node))
        {
            Hits++;
            _recency.Remove(node);
            _recency.AddFirst(node);
            return (node.Value.Cache, true);
        }
        Misses++;
        var cache = model.NewCache(1, ids.Count);
        using (var scope = NewDisposeScope())
        {
            var input = tensor(ids.Select(i => (long)i).ToArray(), device: model.Device).unsqueeze(0);
            model.Prefill(new ForwardInput { InputEmbeddings = model.Embed(input), Cache = cache }, cancellationToken: cancellationToken).Dispose();
        }
        long bytes = cache.StorageBytes;
        if (bytes > MaxBytes)
            return (cache, false);
        while (_bytes + bytes > MaxBytes && _recency.Last is { } oldest)
        {
            _recency.RemoveLast();
            _entries.Remove(oldest.Value.Key);
            _bytes -= oldest.Value.Cache.StorageBytes;
            oldest.Value.Cache.Dispose();
        }
        _entries[key] = _recency.AddFirst(new Entry(key, cache));
        _bytes += bytes;
        return (cache, true);
    }

    /// <summary>Drops every prefix held.</summary>
    public void Clear()
    {
        foreach (var entry in _recency)
            entry.Cache.Dispose();
        _recency.Clear();
        _entries.Clear();
        _bytes = 0;
    }

    public void Dispose() => Clear();
}
