using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// Several projections of the same input (q, k, v; or gate, up) stored in ONE weight matrix, so a
/// forward pass runs one matmul instead of several — at batch size 1 (decoding, latent rollouts) a
/// step is bound by reading weights and by per-call overhead, and one large matmul does better on
/// both. The checkpoint still sees separate <see cref="Projection"/>s: each part's parameters are
/// views of a slice of the shared storage, so loading <c>q_proj.weight</c> fills the fused matrix.
/// Not a module and not a tensor field, so TorchSharp does not register the shared storage as a buffer.
/// </summary>
public sealed class FusedProjection : IDisposable
{
    private readonly Tensor _weight;
    private readonly Tensor? _bias;
    private readonly long[] _widths;

    /// <param name="outFeatures">Output width of each part, in order.</param>
    public FusedProjection(long inFeatures, IReadOnlyList<long> outFeatures, bool hasBias, ScalarType dtype, Device device)
    {
        _widths = [.. outFeatures];
        long total = _widths.Sum();
        _weight = empty(total, inFeatures, dtype, device).DetachFromDisposeScope();
        if (hasBias)
            _bias = zeros(total, dtype, device).DetachFromDisposeScope();
    }

    /// <summary>A <see cref="Projection"/> named <paramref name="name"/> whose parameters are part <paramref name="index"/> of the fused storage.</summary>
    public Projection Part(string name, int index)
    {
        long start = _widths.Take(index).Sum();
        var weight = _weight.narrow(0, start, _widths[index]);
        var bias = _bias?.narrow(0, start, _widths[index]);
        return new Projection(name, weight, bias);
    }

    /// <summary>All parts at once: x [..., in] → one tensor per part [..., out_i].</summary>
    public Tensor[] Forward(Tensor x) => nn.functional.linear(x, _weight, _bias).split(_widths, -1);

    public void Dispose()
    {
        _weight.Dispose();
        _bias?.Dispose();
    }
}
