using RecursiveMas.Models.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// What a <see cref="CausalLM"/> keeps of the positions it has already read, one entry per layer: keys and
/// values for attention layers (only the window for sliding-window layers), the convolution and recurrent
/// states for Gated DeltaNet layers; plus, per row, which cached positions are real (not padding) and the
/// next position id. One forward call appends T positions to all layers; <see cref="Clone"/> and
/// <see cref="Truncate"/> let a caller prefill a shared prompt prefix once and branch from it.
/// </summary>
/// <remarks>
/// <para>Key/value storage is preallocated with spare capacity and filled in place, so a latent rollout or a
/// decode loop appends one position without copying the whole cache. When the appended keys carry autograd
/// history (training through a frozen model into the links), in-place writes would invalidate tensors saved
/// for backward, so those appends concatenate into new tensors; recurrent states are always replaced, never
/// written in place.</para>
/// <para>A sliding-window layer of window W needs only the last W − 1 cached positions; it stores at most
/// about 2·W (the window plus room to append without copying) and drops older ones.</para>
/// <para>A recurrent state cannot be rewound. <see cref="Truncate"/> of a model with DeltaNet layers works to
/// the lengths saved by <see cref="MarkTruncationPoint"/> (and to 0); a sliding-window layer can truncate
/// only within the window it still holds. Clone before extending when in doubt: clones always work.</para>
/// </remarks>
public sealed class KvCache : IDisposable
{
    private readonly LayerCache[] _layers;
    private Tensor _keyMask;      // [B, capacity] bool: cached position is a real token
    private Tensor _positions;    // [B, capacity] int64: position id of each cached position
    private Tensor _nextPosition; // [B] int64
    private bool _hasPadding;
    private int _capacity;

    /// <summary>An empty cache for <paramref name="batchSize"/> rows of a model with <paramref name="layerCount"/> full-attention layers.</summary>
    public KvCache(int layerCount, int batchSize, Device? device = null, int initialCapacity = 64)
        : this(Enumerable.Repeat(LayerKind.FullAttention, Math.Max(0, layerCount)).ToArray(), null, batchSize, device, initialCapacity)
    {
        if (layerCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(layerCount));
    }

    /// <summary>An empty cache for layers of the given kinds; <paramref name="slidingWindow"/> is the window of the sliding layers.</summary>
    public KvCache(IReadOnlyList<LayerKind> layers, int? slidingWindow, int batchSize, Device? device = null, int initialCapacity = 64)
    {
        if (layers.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(layers));
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize));
        if (layers.Contains(LayerKind.SlidingAttention) && slidingWindow is not > 0)
            throw new ArgumentException("sliding-window layers need a positive window", nameof(slidingWindow));
        LayerCount = layers.Count;
        BatchSize = batchSize;
        Device = device ?? CPU;
        _capacity = Math.Max(1, initialCapacity);
        _layers = layers.Select(kind => kind switch
        {
            LayerKind.LinearAttention => (LayerCache)new RecurrentLayerCache(),
            LayerKind.SlidingAttention => new KeyValueLayerCache(slidingWindow),
            _ => new KeyValueLayerCache(null),
        }).ToArray();
        _keyMask = zeros(batchSize, _capacity, ScalarType.Bool, Device).DetachFromDisposeScope();
        _positions = zeros(batchSize, _capacity, ScalarType.Int64, Device).DetachFromDisposeScope();
        _nextPosition = zeros(batchSize, ScalarType.Int64, Device).DetachFromDisposeScope();
    }

    KvCache(KvCache source, int extraCapacity)
    {
        LayerCount = source.LayerCount;
        BatchSize = source.BatchSize;
        Device = source.Device;
        _capacity = source.Length + extraCapacity;
        _layers = source._layers.Select(l => l.Clone(source.Length, extraCapacity)).ToArray();
        _keyMask = zeros(BatchSize, Math.Max(1, _capacity), ScalarType.Bool, Device).DetachFromDisposeScope();
        _positions = zeros(BatchSize, Math.Max(1, _capacity), ScalarType.Int64, Device).DetachFromDisposeScope();
        _nextPosition = source._nextPosition.clone().DetachFromDisposeScope();
        using (no_grad())
        {
            _keyMask.narrow(1, 0, source.Length).copy_(source.KeyMask);
            _positions.narrow(1, 0, source.Length).copy_(source.Positions);
        }
        Length = source.Length;
        _hasPadding = source._hasPadding;
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

    /// <summary>The positions of <paramref name="layer"/>'s key/value storage (what it can hold without growing); 0 for a recurrent layer.</summary>
    internal long StorageCapacity(int layer) => _layers[layer] is KeyValueLayerCache kv ? kv.Capacity : 0;

    /// <summary>
    /// Stores k, v [B, kv_heads, T, head_dim] of attention layer <paramref name="layer"/> after the cached
    /// positions and returns the keys and values the new positions may need [B, kv_heads, Length + T − Start, head_dim]:
    /// all of them, or for a sliding-window layer those from cache index Start on. <see cref="Commit"/> must
    /// follow once every layer has written.
    /// </summary>
    internal (Tensor Keys, Tensor Values, long Start) Write(int layer, Tensor k, Tensor v) =>
        _layers[layer] is KeyValueLayerCache kv
            ? kv.Write(k, v, Length, _capacity)
            : throw new InvalidOperationException($"layer {layer} is not an attention layer");

    /// <summary>
    /// <see cref="Write"/> for the decoder's step path (one new position per row, raw rows in k and v [B, KV, 1, hd]);
    /// null where that path cannot write (a cache holding a gradient), and the caller writes through <see cref="Write"/>.
    /// </summary>
    internal StepKeysValues? WriteStep(int layer, Tensor k, Tensor v) =>
        _layers[layer] is KeyValueLayerCache { WritesRaw: true } kv ? kv.WriteStep(k, v, Length, _capacity) : null;

    /// <summary>The convolution and recurrent states of DeltaNet layer <paramref name="layer"/>, or null before its first position.</summary>
    internal (Tensor Conv, Tensor Recurrent)? ReadLinear(int layer) => Recurrent(layer).State;

    /// <summary>Replaces the states of DeltaNet layer <paramref name="layer"/> (the cache takes ownership).</summary>
    internal void WriteLinear(int layer, Tensor conv, Tensor recurrent) => Recurrent(layer).Replace(conv, recurrent);

    RecurrentLayerCache Recurrent(int layer) =>
        _layers[layer] as RecurrentLayerCache ?? throw new InvalidOperationException($"layer {layer} is not a linear-attention layer");

    /// <summary>Records the mask and position ids [B, T] of the positions just written and advances <see cref="Length"/>.</summary>
    /// <param name="allReal">The caller knows every position is real (no mask was given), so nothing is read back.</param>
    internal void Commit(Tensor mask, Tensor positions, bool allReal = false)
    {
        int t = (int)mask.size(1);
        EnsureBookkeepingCapacity(Length + t);
        using (no_grad())
        using (NewDisposeScope())
        {
            _keyMask.narrow(1, Length, t).copy_(mask);
            _positions.narrow(1, Length, t).copy_(positions);
            var newest = positions.Filled(mask.logical_not(), -1L).max(1).values.Plus(1);
            _nextPosition.copy_(_nextPosition.maximum(newest));
            if (!_hasPadding && !allReal)
                _hasPadding = !HostReads.AllReal(mask);
        }
        Length += t;
        foreach (var layer in _layers)
            layer.Committed(Length);
    }

    void EnsureBookkeepingCapacity(int needed)
    {
        if (needed <= _keyMask.size(1))
            return;
        long capacity = Math.Max(needed, 2 * _keyMask.size(1));
        _keyMask = Grow(_keyMask, capacity);
        _positions = Grow(_positions, capacity);
        _capacity = (int)capacity;
    }

    Tensor Grow(Tensor old, long capacity)
    {
        var bigger = zeros(old.size(0), capacity, old.dtype, old.device);
        bigger.narrow(1, 0, Length).copy_(old.narrow(1, 0, Length));
        old.Dispose();
        return bigger.DetachFromDisposeScope();
    }

    /// <summary>
    /// Remembers the DeltaNet layers' states at the current length so that <see cref="Truncate"/> can return
    /// here (e.g. after a shared prompt prefix). Costs one copy of the recurrent states; attention layers need nothing.
    /// </summary>
    public void MarkTruncationPoint()
    {
        foreach (var layer in _layers)
            layer.Mark(Length);
    }

    /// <summary>
    /// Drops every cached position from <paramref name="length"/> on, so the cache holds exactly what
    /// it held after reading that many positions (e.g. a shared prompt prefix).
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// A DeltaNet layer has no state saved at <paramref name="length"/> (see <see cref="MarkTruncationPoint"/>),
    /// or a sliding-window layer no longer holds the keys that length needs.
    /// </exception>
    public void Truncate(int length)
    {
        if (length < 0 || length > Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"cannot truncate a cache of length {Length} to {length}");
        if (length == Length)
            return;
        foreach (var layer in _layers)
            layer.CheckTruncation(length, Length);
        foreach (var layer in _layers)
            layer.Truncate(length, Length);
        Length = length;
        using (no_grad())
        using (NewDisposeScope())
        {
            var mask = KeyMask;
            var newest = length == 0
                ? zeros(BatchSize, ScalarType.Int64, Device)
                : Positions.Filled(mask.logical_not(), -1L).max(1).values.Plus(1);
            _nextPosition.copy_(newest);
            _hasPadding = length > 0 && !HostReads.AllReal(mask);
        }
    }

    /// <summary>An independent copy (same length, own storage) that can be extended without touching this one.</summary>
    public KvCache Clone(int extraCapacity = 64) => new(this, extraCapacity);

    /// <summary>
    /// One cache of <paramref name="rows"/>.Count rows from single-row caches of the same model (e.g. each
    /// question's prompt prefix), left-padded to the longest: row i holds exactly what <c>rows[i]</c> holds,
    /// behind padding its key mask hides, with its own position ids, so extending row i gives what
    /// extending <c>rows[i]</c> alone gives. The sources are not changed.
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// More than one row of a model with sliding-window layers (whose window counts cache positions, so the
    /// padding a stack puts between a prefix and what follows would move it), or a DeltaNet layer without state.
    /// </exception>
    public static KvCache Stack(IReadOnlyList<KvCache> rows, int extraCapacity = 64)
    {
        if (rows.Count == 0)
            throw new ArgumentException("no rows to stack", nameof(rows));
        var first = rows[0];
        if (rows.Any(r => r.BatchSize != 1 || r.LayerCount != first.LayerCount || r.Length == 0))
            throw new ArgumentException("only non-empty single-row caches of one model can be stacked", nameof(rows));
        if (rows.Count > 1 && first._layers.Any(l => l is KeyValueLayerCache { IsSliding: true }))
            throw new NotSupportedException(
                "caches of a model with sliding-window layers cannot be stacked: the window counts cache positions, so padding between a row's prefix and what follows would move it");
        int length = rows.Max(r => r.Length);
        var lengths = rows.Select(r => r.Length).ToArray();
        using var noGrad = no_grad();
        using var temporaries = NewDisposeScope();
        return new KvCache(first, rows, lengths, length, extraCapacity);
    }

    KvCache(KvCache first, IReadOnlyList<KvCache> rows, int[] lengths, int length, int extraCapacity)
    {
        LayerCount = first.LayerCount;
        BatchSize = rows.Count;
        Device = first.Device;
        _capacity = length + extraCapacity;
        _layers = new LayerCache[LayerCount];
        for (int l = 0; l < LayerCount; l++)
            _layers[l] = first._layers[l] switch
            {
                KeyValueLayerCache kv => kv.Stack([.. rows.Select(r => (KeyValueLayerCache)r._layers[l])], lengths, length, extraCapacity),
                RecurrentLayerCache => RecurrentLayerCache.Stack([.. rows.Select(r => (RecurrentLayerCache)r._layers[l])]),
                _ => throw new InvalidOperationException("unknown layer cache"),
            };
        _keyMask = zeros(BatchSize, Math.Max(1, _capacity), ScalarType.Bool, Device).DetachFromDisposeScope();
        _positions = zeros(BatchSize, Math.Max(1, _capacity), ScalarType.Int64, Device).DetachFromDisposeScope();
        // clone: cat of a single tensor may hand back that tensor, and Commit updates this one in place.
        _nextPosition = cat([.. rows.Select(r => r._nextPosition)], 0).clone().DetachFromDisposeScope();
        for (int i = 0; i < rows.Count; i++)
        {
            _keyMask[i].narrow(0, length - lengths[i], lengths[i]).copy_(rows[i].KeyMask[0]);
            _positions[i].narrow(0, length - lengths[i], lengths[i]).copy_(rows[i].Positions[0]);
        }
        Length = length;
        _hasPadding = rows.Any(r => r._hasPadding) || lengths.Any(n => n < length);
    }

    /// <summary>Bytes of key/value and recurrent storage this cache holds (its footprint in a prefix store).</summary>
    public long StorageBytes => _layers.Sum(l => l.Bytes);

    public void Dispose()
    {
        foreach (var layer in _layers)
            layer.Dispose();
        _keyMask.Dispose();
        _positions.Dispose();
        _nextPosition.Dispose();
    }

    /// <summary>One layer's share of the cache.</summary>
    abstract class LayerCache : IDisposable
    {
        public abstract long Bytes { get; }
        public virtual void Committed(int length) { }
        public virtual void Mark(int length) { }
        public abstract void CheckTruncation(int length, int current);
        public abstract void Truncate(int length, int current);
        public abstract LayerCache Clone(int length, int extraCapacity);
        public abstract void Dispose();
    }

    /// <summary>Keys and values of an attention layer; with a window, only the positions the window can still reach.</summary>
    sealed class KeyValueLayerCache(int? window) : LayerCache
    {
        Tensor? _keys, _values;  // [B, KV, capacity, hd]; storage index i holds cache index _offset + i
        long _offset;

        public long Capacity => _keys?.size(2) ?? 0;

        public bool IsSliding => window is not null;

        public override long Bytes => _keys is null ? 0 : 2 * _keys.NumberOfElements * _keys.ElementSize;

        /// <summary>
        /// The rows' keys and values, row i right-aligned at <paramref name="length"/> behind zeros. A sliding
        /// layer keeps what the window can still reach from <paramref name="length"/>; every row still holds
        /// that part (it dropped only positions further back), and positions a short row never had are padding.
        /// </summary>
        public KeyValueLayerCache Stack(IReadOnlyList<KeyValueLayerCache> rows, int[] lengths, int length, int extraCapacity)
        {
            var like = rows.FirstOrDefault(r => r._keys is not null)?._keys;
            long offset = FirstNeeded(length);
            var copy = new KeyValueLayerCache(window) { _offset = offset };
            if (like is null)
                return copy;
            long held = length - offset;
            long capacity = window is int w ? Math.Max(held + extraCapacity, 2L * w) : held + extraCapacity;
            copy._keys = zeros([rows.Count, like.size(1), capacity, like.size(3)], like.dtype, like.device).DetachFromDisposeScope();
            copy._values = zeros([rows.Count, like.size(1), capacity, like.size(3)], like.dtype, like.device).DetachFromDisposeScope();
            for (int i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                long shift = length - lengths[i];                       // row index j sits at stacked index j + shift
                long from = Math.Max(row._offset, offset - shift);        // first row index the stack still needs
                long count = lengths[i] - from;
                if (count <= 0)
                    continue;
                copy._keys[i].narrow(1, from + shift - offset, count).copy_(row._keys![0].narrow(1, from - row._offset, count));
                copy._values[i].narrow(1, from + shift - offset, count).copy_(row._values![0].narrow(1, from - row._offset, count));
            }
            return copy;
        }

        /// <summary>The first cache index the next positions can see (everything without a window).</summary>
        long FirstNeeded(long length) => window is int w ? Math.Max(0, length - (w - 1)) : 0;

        public (Tensor, Tensor, long) Write(Tensor k, Tensor v, int length, int capacityHint)
        {
            long t = k.size(2);
            long start = FirstNeeded(length);
            if (k.requires_grad || (_keys is not null && _keys.requires_grad))
            {
                // Differentiable path: a new tensor per append, nothing saved for backward is overwritten.
                _keys = Concatenate(_keys, k, start, length);
                _values = Concatenate(_values, v, start, length);
                _offset = start;
                return (_keys, _values, start);
            }
            MakeRoom(k, t, start, length, capacityHint);
            _keys!.narrow(2, length - _offset, t).copy_(k);
            _values!.narrow(2, length - _offset, t).copy_(v);
            long visible = length + t - start;
            return (_keys.narrow(2, start - _offset, visible), _values.narrow(2, start - _offset, visible), start);
        }

        /// <summary>Storage for <paramref name="t"/> more positions after <paramref name="length"/>, relocated (keeping cache indices from <paramref name="start"/>) when full.</summary>
        void MakeRoom(Tensor like, long t, long start, int length, int capacityHint)
        {
            if (_keys is not null && length + t - _offset <= _keys.size(2) && _keys.dtype == like.dtype)
                return;
            long keep = length - start;
            long capacity = window is int w
                ? Math.Max(keep + t, 2L * w)
                : Math.Max(length + t, Math.Max(capacityHint, _keys is null ? 0 : 2 * _keys.size(2)));
            _keys = Relocate(_keys, like, start, keep, capacity);
            _values = Relocate(_values, like, start, keep, capacity);
            _offset = start;
        }

        /// <summary>
        /// <see cref="Write"/> for one new position per row from raw rows (the decoder's step path): k and v
        /// [B, KV, 1, hd] contiguous float32 outside autograd, copied in; the keys and values the position may see, as raw storage.
        /// </summary>
        public unsafe StepKeysValues WriteStep(Tensor k, Tensor v, int length, int capacityHint)
        {
            long start = FirstNeeded(length);
            MakeRoom(k, 1, start, length, capacityHint);
            long rows = _keys!.size(0), heads = _keys.size(1), capacity = _keys.size(2), headDim = _keys.size(3);
            float* keys = TensorData.Floats(_keys), values = TensorData.Floats(_values!), newKeys = TensorData.Floats(k), newValues = TensorData.Floats(v);
            long at = (length - _offset) * headDim;
            for (long unit = 0; unit < rows * heads; unit++)
            {
                new ReadOnlySpan<float>(newKeys + unit * headDim, (int)headDim).CopyTo(new Span<float>(keys + unit * capacity * headDim + at, (int)headDim));
                new ReadOnlySpan<float>(newValues + unit * headDim, (int)headDim).CopyTo(new Span<float>(values + unit * capacity * headDim + at, (int)headDim));
            }
            long first = (start - _offset) * headDim;
            return new StepKeysValues(keys + first, values + first, heads * capacity * headDim, capacity * headDim, headDim, start, length + 1 - start);
        }

        /// <summary>Whether <see cref="WriteStep"/> may run: nothing cached with a gradient.</summary>
        public bool WritesRaw => _keys is null || !_keys.requires_grad;

        Tensor Concatenate(Tensor? store, Tensor update, long start, long length)
        {
            var grown = store is null || length == start ? update.clone() : cat([store.narrow(2, start - _offset, length - start), update], 2);
            store?.Dispose();
            return grown.DetachFromDisposeScope();
        }

        /// <summary>New storage of <paramref name="capacity"/> positions holding cache indices [start, start + keep).</summary>
        Tensor Relocate(Tensor? store, Tensor like, long start, long keep, long capacity)
        {
            var bigger = empty([like.size(0), like.size(1), capacity, like.size(3)], like.dtype, like.device);
            if (store is not null && keep > 0)
                bigger.narrow(2, 0, keep).copy_(store.narrow(2, start - _offset, keep));
            store?.Dispose();
            return bigger.DetachFromDisposeScope();
        }

        public override void Committed(int length)
        {
            // After a long prefill a sliding layer gives back what its window can no longer reach.
            if (window is int w && _keys is not null && !_keys.requires_grad && _keys.size(2) > 2L * w)
            {
                long start = FirstNeeded(length), keep = length - start;
                _keys = Relocate(_keys, _keys, start, keep, 2L * w);
                _values = Relocate(_values, _values!, start, keep, 2L * w);
                _offset = start;
            }
        }

        public override void CheckTruncation(int length, int current)
        {
            if (window is int w && FirstNeeded(length) < _offset)
                throw new NotSupportedException(
                    $"cannot truncate to {length}: this sliding-window layer (window {w}) keeps only positions from {_offset} on; clone the cache at that length instead");
        }

        public override void Truncate(int length, int current)
        {
            // Autograd-carrying stores were grown by concatenation and have no spare room to reuse.
            if (_keys is { requires_grad: true })
            {
                _keys = Narrowed(_keys, length);
                _values = Narrowed(_values!, length);
            }
        }

        Tensor Narrowed(Tensor old, int length)
        {
            var kept = old.narrow(2, 0, length - _offset).DetachFromDisposeScope();
            old.Dispose();
            return kept;
        }

        public override LayerCache Clone(int length, int extraCapacity)
        {
            var copy = new KeyValueLayerCache(window) { _offset = _offset };
            if (_keys is null)
                return copy;
            copy._keys = CopyStore(_keys, length, extraCapacity);
            copy._values = CopyStore(_values!, length, extraCapacity);
            return copy;
        }

        Tensor CopyStore(Tensor store, int length, int extraCapacity)
        {
            long held = length - _offset;
            if (store.requires_grad)
                return store.narrow(2, 0, held).clone().DetachFromDisposeScope();
            var copy = empty([store.size(0), store.size(1), held + extraCapacity, store.size(3)], store.dtype, store.device);
            copy.narrow(2, 0, held).copy_(store.narrow(2, 0, held));
            return copy.DetachFromDisposeScope();
        }

        public override void Dispose()
        {
            _keys?.Dispose();
            _values?.Dispose();
            _keys = _values = null;
        }
    }

    /// <summary>The convolution and recurrent states of a Gated DeltaNet layer, with the states saved at marked lengths.</summary>
    sealed class RecurrentLayerCache : LayerCache
    {
        (Tensor Conv, Tensor Recurrent)? _state;
        readonly SortedDictionary<int, (Tensor Conv, Tensor Recurrent)> _marks = new();

        public (Tensor Conv, Tensor Recurrent)? State => _state;

        public override long Bytes => _state is { } s ? s.Conv.NumberOfElements * s.Conv.ElementSize + s.Recurrent.NumberOfElements * s.Recurrent.ElementSize : 0;

        /// <summary>The rows' current states side by side (a recurrent state is the same whatever padding precedes it).</summary>
        public static RecurrentLayerCache Stack(IReadOnlyList<RecurrentLayerCache> rows)
        {
            var copy = new RecurrentLayerCache();
            if (rows.Any(r => r._state is null))
                throw new NotSupportedException("a DeltaNet layer of some row has no state yet");
            // clone: cat of one tensor may hand back that tensor, and Replace disposes the state it replaces.
            copy._state = (cat([.. rows.Select(r => r._state!.Value.Conv)], 0).clone().DetachFromDisposeScope(),
                cat([.. rows.Select(r => r._state!.Value.Recurrent)], 0).clone().DetachFromDisposeScope());
            return copy;
        }

        public void Replace(Tensor conv, Tensor recurrent)
        {
            var old = _state;
            _state = (conv.DetachFromDisposeScope(), recurrent.DetachFromDisposeScope());
            old?.Conv.Dispose();
            old?.Recurrent.Dispose();
        }

        public override void Mark(int length)
        {
            if (_state is not { } s || _marks.ContainsKey(length))
                return;
            _marks[length] = (s.Conv.clone().DetachFromDisposeScope(), s.Recurrent.clone().DetachFromDisposeScope());
        }

        public override void CheckTruncation(int length, int current)
        {
            if (length != 0 && !_marks.ContainsKey(length))
                throw new NotSupportedException(
                    $"cannot truncate to {length}: a recurrent (DeltaNet) state cannot be rewound; call MarkTruncationPoint() at that length first, or clone the cache there");
        }

        public override void Truncate(int length, int current)
        {
            foreach (var later in _marks.Keys.Where(k => k > length).ToList())
            {
                _marks[later].Conv.Dispose();
                _marks[later].Recurrent.Dispose();
                _marks.Remove(later);
            }
            if (length == 0)
            {
                _state?.Conv.Dispose();
                _state?.Recurrent.Dispose();
                _state = null;
                return;
            }
            var saved = _marks[length];
            Replace(saved.Conv.clone(), saved.Recurrent.clone());
        }

        public override LayerCache Clone(int length, int extraCapacity)
        {
            var copy = new RecurrentLayerCache();
            if (_state is { } s)
                copy._state = (s.Conv.clone().DetachFromDisposeScope(), s.Recurrent.clone().DetachFromDisposeScope());
            foreach (var (at, saved) in _marks)
                copy._marks[at] = (saved.Conv.clone().DetachFromDisposeScope(), saved.Recurrent.clone().DetachFromDisposeScope());
            return copy;
        }

        public override void Dispose()
        {
            _state?.Conv.Dispose();
            _state?.Recurrent.Dispose();
            _state = null;
            foreach (var saved in _marks.Values)
            {
                saved.Conv.Dispose();
                saved.Recurrent.Dispose();
            }
            _marks.Clear();
        }
    }
}
