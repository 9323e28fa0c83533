using RecursiveMas.Models.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>The gated feed-forward block: down(act(gate(x)) · up(x)), act = silu (SwiGLU, one kernel call where <see cref="SwiGluKernel"/> runs) or tanh-GELU (Gemma).</summary>
public sealed class GatedMlp : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly Projection gate_proj;
    private readonly Projection up_proj;
    private readonly Projection down_proj;
#pragma warning restore IDE1006
    private readonly FusedProjection _gateUp;
    private readonly HiddenActivation _activation;

    public GatedMlp(string name, ModelConfig config, ScalarType dtype, Device device) : base(name)
    {
        // gate and up read the same input: one fused matmul, two checkpoint-named views.
        _gateUp = new FusedProjection(config.HiddenSize, [config.IntermediateSize, config.IntermediateSize], config.MlpBias, dtype, device);
        gate_proj = _gateUp.Part("gate_proj", 0);
        up_proj = _gateUp.Part("up_proj", 1);
        _activation = config.HiddenActivation;
        down_proj = new Projection("down_proj", config.IntermediateSize, config.HiddenSize, config.MlpBias, dtype, device);
        RegisterComponents();
    }

    /// <summary>The fused gate/up storage behind the <c>gate_proj</c> and <c>up_proj</c> views.</summary>
    public FusedProjection GateUp => _gateUp;

    /// <summary>Whether this MLP runs on the step path now: SwiGLU, no LoRA, weights the kernels read.</summary>
    internal bool CanStep =>
        _activation == HiddenActivation.Silu && gate_proj.Lora is null && up_proj.Lora is null && down_proj.Lora is null
        && _gateUp.Storage.All(DecoderStep.Readable) && DecoderStep.Readable(down_proj.Weight) && DecoderStep.Readable(down_proj.Bias);

    /// <summary>The step path: down(silu(gate(x)) · up(x)) from the step's normed rows into its output rows.</summary>
    internal unsafe void Step(DecoderStep step)
    {
        int hidden = (int)down_proj.Weight.size(0), intermediate = (int)down_proj.Weight.size(1);
        var storage = _gateUp.Storage;
        float* gateUpBias = storage.Count > 1 ? TensorData.Floats(storage[1]) : null;
        RowDotKernel.Run(step.Normed, step.Rows, hidden, TensorData.Floats(storage[0]), gateUpBias, 2 * intermediate, step.GateUp);
        SwiGluKernel.RunRows(step.GateUp, step.GateUp + intermediate, 2L * intermediate, step.Rows, intermediate, step.Activated);
        float* downBias = down_proj.Bias is { } bias ? TensorData.Floats(bias) : null;
        RowDotKernel.Run(step.Activated, step.Rows, intermediate, TensorData.Floats(down_proj.Weight), downBias, hidden, step.Output);
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var gateUp = _gateUp.Forward(x);
        var gated = _activation == HiddenActivation.GeluTanh
            ? nn.functional.gelu(gateUp[0], approximate: TorchSharp.Modules.GELU.Approximate.tanh) * gateUp[1]
            : SwiGluKernel.TryRun(gateUp[0], gateUp[1]) ?? nn.functional.silu(gateUp[0]) * gateUp[1];
        return down_proj.Forward(gated).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _gateUp.Dispose();
        base.Dispose(disposing);
    }
}
