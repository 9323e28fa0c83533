namespace RecursiveMas.Models;

/// <summary>
/// What a step's new position may see in one attention layer's cache, as raw storage (the decoder's step
/// path reads it in place): keys and values [B, KV, <see cref="Visible"/>, hd] at the given strides, each
/// position's head dim contiguous, from cache index <see cref="Start"/> on (after a sliding window's cut).
/// </summary>
internal readonly unsafe struct StepKeysValues(float* keys, float* values, long batchStride, long headStride, long positionStride, long start, long visible)
{
    public float* Keys { get; } = keys;

    public float* Values { get; } = values;

    public long BatchStride { get; } = batchStride;

    public long HeadStride { get; } = headStride;

    public long PositionStride { get; } = positionStride;

    public long Start { get; } = start;

    public long Visible { get; } = visible;
}
