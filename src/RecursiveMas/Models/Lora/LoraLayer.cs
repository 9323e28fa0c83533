using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Lora;

/// <summary>
/// The low-rank update of one linear projection: y = W x + b + scale · B (A dropout(x)), with A [r, in]
/// and B [out, r]. Kept in float32 whatever the model's dtype (as PEFT does by default), computed on the
/// input cast to float32 and returned in the input's dtype. Not a module: the model's state dict, its
/// <see cref="CausalLM.WeightStorage"/> and its saved checkpoint never see it.
/// </summary>
public sealed class LoraLayer : IDisposable
{
    /// <param name="a">Down-projection A [r, in].</param>
    /// <param name="b">Up-projection B [out, r].</param>
    public LoraLayer(Tensor a, Tensor b, double scale, double dropout)
    {
        if (a.dim() != 2 || b.dim() != 2 || a.shape[0] != b.shape[1])
            throw new ArgumentException($"A [r, in] and B [out, r] must share r; got A {Shape(a)} and B {Shape(b)}");
        A = (Parameter)new Parameter(a, requires_grad: false).DetachFromDisposeScope();
        B = (Parameter)new Parameter(b, requires_grad: false).DetachFromDisposeScope();
        Scale = scale;
        Dropout = dropout;
    }

    /// <summary>A [r, in] (PEFT's <c>lora_A.weight</c>).</summary>
    public Parameter A { get; }

    /// <summary>B [out, r] (PEFT's <c>lora_B.weight</c>).</summary>
    public Parameter B { get; }

    /// <summary>alpha / r (or alpha / √r).</summary>
    public double Scale { get; }

    /// <summary>Dropout on the input while <see cref="Training"/>.</summary>
    public double Dropout { get; }

    /// <summary>Whether dropout is applied (set by <see cref="LoraAdapter.Training"/>).</summary>
    public bool Training { get; set; }

    /// <summary>The rank r.</summary>
    public long Rank => A.shape[0];

    /// <summary>scale · B A x for x [..., in] → [..., out], in x's dtype.</summary>
    public Tensor Delta(Tensor x)
    {
        using var scope = NewDisposeScope();
        var input = x.dtype == A.dtype ? x : x.to(A.dtype);
        if (Training && Dropout > 0)
            input = nn.functional.dropout(input, Dropout, training: true);
        var delta = nn.functional.linear(nn.functional.linear(input, A), B).Times(Scale);
        return (delta.dtype == x.dtype ? delta : delta.to(x.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>The update as a weight matrix scale · B A [out, in], in float32.</summary>
    public Tensor WeightDelta() => B.detach().matmul(A.detach()).Times(Scale);

    internal static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
