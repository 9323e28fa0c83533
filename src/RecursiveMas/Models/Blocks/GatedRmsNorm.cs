using RecursiveMas.Models.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// The Gated DeltaNet output norm (Qwen3.5's <c>linear_attn.norm</c>): per value head,
/// y = cast(w · cast(x / rms(x)) · silu(gate)), the silu in float32. Its weight is a plain scale (not zero-centred).
/// </summary>
public sealed class GatedRmsNorm : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly Parameter weight;
#pragma warning restore IDE1006
    private readonly double _eps;

    public GatedRmsNorm(string name, long size, double eps, ScalarType dtype, Device device) : base(name)
    {
        weight = new Parameter(ones(size, dtype, device), requires_grad: false);
        _eps = eps;
        RegisterComponents();
    }

    /// <summary>The [size] scale.</summary>
    public Parameter Weight => weight;

    /// <summary>x and gate [..., size] → [..., size] in x's dtype.</summary>
    public Tensor Forward(Tensor x, Tensor gate)
    {
        using var scope = NewDisposeScope();
        // Each row alone where the kernel runs: libtorch's mean over a value head's few channels sums several
        // rows at once, so a row's bits followed the batch.
        var normalized = (RmsNormKernel.TryUnitRms(x, _eps) ?? RmsNorm.Normalize(x, _eps)).to(x.dtype);
        var scaled = weight * normalized;
        var gateInput = gate.to(RmsNorm.ComputeType(x.dtype));
        var silu = gateInput.dim() >= 2 && SwiGluKernel.TrySilu(gateInput.reshape(-1, 1, gateInput.size(-1))) is { } rows
            ? rows.view(gateInput.Sizes())
            : nn.functional.silu(gateInput);
        var gated = scaled * silu;
        return gated.to(x.dtype).MoveToOuterDisposeScope();
    }
}
