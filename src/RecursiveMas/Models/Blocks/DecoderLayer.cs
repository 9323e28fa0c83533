using RecursiveMas.Models.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// One pre-norm transformer block: x + mix(norm(x)), then + mlp(norm(·)). The token mixer is attention
/// (<c>self_attn</c>) or, in Qwen3.5's linear layers, a Gated DeltaNet (<c>linear_attn</c>). Gemma3 adds
/// two more norms: the mixer's and the MLP's outputs are normed before their residual adds
/// (<c>post_attention_layernorm</c> then normalises the attention output, <c>pre_feedforward_layernorm</c>
/// the MLP input).
/// </summary>
public sealed class DecoderLayer : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly DecoderAttention? self_attn;
    private readonly GatedDeltaNet? linear_attn;
    private readonly GatedMlp mlp;
    private readonly RmsNorm input_layernorm;
    private readonly RmsNorm post_attention_layernorm;
    private readonly RmsNorm? pre_feedforward_layernorm;
    private readonly RmsNorm? post_feedforward_layernorm;
#pragma warning restore IDE1006

    public DecoderLayer(string name, ModelConfig config, int layerIndex, ScalarType dtype, Device device) : base(name)
    {
        if (config.KindOf(layerIndex) == LayerKind.LinearAttention)
            linear_attn = new GatedDeltaNet("linear_attn", config, layerIndex, dtype, device);
        else
            self_attn = new DecoderAttention("self_attn", config, layerIndex, dtype, device);
        mlp = new GatedMlp("mlp", config, dtype, device);
        bool zc = config.ZeroCenteredNorms;
        input_layernorm = new RmsNorm("input_layernorm", config.HiddenSize, config.RmsNormEps, dtype, device, zc);
        post_attention_layernorm = new RmsNorm("post_attention_layernorm", config.HiddenSize, config.RmsNormEps, dtype, device, zc);
        if (config.SandwichNorms)
        {
            pre_feedforward_layernorm = new RmsNorm("pre_feedforward_layernorm", config.HiddenSize, config.RmsNormEps, dtype, device, zc);
            post_feedforward_layernorm = new RmsNorm("post_feedforward_layernorm", config.HiddenSize, config.RmsNormEps, dtype, device, zc);
        }
        RegisterComponents();
    }

    /// <summary>Whether this layer runs on the one-position step path now (<see cref="DecoderStep"/>).</summary>
    internal bool CanStep =>
        self_attn is not null && self_attn.CanStep && mlp.CanStep
        && DecoderStep.Readable(input_layernorm.Weight) && DecoderStep.Readable(post_attention_layernorm.Weight);

    /// <summary>The layer on the step path: x += attention(norm(x)), then x += mlp(norm(x)), on the step's buffers.</summary>
    internal unsafe void Step(DecoderStep step, AttentionContext context)
    {
        float* x = TensorData.Floats(step.Hidden);
        long width = step.Hidden.size(2);
        input_layernorm.NormalizeRows(x, step.Rows, step.Normed);
        self_attn!.Step(step, context);
        DecoderStep.AddInto(x, step.Output, step.Rows * width);
        post_attention_layernorm.NormalizeRows(x, step.Rows, step.Normed);
        mlp.Step(step);
        DecoderStep.AddInto(x, step.Output, step.Rows * width);
    }

    public Tensor Forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        var normed = input_layernorm.Forward(x);
        var mixed = self_attn is not null ? self_attn.Forward(normed, context) : linear_attn!.Forward(normed, context);
        Tensor y;
        if (pre_feedforward_layernorm is null)
        {
            var h = x.Plus(mixed);
            y = h.Plus(mlp.Forward(post_attention_layernorm.Forward(h)));
        }
        else
        {
            var h = x.Plus(post_attention_layernorm.Forward(mixed));
            y = h.Plus(post_feedforward_layernorm!.Forward(mlp.Forward(pre_feedforward_layernorm.Forward(h))));
        }
        return y.MoveToOuterDisposeScope();
    }
}
