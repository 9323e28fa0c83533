using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>One pre-norm transformer block: x + attn(norm(x)), then + mlp(norm(·)).</summary>
public sealed class DecoderLayer : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly DecoderAttention self_attn;
    private readonly GatedMlp mlp;
    private readonly RmsNorm input_layernorm;
    private readonly RmsNorm post_attention_layernorm;
#pragma warning restore IDE1006

    public DecoderLayer(string name, ModelConfig config, int layerIndex, ScalarType dtype, Device device) : base(name)
    {
        self_attn = new DecoderAttention("self_attn", config, layerIndex, dtype, device);
        mlp = new GatedMlp("mlp", config, dtype, device);
        input_layernorm = new RmsNorm("input_layernorm", config.HiddenSize, config.RmsNormEps, dtype, device);
        post_attention_layernorm = new RmsNorm("post_attention_layernorm", config.HiddenSize, config.RmsNormEps, dtype, device);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        var h = x + self_attn.Forward(input_layernorm.Forward(x), context);
        var y = h + mlp.Forward(post_attention_layernorm.Forward(h));
        return y.MoveToOuterDisposeScope();
    }
}
