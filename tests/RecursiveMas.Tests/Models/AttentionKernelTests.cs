using RecursiveMas.Models.Kernels;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

public class AttentionKernelTests
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
    // bench agent), no mask, a position count that is not a multiple of 16, 64-wide heads, head dims that
    // are not a multiple of 16; each as a step's scoring and as a prefill's (packed keys).
    [Theory]
    [InlineData(3, 2, 3, 37, 32, true, true, false)]
    [InlineData(16, 16, 1, 250, 32, false, true, false)]
    [InlineData(2, 4, 2, 19, 64, false, false, false)]
    [InlineData(1, 1, 1, 1, 16, false, true, false)]
    [InlineData(3, 2, 3, 37, 32, true, true, true)]
    [InlineData(2, 2, 40, 70, 64, true, true, true)]
    [InlineData(2, 4, 2, 19, 64, false, false, true)]
    [InlineData(1, 1, 5, 1, 16, true, true, true)]
    [InlineData(2, 2, 3, 29, 24, true, true, false)]
    [InlineData(2, 2, 6, 29, 8, true, true, true)]
    public void GivesSdpasAttention(int rows, int kvHeads, int group, int positions, int headDim, bool perQueryMask, bool withMask, bool prefill)
    {
        using var scope = NewDisposeScope();
        var (q, keys, values, mask) = Inputs(rows, kvHeads, group, positions, headDim, seed: rows * 7 + positions, perQueryMask);
        var fast = AttentionKernel.TryRun(q, keys, values, withMask ? mask : null, prefill);
        if (!CpuLinear.Available)
        {
            Assert.Null(fast);
            return;
        }
        Assert.NotNull(fast);
        var expected = nn.functional.scaled_dot_product_attention(q, keys, values, withMask ? mask : null);
        TensorAssert.Close(expected, fast, 1e-5, $"{rows}×{kvHeads}×{group} heads, {positions} positions");
    }

    // The AVX2 paths (16-lane sums as two 256-bit halves, other blockings) against AVX-512's, bit for bit: steps
    // and prefills, masks, head dims with and without a tail. On a CPU without AVX-512 both runs take the AVX2
    // paths and this compares them with themselves; a CPU with AVX-512 tests that a question gets the same bits
    // on either kind of CPU.
    [Theory]
    [InlineData(16, 16, 1, 250, 32, true, false)]
    [InlineData(3, 2, 3, 37, 64, true, false)]
    [InlineData(2, 2, 3, 29, 24, true, false)]
    [InlineData(2, 2, 40, 70, 64, true, true)]
    [InlineData(2, 4, 9, 19, 24, false, true)]
    public void Avx2PathsGiveTheAvx512PathsBits(int rows, int kvHeads, int group, int positions, int headDim, bool withMask, bool prefill)
    {
        if (!CpuLinear.Available)
            return;
        using var scope = NewDisposeScope();
        var (q, keys, values, mask) = Inputs(rows, kvHeads, group, positions, headDim, seed: 31 + positions, perQueryMask: true);
        var wide = AttentionKernel.TryRun(q, keys, values, withMask ? mask : null, prefill)!;
        Tensor halves;
        using (CpuLinear.UseHalves())
            halves = AttentionKernel.TryRun(q, keys, values, withMask ? mask : null, prefill)!;
        Assert.True(wide.equal(halves).all().item<bool>(), $"{rows}×{kvHeads}×{group} heads, {positions} positions, head dim {headDim}: the AVX2 paths give other bits");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EachRowGetsTheSameBitsAloneAndInAnyBatch(bool prefill)
    {
        if (!CpuLinear.Available)
            return;
        using var scope = NewDisposeScope();
        var (q, keys, values, mask) = Inputs(6, 2, 3, 130, 32, seed: 11, perQueryMask: true);
        var together = AttentionKernel.TryRun(q, keys, values, mask, prefill)!;
        for (int r = 0; r < 6; r++)
        {
            var alone = AttentionKernel.TryRun(q.narrow(0, r, 1), keys.narrow(0, r, 1), values.narrow(0, r, 1), mask.narrow(0, r, 1), prefill)!;
            Assert.True(alone.equal(together.narrow(0, r, 1)).all().item<bool>(), $"row {r} alone differs from row {r} of the batch");
        }
    }

    /// <summary>
    /// What a batch does to a row: hidden positions before it (left padding) and between its cached prefix
    /// and its new positions. The row must get the bits it gets with none — SDPA's did not (it groups its
    /// sums by where positions sit).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PaddingAnywhereLeavesEveryBitOfARow(bool prefill)
    {
        if (!CpuLinear.Available)
            return;
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(23);
        const int kvHeads = 2, headDim = 32, prefix = 21;
        int fresh = prefill ? 9 : 1, group = 2 * fresh, positions = prefix + fresh;
        var q = randn(1, kvHeads, group, headDim, generator: generator);
        var keys = randn(1, kvHeads, positions, headDim, generator: generator);
        var values = randn(1, kvHeads, positions, headDim, generator: generator);
        // Causal over the new positions, each of the two query heads of a KV head in turn ([head, position] folded).
        var causal = zeros(1, 1, group, positions, ScalarType.Bool);
        for (int h = 0; h < 2; h++)
            for (int i = 0; i < fresh; i++)
                causal[0, 0, h * fresh + i].narrow(0, 0, prefix + i + 1).fill_(true);
        var unpadded = AttentionKernel.TryRun(q, keys, values, causal, prefill)!;
        foreach (int before in new[] { 1, 5, 16, 23 })
            foreach (int between in new[] { 0, 3, 11 })
            {
                Tensor Spread(Tensor x, double fill) => cat([
                    full(x.size(0), x.size(1), x.size(2), before, fill, x.dtype), x.narrow(3, 0, prefix),
                    full(x.size(0), x.size(1), x.size(2), between, fill, x.dtype), x.narrow(3, prefix, fresh)], 3);
                var paddedKeys = Spread(keys.transpose(2, 3), 7.0).transpose(2, 3).contiguous();     // padding holds garbage, never zeros only
                var paddedValues = Spread(values.transpose(2, 3), -3.0).transpose(2, 3).contiguous();
                var paddedMask = Spread(causal, 0);
                var padded = AttentionKernel.TryRun(q, paddedKeys, paddedValues, paddedMask, prefill)!;
                Assert.True(padded.equal(unpadded).all().item<bool>(), $"{before} hidden before, {between} between: bits differ");
            }
    }

    [Fact]
    public void LeavesToSdpaWhatItDoesNotHandle()
    {
        using var scope = NewDisposeScope();
        var (q2, keys2, values2, _) = Inputs(2, 2, 1, 9, 32, seed: 4, perQueryMask: false);
        Assert.Null(AttentionKernel.TryRun(q2, keys2, values2, zeros(2, 1, 1, 9), prefill: true));  // a float mask
        Assert.Null(AttentionKernel.TryRun(q2.requires_grad_(), keys2, values2, null, prefill: false)); // autograd
        using (CpuLinear.UseLibtorch())
            Assert.Null(AttentionKernel.TryRun(q2.detach(), keys2, values2, null, prefill: true));
    }
}
