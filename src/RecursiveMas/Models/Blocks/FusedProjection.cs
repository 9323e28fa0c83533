using RecursiveMas.Models.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// Several projections of the same input (q, k, v; or gate, up) stored in ONE weight matrix, so a
/// forward pass runs one matmul instead of several — at batch size 1 (decoding, latent rollouts) a
/// step is bound by reading weights and by per-call overhead, and one large matmul does better on
/// both. The checkpoint still sees separate <see cref="Projection"/>s: each part's parameters are
/// views of a slice of the shared storage, so loading <c>q_proj.weight</c> fills the fused matrix.
/// Not a module, so TorchSharp registers neither the shared storage nor a second copy of it.
/// </summary>
/// <remarks>
/// Forward reads the shared storage, not the views: gradients land on <see cref="Storage"/>, never on the
/// parts' parameters. Whatever trains the weights (pre-training) must optimise <see cref="Storage"/>;
/// the parts see every in-place update because they alias it, so saving by part name stays correct.
/// </remarks>
public sealed class FusedProjection : IDisposable
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
    private readonly long[] _widths;
    private readonly List<Projection> _parts = [];

    /// <param name="outFeatures">Output width of each part, in order.</param>
    public FusedProjection(long inFeatures, IReadOnlyList<long> outFeatures, bool hasBias, ScalarType dtype, Device device)
    {
        _widths = [.. outFeatures];
        long total = _widths.Sum();
        // Owned here for the model's lifetime: out of any dispose scope the model is built in.
        _weight = (Parameter)new Parameter(zeros(total, inFeatures, dtype, device), requires_grad: false).DetachFromDisposeScope();
        if (hasBias)
            _bias = (Parameter)new Parameter(zeros(total, dtype, device), requires_grad: false).DetachFromDisposeScope();
    }

    /// <summary>A <see cref="Projection"/> named <paramref name="name"/> whose parameters are part <paramref name="index"/> of the fused storage.</summary>
    public Projection Part(string name, int index)
    {
        if (index != _parts.Count)
            throw new ArgumentException($"parts are taken in order: expected part {_parts.Count}, got {index}", nameof(index));
        long start = _widths.Take(index).Sum();
        var weight = _weight.narrow(0, start, _widths[index]);
        var bias = _bias?.narrow(0, start, _widths[index]);
        var part = new Projection(name, weight, bias);
        _parts.Add(part);
        return part;
    }

    /// <summary>The tensors that hold the weights (the fused weight, then the fused bias if any): what training optimises.</summary>
    public IReadOnlyList<Parameter> Storage => _bias is null ? [_weight] : [_weight, _bias];

    /// <summary>The checkpoint-named views handed out by <see cref="Part"/>.</summary>
    public IReadOnlyList<Projection> Parts => _parts;

    /// <summary>All parts at once: x [..., in] → one tensor per part [..., out_i] (each plus its part's LoRA update, if any).</summary>
    public Tensor[] Forward(Tensor x)
    {
        var fused = CpuLinear.Linear(x, _weight, _bias);
        long start = 0;
        for (int i = 0; i < _parts.Count; i++)
        {
            // Added in place into the part's slice, so the parts stay views of one output with the layout
            // they have without adapters (a zero update then changes no bit downstream).
            if (_parts[i].Lora is { } lora)
            {
                using var delta = lora.Delta(x);
                using var slice = fused.narrow(-1, start, _widths[i]);
                slice.PlusInPlace(delta);
            }
            start += _widths[i];
        }
        return fused.split(_widths, -1);
    }

    public void Dispose()
    {
        _weight.Dispose();
        _bias?.Dispose();
    }
}
