using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>Rotary cos and sin tables for the new positions, each [B, 1, T, rotary_dim].</summary>
public sealed record RopeTables(Tensor Cos, Tensor Sin);

/// <summary>
/// What every layer needs for one forward call, computed once per call by <see cref="CausalLM"/>:
/// rotary tables and visibility masks per kind of layer, which new positions are real, and the cache.
/// </summary>
/// <param name="Rope">Rotary tables of the (global) attention layers.</param>
/// <param name="SlidingRope">Rotary tables of the sliding-window layers when they rotate differently (Gemma3), else null.</param>
/// <param name="FullMask">
/// [B, 1, T, S] bool (true = may attend) over every cached and new position (S = cached + T), or null when
/// every key is visible to every query (a single new position with no padding anywhere).
/// </param>
/// <param name="SlidingMask">The same with the sliding window applied; null when no layer slides or nothing needs hiding.</param>
/// <param name="Real">[B, T] bool: which new positions are real tokens (not padding).</param>
/// <param name="HasPadding">True when some new position is padding.</param>
/// <param name="Cache">Where keys, values and recurrent states are kept, or null for a cache-free forward.</param>
public sealed record AttentionContext(
    RopeTables Rope, RopeTables? SlidingRope, Tensor? FullMask, Tensor? SlidingMask, Tensor Real, bool HasPadding, KvCache? Cache)
{
    /// <summary>
    /// Where the layers get the real positions packed into one row (<see cref="PackedPositions"/>) instead of
    /// [B, T, hidden]; null = the padded layout.
    /// </summary>
    public PackedPositions? Packed { get; init; }

    /// <summary>The rotary tables of a layer of <paramref name="kind"/>.</summary>
    public RopeTables RopeFor(LayerKind kind) => kind == LayerKind.SlidingAttention ? SlidingRope ?? Rope : Rope;

    /// <summary>The mask of a layer of <paramref name="kind"/> over all S positions.</summary>
    public Tensor? MaskFor(LayerKind kind) => kind == LayerKind.SlidingAttention ? SlidingMask : FullMask;

    int[]? _leftPaddedLengths;
    bool _leftPaddedRead;

    /// <summary>
    /// With padding, each row's number of real new positions when they are its last ones (left padding),
    /// else null; read from <see cref="Real"/> once per forward call, for every layer that asks.
    /// </summary>
    public int[]? LeftPaddedLengths()
    {
        if (!HasPadding)
            return null;
        if (!_leftPaddedRead)
        {
            _leftPaddedLengths = HostReads.RealSuffixLengths(Real);
            _leftPaddedRead = true;
        }
        return _leftPaddedLengths;
    }
}
