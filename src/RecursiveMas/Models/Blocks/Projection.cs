using RecursiveMas.Models.Kernels;
using RecursiveMas.Models.Lora;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// A linear layer y = x Wᵀ + b whose parameters are named <c>weight</c> and <c>bias</c> like
/// PyTorch's nn.Linear, so state-dict keys equal Hugging Face checkpoint keys. Unlike
/// <see cref="TorchSharp.Modules.Linear"/> it allocates without initializing: weights are either
/// loaded from a checkpoint or set by <see cref="CausalLM.InitializeRandom"/>, and a 1B-parameter
/// Kaiming init that is thrown away at once would cost seconds.
/// </summary>
public sealed class Projection : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly Parameter weight;
    private readonly Parameter? bias;
#pragma warning restore IDE1006

    public Projection(string name, long inFeatures, long outFeatures, bool hasBias, ScalarType dtype, Device device)
        : base(name)
    {
        weight = new Parameter(zeros(outFeatures, inFeatures, dtype, device), requires_grad: false);
        if (hasBias)
            bias = new Parameter(zeros(outFeatures, dtype, device), requires_grad: false);
        RegisterComponents();
    }

    /// <summary>A projection over existing storage (a slice of a <see cref="FusedProjection"/>); the parameters alias it.</summary>
    public Projection(string name, Tensor weightStorage, Tensor? biasStorage) : base(name)
    {
        weight = new Parameter(weightStorage, requires_grad: false);
        if (biasStorage is not null)
            bias = new Parameter(biasStorage, requires_grad: false);
        RegisterComponents();
    }

    /// <summary>The [out, in] weight matrix.</summary>
    public Parameter Weight => weight;

    /// <summary>The [out] bias, or null.</summary>
    public Parameter? Bias => bias;

    /// <summary>
    /// A LoRA update added to this projection's output (<see cref="LoraAdapter"/> attaches and removes it);
    /// null = none. Not a registered component: the state dict is the checkpoint's either way.
    /// </summary>
    public LoraLayer? Lora { get; internal set; }

    /// <summary>x [..., in] → x Wᵀ + b (+ the LoRA update when one is attached).</summary>
    public Tensor Forward(Tensor x)
    {
        var y = CpuLinear.Linear(x, weight, bias);
        return Lora is { } lora ? AddTo(y, lora, x) : y;
    }

    /// <summary>y + the LoRA update of x, disposing y's temporary.</summary>
    internal static Tensor AddTo(Tensor y, LoraLayer lora, Tensor x)
    {
        using var delta = lora.Delta(x);
        var sum = y.Plus(delta);
        y.Dispose();
        return sum;
    }
}
