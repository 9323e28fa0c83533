using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// Keys and values of every layer for the positions a <see cref="CausalLM"/> has already read, plus,
/// per row, which cached positions are real (not padding) and the next position id. One forward
/// call appends T positions to all layers; <see cref="Clone"/> and <see cref="Truncate"/> let a
/// caller prefill a shared prompt prefix once and branch from it.
/// </summary>
/// <remarks>
/// Storage is preallocated with spare capacity and filled in place, so a latent rollout or a
/// decode loop appends one position without copying the whole cache. When the appended keys
/// carry autograd history (training through a frozen model into the links), in-place writes
/// would invalidate tensors saved for backward, so those appends concatenate into new tensors.
/// </remarks>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;
    private Tensor _keyMask;      // [B, capacity] bool: cached position is a real token
    private Tensor _positions;    // [B, capacity] int64: position id of each cached position
    private Tensor _nextPosition; // [B] int64
    private bool _hasPadding;
    private int _capacity;

    /// <summary>An empty cache for <paramref name="batchSize"/> rows of a model with <paramref name="layerCount"/> layers.</summary>
    public KvCache(int layerCount, int batchSize, Device? device = null, int initialCapacity = 64)
    {
        if (layerCount <= 0) throw new ArgumentOutOfRangeException(nameof(layerCount));
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize));
        LayerCount = layerCount;
        BatchSize = batchSize;
        Device = device ?? CPU;
        _keys = new Tensor?[layerCount];
        _values = new Tensor?[layerCount];
        _capacity = Math.Max(1, initialCapacity);
        _keyMask = zeros(batchSize, _capacity, ScalarType.Bool, Device).DetachFromDisposeScope();
        _positions = zeros(batchSize, _capacity, ScalarType.Int64, Device).DetachFromDisposeScope();
        _nextPosition = zeros(batchSize, ScalarType.Int64, Device).DetachFromDisposeScope();
    }

    /// <summary>Number of layers.</summary>
    public int LayerCount { get; }

    /// <summary>Number of rows.</summary>
    public int BatchSize { get; }

    /// <summary>Where the cache lives.</summary>
    public Device Device { get; }

    /// <summary>Number of cached positions (padding included).</summary>
    public int Length { get; private set; }

    /// <summary>True when some cached position of some row is padding.</summary>
    public bool HasPadding => _hasPadding;

    /// <summary>[B, Length] bool view: which cached positions are real tokens.</summary>
    public Tensor KeyMask => _keyMask.narrow(1, 0, Length);

    /// <summary>[B, Length] int64 view: the position id of each cached position.</summary>
    public Tensor Positions => _positions.narrow(1, 0, Length);

    /// <summary>[B] int64: the position id the next real token of each row gets.</summary>
    public Tensor NextPosition => _nextPosition;

    /// <summary>
    /// Stores k, v [B, kv_heads, T, head_dim] of <paramref name="layer"/> after the cached positions and
    /// returns all keys and values [B, kv_heads, Length + T, head_dim]. <see cref="Commit"/> must follow
    /// once every layer has written.
    /// </summary>
    internal (Tensor Keys, Tensor Values) Write(int layer, Tensor k, Tensor v)
    {
        int t = (int)k.shape[2];
        _keys[layer] = Append(_keys[layer], k, t);
        _values[layer] = Append(_values[layer], v, t);
        return (_keys[layer]!.narrow(2, 0, Length + t), _values[layer]!.narrow(2, 0, Length + t));
    }

    Tensor Append(Tensor? store, Tensor update, int t)
    {
        if (update.requires_grad || (store is not null && store.requires_grad))
        {
            // Differentiable path: a new tensor per append, nothing saved for backward is overwritten.
            var grown = store is null ? update.clone() : cat([store.narrow(2, 0, Length), update], 2);
            store?.Dispose();
            return grown.DetachFromDisposeScope();
        }
        int needed = Length + t;
        if (store is null || store.shape[2] < needed || store.dtype != update.dtype)
        {
            long capacity = Math.Max(needed, Math.Max(_capacity, store is null ? 0 : 2 * store.shape[2]));
            var bigger = empty([update.shape[0], update.shape[1], capacity, update.shape[3]], update.dtype, update.device);
            if (store is not null && Length > 0)
                bigger.narrow(2, 0, Length).copy_(store.narrow(2, 0, Length));
            store?.Dispose();
            store = bigger.DetachFromDisposeScope();
        }
        store.narrow(2, Length, t).copy_(update);
        return store;
    }

    /// <summary>Records the mask and position ids [B, T] of the positions just written and advances <see cref="Length"/>.</summary>
    /// <param name="allReal">The caller knows every position is real (no mask was given), so nothing is read back.</param>
    internal void Commit(Tensor mask, Tensor positions, bool allReal = false)
    {
        int t = (int)mask.shape[1];
        EnsureBookkeepingCapacity(Length + t);
        using (no_grad())
        using (NewDisposeScope())
        {
            _keyMask.narrow(1, Length, t).copy_(mask);
            _positions.narrow(1, Length, t).copy_(positions);
            var newest = positions.masked_fill(mask.logical_not(), -1).max(1).values + 1;
            _nextPosition.copy_(_nextPosition.maximum(newest));
            if (!_hasPadding && !allReal)
                _hasPadding = !HostReads.AllReal(mask);
        }
        Length += t;
    }

    void EnsureBookkeepingCapacity(int needed)
    {
        if (needed <= _keyMask.shape[1])
            return;
        long capacity = Math.Max(needed, 2 * _keyMask.shape[1]);
        _keyMask = Grow(_keyMask, capacity);
        _positions = Grow(_positions, capacity);
        _capacity = (int)capacity;
    }

    Tensor Grow(Tensor old, long capacity)
    {
        var bigger = zeros(old.shape[0], capacity, old.dtype, old.device);
        bigger.narrow(1, 0, Length).copy_(old.narrow(1, 0, Length));
        old.Dispose();
        return bigger.DetachFromDisposeScope();
    }

    /// <summary>
    /// Drops every cached position from <paramref name="length"/> on, so the cache holds exactly what
    /// it held after reading that many positions (e.g. a shared prompt prefix).
    /// </summary>
    public void Truncate(int length)
    {
        if (length < 0 || length > Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"cannot truncate a cache of length {Length} to {length}");
        Length = length;
        using (no_grad())
        using (NewDisposeScope())
        {
            var mask = KeyMask;
            var newest = length == 0
                ? zeros(BatchSize, ScalarType.Int64, Device)
                : Positions.masked_fill(mask.logical_not(), -1).max(1).values + 1;
            _nextPosition.copy_(newest);
            _hasPadding = length > 0 && !HostReads.AllReal(mask);
        }
        for (int i = 0; i < LayerCount; i++)
        {
            // Autograd-carrying stores were grown by concatenation and have no spare room to reuse.
            if (_keys[i] is { requires_grad: true })
            {
                ReplaceWithNarrow(_keys, i, length);
                ReplaceWithNarrow(_values, i, length);
            }
        }
    }

    void ReplaceWithNarrow(Tensor?[] stores, int layer, int length)
    {
        var old = stores[layer]!;
        stores[layer] = old.narrow(2, 0, length).DetachFromDisposeScope();
        old.Dispose();
    }

    /// <summary>An independent copy (same length, own storage) that can be extended without touching this one.</summary>
    public KvCache Clone(int extraCapacity = 64)
    {
        var copy = new KvCache(LayerCount, BatchSize, Device, Length + extraCapacity);
        using (no_grad())
        {
            copy._keyMask.narrow(1, 0, Length).copy_(KeyMask);
            copy._positions.narrow(1, 0, Length).copy_(Positions);
            copy._nextPosition.copy_(_nextPosition);
        }
        for (int i = 0; i < LayerCount; i++)
        {
            copy._keys[i] = CopyStore(_keys[i], Length + extraCapacity);
            copy._values[i] = CopyStore(_values[i], Length + extraCapacity);
        }
        copy.Length = Length;
        copy._hasPadding = _hasPadding;
        return copy;
    }

    Tensor? CopyStore(Tensor? store, int capacity)
    {
        if (store is null)
            return null;
        if (store.requires_grad)
            return store.narrow(2, 0, Length).clone().DetachFromDisposeScope();
        var copy = empty([store.shape[0], store.shape[1], capacity, store.shape[3]], store.dtype, store.device);
        copy.narrow(2, 0, Length).copy_(store.narrow(2, 0, Length));
        return copy.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        for (int i = 0; i < LayerCount; i++)
        {
            _keys[i]?.Dispose();
            _values[i]?.Dispose();
            _keys[i] = _values[i] = null;
        }
        _keyMask.Dispose();
        _positions.Dispose();
        _nextPosition.Dispose();
    }
}
