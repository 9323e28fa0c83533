using RecursiveMas.Models.Kernels;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

public class DecodeAttentionKernelTests
{
    static (Tensor Q, Tensor K, Tensor V, Tensor Mask) Inputs(int rows, int kvHeads, int group, int positions, int headDim, int seed, bool perQueryMask)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        // Keys and values as the KV cache hands them out: a view of a longer buffer.
        var keys = randn(rows, kvHeads, positions + 5, headDim, generator: generator).narrow(2, 0, positions);
        var values = randn(rows, kvHeads, positions + 5, headDim, generator: generator).narrow(2, 0, positions);
        var q = randn(rows, kvHeads, group, headDim, generator: generator);
        var mask = rand(rows, 1, perQueryMask ? group : 1, positions, generator: generator) > 0.3;
        mask.narrow(3, positions - 1, 1).fill_(true); // every query sees itself (the newest position)
        return (q, keys, values, mask);
    }

    // Grouped heads with a per-query mask, one KV head per query head with a row mask (the 512-wide
    // bench agent), no mask, a position count that is not a multiple of 16, 64-wide heads.
    [Theory]
    [InlineData(3, 2, 3, 37, 32, true, true)]
    [InlineData(16, 16, 1, 250, 32, false, true)]
    [InlineData(2, 4, 2, 19, 64, false, false)]
    [InlineData(1, 1, 1, 1, 16, false, true)]
    public void GivesSdpasAttention(int rows, int kvHeads, int group, int positions, int headDim, bool perQueryMask, bool withMask)
    {
        using var scope = NewDisposeScope();
        var (q, keys, values, mask) = Inputs(rows, kvHeads, group, positions, headDim, seed: rows * 7 + positions, perQueryMask);
        var fast = DecodeAttentionKernel.TryRun(q, keys, values, withMask ? mask : null);
        if (!CpuLinear.Available)
        {
            Assert.Null(fast);
            return;
        }
        Assert.NotNull(fast);
        var expected = nn.functional.scaled_dot_product_attention(q, keys, values, withMask ? mask : null);
        TensorAssert.Close(expected, fast, 1e-5, $"{rows}×{kvHeads}×{group} heads, {positions} positions");
    }

    [Fact]
    public void EachRowGetsTheSameBitsAloneAndInAnyBatch()
    {
        if (!CpuLinear.Available)
            return;
        using var scope = NewDisposeScope();
        var (q, keys, values, mask) = Inputs(6, 2, 3, 130, 32, seed: 11, perQueryMask: true);
        var together = DecodeAttentionKernel.TryRun(q, keys, values, mask)!;
        for (int r = 0; r < 6; r++)
        {
            var alone = DecodeAttentionKernel.TryRun(q.narrow(0, r, 1), keys.narrow(0, r, 1), values.narrow(0, r, 1), mask.narrow(0, r, 1))!;
            Assert.True(alone.equal(together.narrow(0, r, 1)).all().item<bool>(), $"row {r} alone differs from row {r} of the batch");
        }
    }

    [Fact]
    public void LeavesToSdpaWhatItDoesNotHandle()
    {
        using var scope = NewDisposeScope();
        var (q, keys, values, mask) = Inputs(2, 2, 1, 9, 24, seed: 3, perQueryMask: false);       // head dim not a multiple of 16
        Assert.Null(DecodeAttentionKernel.TryRun(q, keys, values, mask));
        var (q2, keys2, values2, _) = Inputs(2, 2, 1, 9, 32, seed: 4, perQueryMask: false);
        Assert.Null(DecodeAttentionKernel.TryRun(q2, keys2, values2, zeros(2, 1, 1, 9)));            // a float mask
        Assert.Null(DecodeAttentionKernel.TryRun(q2.requires_grad_(), keys2, values2, null));       // autograd
        using (CpuLinear.UseLibtorch())
            Assert.Null(DecodeAttentionKernel.TryRun(q2.detach(), keys2, values2, null));
    }
}
