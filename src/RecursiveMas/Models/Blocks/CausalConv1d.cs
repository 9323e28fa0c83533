using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// A causal depthwise 1-D convolution without bias (Gated DeltaNet's <c>conv1d</c>, weight [channels, 1, kernel])
/// that continues from a state: the last kernel−1 inputs of the earlier positions (zeros before the first).
/// Padding positions are skipped, not convolved: each real position sees the kernel−1 real inputs before it,
/// so a padded row gives exactly what the row gives alone, wherever its padding sits.
/// </summary>
public sealed class CausalConv1d : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly Parameter weight;
#pragma warning restore IDE1006
    private readonly int _kernel;

    public CausalConv1d(string name, long channels, int kernel, ScalarType dtype, Device device) : base(name)
    {
        weight = new Parameter(zeros(channels, 1, kernel, dtype, device), requires_grad: false);
        _kernel = kernel;
        RegisterComponents();
    }

    /// <summary>Kernel width.</summary>
    public int Kernel => _kernel;

    /// <summary>
    /// x [B, C, T] with its state [B, C, kernel−1] (null = zeros) and which positions are real [B, T]
    /// (null = all) → (outputs [B, C, T] before the activation, the new state). Outputs at padding
    /// positions are meaningless.
    /// </summary>
    public (Tensor Output, Tensor State) Forward(Tensor x, Tensor? state, Tensor? real)
    {
        using var scope = NewDisposeScope();
        long b = x.size(0), c = x.size(1), t = x.size(2);
        int history = _kernel - 1;
        state ??= zeros(b, c, history, x.dtype, x.device);
        var extended = cat([state.to(x.dtype), x], 2);                  // [B, C, K−1+T]
        Tensor output, newState;
        if (real is null)
        {
            output = nn.functional.conv1d(extended, weight, groups: c);  // [B, C, T]
            newState = extended.narrow(2, t, history);
        }
        else
        {
            // Move each row's real inputs to the front (state entries count as real), convolve, read back.
            long length = history + t;
            var isReal = cat([ones(b, history, ScalarType.Bool, x.device), real], 1);   // [B, L]
            var rank = isReal.to(ScalarType.Int64).cumsum(1).Minus(1);                          // index among real entries
            var count = isReal.to(ScalarType.Int64).sum(1, keepdim: true);                 // [B, 1]
            // Padding entries go to the last slot, which only a row without padding fills with a real entry.
            var target = rank.where(isReal, KeptScalars.FullLike(rank, length - 1));
            var compact = zeros_like(extended).scatter(2, target.unsqueeze(1).expand(b, c, length), extended.Filled(isReal.logical_not().unsqueeze(1), 0L));
            var convolved = nn.functional.conv1d(compact, weight, groups: c);             // [B, C, T]: compact index j ↦ j − (K−1)
            var readBack = rank.narrow(1, history, t).Minus(history).AtLeast(0);
            output = convolved.gather(2, readBack.unsqueeze(1).expand(b, c, t));
            var last = count.Minus(history).Plus(KeptScalars.Range(0, history, x.device).unsqueeze(0)).AtLeast(0); // [B, K−1]
            newState = compact.gather(2, last.unsqueeze(1).expand(b, c, history));
        }
        return (output.MoveToOuterDisposeScope(), newState.contiguous().MoveToOuterDisposeScope());
    }
}
