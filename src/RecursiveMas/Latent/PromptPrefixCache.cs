using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Latent;

/// <summary>
/// Prompt prefixes an agent has already read, kept as KV caches so they are prefilled once. An agent's
/// prompt up to its first message slot is the same in every round for a question, and its text before the
/// question (system message, role instructions) the same for every question: a run reads the prefix from here
/// — a new question's continuing the shared text, which is prefilled once (<see cref="PromptPrefix"/>) — stacks
/// the prefixes of its batch (<see cref="KvCache.Stack"/>) and prefills only what follows. Entries are keyed by
/// their token ids and evicted least recently used beyond a byte budget, never while the batch being stacked
/// reads them. The model is frozen, so an entry never goes stale. Not thread-safe: it belongs to the agent,
/// which one thread runs at a time.
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
    public KvCache Stacked(IReadOnlyList<IReadOnlyList<int>> prefixes, int extraCapacity, CancellationToken cancellationToken = default) =>
        Stacked([.. prefixes.Select(ids => new PromptPrefix(ids))], extraCapacity, cancellationToken);

    /// <summary>
    /// <see cref="Stacked(IReadOnlyList{IReadOnlyList{int}}, int, CancellationToken)"/> for prefixes whose leading
    /// ids every question shares: a prefix not held continues its shared part (held, or prefilled and kept once for
    /// all questions) instead of being read whole. With the runtime's CPU kernels a continued prefill gives the bits
    /// of the whole one (each position's products and its attention over the positions it sees do not depend on
    /// where a prefill starts), so sharing changes no answer.
    /// </summary>
    public KvCache Stacked(IReadOnlyList<PromptPrefix> prefixes, int extraCapacity, CancellationToken cancellationToken = default)
    {
        var rows = new KvCache[prefixes.Count];
        var owned = new List<KvCache>();
        try
        {
            for (int i = 0; i < rows.Length; i++)
            {
                var (cache, kept) = Get(prefixes[i], cancellationToken);
                rows[i] = cache;
                if (kept)
                    _pinned.Add(cache); // read below: keeping a later row's prefix must not evict it
                else
                    owned.Add(cache);
            }
            return KvCache.Stack(rows, extraCapacity);
        }
        finally
        {
            _pinned.Clear();
            foreach (var cache in owned)
                cache.Dispose();
        }
    }

    // Entries the batch being stacked reads; eviction passes over them.
    private readonly HashSet<KvCache> _pinned = new(ReferenceEqualityComparer.Instance);

    (KvCache Cache, bool Kept) Get(PromptPrefix prefix, CancellationToken cancellationToken)
    {
        var ids = prefix.Ids;
        string key = string.Join(",", ids);
        if (_entries.TryGetValue(key, out var node))
        {
            Hits++;
            _recency.Remove(node);
            _recency.AddFirst(node);
            return (node.Value.Cache, true);
        }
        int shared = prefix.SharedLength;
        KvCache cache;
        int start = 0;
        if (shared > 0 && shared <= ids.Count - 2)
        {
            // The question's prefix continues the text every question shares.
            var (stem, stemKept) = Get(new PromptPrefix([.. ids.Take(shared)]), cancellationToken);
            try
            {
                cache = KvCache.Stack([stem], extraCapacity: ids.Count - shared);
            }
            finally
            {
                if (!stemKept)
                    stem.Dispose();
            }
            start = shared;
        }
        else
        {
            cache = model.NewCache(1, ids.Count);
        }
        Misses++;
        try
        {
            using var scope = NewDisposeScope();
            var input = tensor(ids.Skip(start).Select(i => (long)i).ToArray(), device: model.Device).unsqueeze(0);
            model.Prefill(new ForwardInput { InputEmbeddings = model.Embed(input), Cache = cache }, cancellationToken: cancellationToken).Dispose();
        }
        catch
        {
            cache.Dispose();
            throw;
        }
        return (cache, Keep(key, cache));
    }

    /// <summary>Keeps <paramref name="cache"/> under <paramref name="key"/> when the budget allows, evicting the least recently used entries the batch does not read.</summary>
    bool Keep(string key, KvCache cache)
    {
        long bytes = cache.StorageBytes;
        if (bytes > MaxBytes)
            return false;
        long pinned = _recency.Where(e => _pinned.Contains(e.Cache)).Sum(e => e.Cache.StorageBytes);
        if (pinned + bytes > MaxBytes)
            return false; // what this batch reads leaves no room, whatever else is evicted
        for (var entry = _recency.Last; entry is not null && _bytes + bytes > MaxBytes;)
        {
            var older = entry.Previous;
            if (!_pinned.Contains(entry.Value.Cache))
            {
                _recency.Remove(entry);
                _entries.Remove(entry.Value.Key);
                _bytes -= entry.Value.Cache.StorageBytes;
                entry.Value.Cache.Dispose();
            }
            entry = older;
        }
        _entries[key] = _recency.AddFirst(new Entry(key, cache));
        _bytes += bytes;
        return true;
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
