using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// Root-mean-square layer norm, y = w · x / sqrt(mean(x²) + ε), computed in float32 and cast back
/// as the Hugging Face Llama/Qwen implementations do (so low-precision weights normalise alike).
/// </summary>
public sealed class RmsNorm : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly Parameter weight;
#pragma warning restore IDE1006
    private readonly double _eps;

    public RmsNorm(string name, long size, double eps, ScalarType dtype, Device device) : base(name)
    {
        weight = new Parameter(ones(size, dtype, device), requires_grad: false);
        _eps = eps;
        RegisterComponents();
    }

    /// <summary>The [size] scale.</summary>
    public Parameter Weight => weight;

    /// <summary>Normalises over the last dimension.</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var input = x.dtype == ScalarType.Float32 ? x : x.to(ScalarType.Float32);
        var variance = input.pow(2).mean([-1], keepdim: true);
        var normalized = input * (variance + _eps).rsqrt();
        if (x.dtype != ScalarType.Float32)
            normalized = normalized.to(x.dtype);
        return (weight * normalized).MoveToOuterDisposeScope();
    }
}
