using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// The <c>model.</c> part of a causal LM checkpoint: token embeddings, the decoder layers and the
/// final norm. Its output, the final-norm hidden states, is what RecursiveMAS feeds to links.
/// </summary>
public sealed class DecoderStack : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly TokenEmbedding embed_tokens;
    private readonly ModuleList<DecoderLayer> layers;
    private readonly RmsNorm norm;
#pragma warning restore IDE1006
    private readonly ModelConfig _config;

    public DecoderStack(string name, ModelConfig config, ScalarType dtype, Device device) : base(name)
    {
        embed_tokens = new TokenEmbedding("embed_tokens", config.VocabSize, config.HiddenSize, dtype, device, config.ScaleEmbeddings);
        layers = new ModuleList<DecoderLayer>();
        for (int i = 0; i < config.LayerCount; i++)
            layers.Add(new DecoderLayer(i.ToString(System.Globalization.CultureInfo.InvariantCulture), config, i, dtype, device));
        norm = new RmsNorm("norm", config.HiddenSize, config.RmsNormEps, dtype, device, config.ZeroCenteredNorms);
        _config = config;
        RegisterComponents();
    }

    public TokenEmbedding Embeddings => embed_tokens;

    /// <summary>Input embeddings [B, T, hidden] → final-norm hidden states [B, T, hidden] (zero at padding a packed prefill skipped).</summary>
    public Tensor Forward(Tensor inputEmbeddings, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        // One new position per row on the kernels: the step path, with the tensor path's bits (DecoderStep).
        var x = DecoderStep.TryRun(_config, layers, inputEmbeddings, context);
        if (x is not null)
            return norm.Forward(x).MoveToOuterDisposeScope();
        // A padded prefill: the layers read only the real positions, packed into one row.
        if (PackedPositions.TryPack(_config, inputEmbeddings, context) is { } packed)
        {
            var packedContext = context with { Packed = packed };
            x = packed.Pack(inputEmbeddings);
            foreach (var layer in layers)
                x = layer.Forward(x, packedContext);
            return packed.Unpack(norm.Forward(x)).MoveToOuterDisposeScope();
        }
        x = inputEmbeddings;
        foreach (var layer in layers)
            x = layer.Forward(x, context);
        return norm.Forward(x).MoveToOuterDisposeScope();
    }
}
