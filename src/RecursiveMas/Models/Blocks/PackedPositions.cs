using RecursiveMas.Models.Kernels;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// A padded prefill's real positions, packed into one row [1, R, ·] for the work that reads one position at a
/// time — norms, projections, MLPs, residual adds — so padding costs nothing there; only attention, which needs
/// each row's positions in place, sees [B, T, ·] (padding zero). A batch of questions of different lengths is
/// left-padded to the longest: on the system bench at 16 rows about one prefill position in seven is padding.
/// </summary>
/// <remarks>
/// Runs where the projections run on the kernels (<see cref="CpuLinear.Runs"/>, float32 on the CPU outside
/// autograd): there a position's projection has the same bits in any block of rows, so a packed prefill gives a
/// real position exactly what the padded one gives (tested). Not for stacks with Gated DeltaNet layers, whose
/// convolution and recurrence run along each row's positions.
/// </remarks>
public sealed class PackedPositions
{
    static readonly FlowSwitch s_keepPadding = new();
    static readonly FlowCount s_skipped = new();

    PackedPositions(Tensor index, long batch, long length)
    {
        Index = index;
        Batch = batch;
        Length = length;
    }

    /// <summary>The real positions' flat indices (row · T + position), ascending: [R].</summary>
    Tensor Index { get; }

    /// <summary>Rows B of the padded batch.</summary>
    internal long Batch { get; }

    /// <summary>New positions T per row.</summary>
    internal long Length { get; }

    /// <summary>
    /// The packing of this forward call, or null where it does not run or would save nothing (no padding, one
    /// new position per row, fewer than two real positions: one would take the one-position kernel, whose
    /// sums run in another order).
    /// </summary>
    internal static PackedPositions? TryPack(ModelConfig config, Tensor input, AttentionContext context)
    {
        if (s_keepPadding.IsOn || !context.HasPadding || !CpuLinear.Runs || !CpuLinear.Handles(input) || is_grad_enabled()
            || input.dim() != 3 || input.size(1) < 2
            || Enumerable.Range(0, config.LayerCount).Any(i => config.KindOf(i) == LayerKind.LinearAttention))
            return null;
        long b = input.size(0), t = input.size(1);
        var index = context.Real.reshape(b * t).nonzero().squeeze(1);
        long real = index.size(0);
        if (real < 2 || real == b * t)
        {
            index.Dispose();
            return null;
        }
        s_skipped.Add(b * t - real);
        return new PackedPositions(index, b, t);
    }

    /// <summary>[B, T, w] → the real positions [1, R, w].</summary>
    internal Tensor Pack(Tensor padded) =>
        padded.reshape(Batch * Length, padded.size(-1)).index_select(0, Index).unsqueeze(0);

    /// <summary>The real positions [1, R, w] → [B, T, w], padding zero.</summary>
    internal Tensor Unpack(Tensor packed)
    {
        long width = packed.size(-1);
        return zeros(Batch * Length, width, packed.dtype, packed.device)
            .index_copy_(0, Index, packed.reshape(-1, width))
            .view(Batch, Length, width);
    }

    /// <summary>Runs every prefill of the calling code (this thread and what it starts) padded, until disposed: tests compare the two.</summary>
    public static IDisposable KeepPadding() => s_keepPadding.TurnOn();

    /// <summary>Counts the padding positions the calling code's prefills packed away, until disposed: tests show the packing ran.</summary>
    internal static FlowCount.Scope CountSkipped() => s_skipped.Start();
}
