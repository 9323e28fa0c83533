using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// The input embedding table (<c>embed_tokens.weight</c>, [vocab, hidden]); Gemma3 multiplies the rows
/// by √hidden rounded to the weights' dtype (transformers' scaled word embedding).
/// </summary>
public sealed class TokenEmbedding : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly Parameter weight;
#pragma warning restore IDE1006
    private readonly double? _scale;

    public TokenEmbedding(string name, long vocabSize, long hiddenSize, ScalarType dtype, Device device, bool scaled = false)
        : base(name)
    {
        weight = new Parameter(zeros(vocabSize, hiddenSize, dtype, device), requires_grad: false);
        if (scaled)
        {
            // The scale itself is rounded to the weights' dtype before the multiplication, as transformers does.
            using var s = tensor(Math.Sqrt(hiddenSize), ScalarType.Float64).to(dtype);
            _scale = s.to(ScalarType.Float64).item<double>();
        }
        RegisterComponents();
    }

    /// <summary>The [vocab, hidden] table.</summary>
    public Parameter Weight => weight;

    /// <summary>The factor rows are multiplied by (√hidden in the weights' dtype), or null.</summary>
    public double? Scale => _scale;

    /// <summary>Rows of the table for token ids of any shape; the result has one more dimension (hidden).</summary>
    public Tensor Forward(Tensor ids)
    {
        long vocab = weight.size(0);
        if (ids.numel() > 0)
        {
            // An id outside the table would read out of bounds in native code; say which id instead.
            long min = ids.min().item<long>(), max = ids.max().item<long>();
            if (min < 0 || max >= vocab)
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {(min < 0 ? min : max)} is outside the vocabulary [0, {vocab})");
        }
        long[] shape = [.. ids.Sizes(), weight.size(1)];
        var rows = weight.index_select(0, ids.reshape(-1)).view(shape);
        if (_scale is not double scale)
            return rows;
        using var scope = NewDisposeScope();
        return rows.Times(scale).MoveToOuterDisposeScope();
    }
}
