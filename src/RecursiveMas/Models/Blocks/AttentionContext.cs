using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// What every layer's attention needs for one forward call, computed once per call by
/// <see cref="CausalLM"/>: rotary tables for the new positions and which keys each query may see.
/// </summary>
/// <param name="Cos">[B, 1, T, head_dim] rotary cosines.</param>
/// <param name="Sin">[B, 1, T, head_dim] rotary sines.</param>
/// <param name="Mask">
/// [B, 1, T, S] bool (true = may attend), or null when every key is visible to every query
/// (a single new position with no padding anywhere).
/// </param>
/// <param name="Cache">Where keys and values are appended, or null for a cache-free forward.</param>
public sealed record AttentionContext(Tensor Cos, Tensor Sin, Tensor? Mask, KvCache? Cache);
