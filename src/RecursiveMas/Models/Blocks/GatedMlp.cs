using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>The SwiGLU feed-forward block: down(silu(gate(x)) · up(x)).</summary>
public sealed class GatedMlp : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly Projection gate_proj;
    private readonly Projection up_proj;
    private readonly Projection down_proj;
#pragma warning restore IDE1006

    public GatedMlp(string name, ModelConfig config, ScalarType dtype, Device device) : base(name)
    {
        gate_proj = new Projection("gate_proj", config.HiddenSize, config.IntermediateSize, config.MlpBias, dtype, device);
        up_proj = new Projection("up_proj", config.HiddenSize, config.IntermediateSize, config.MlpBias, dtype, device);
        down_proj = new Projection("down_proj", config.IntermediateSize, config.HiddenSize, config.MlpBias, dtype, device);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.silu(gate_proj.Forward(x)) * up_proj.Forward(x);
        return down_proj.Forward(gated).MoveToOuterDisposeScope();
    }
}
