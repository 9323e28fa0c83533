using RecursiveMas.Models.Kernels;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

public class CpuLinearTests
{
    static (Tensor Weight, Tensor Bias) Weights(int inFeatures, int outFeatures, int seed)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        return (randn(outFeatures, inFeatures, generator: generator) * 0.05, randn(outFeatures, generator: generator));
    }

    static Tensor Rows(int rows, int inFeatures, int seed, int positions = 1)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        return randn(rows, positions, inFeatures, generator: generator);
    }

    // Shapes: tails in both directions (in not a multiple of 16, out not of 8), one thread (small weights)
    // and the threaded path (weights over 256 KiB), with and without bias, one row and several.
    [Theory]
    [InlineData(37, 19, 1, false)]
    [InlineData(64, 48, 4, true)]
    [InlineData(130, 1000, 3, true)]
    [InlineData(768, 1283, 5, false)]
    [InlineData(768, 1283, 1, true)]
    public void OneStepGivesLibtorchsProduct(int inFeatures, int outFeatures, int rows, bool withBias)
    {
        using var scope = NewDisposeScope();
        var (weight, bias) = Weights(inFeatures, outFeatures, seed: inFeatures + outFeatures);
        var x = Rows(rows, inFeatures, seed: rows);
        var fast = CpuLinear.TryForward(x, weight, withBias ? bias : null);
        if (!CpuLinear.Available)
        {
            Assert.Null(fast); // no AVX2 and FMA: libtorch runs every step, nothing to compare
            return;
        }
        Assert.NotNull(fast);
        Assert.Equal(new long[] { rows, 1, outFeatures }, fast.shape);
        TensorAssert.Close(nn.functional.linear(x, weight, withBias ? bias : null), fast, 1e-4, $"{inFeatures}→{outFeatures}, {rows} rows");
    }

    // Prefills: rows not a multiple of the 8-row block, outputs not a multiple of the 32-wide panel, more
    // rows than one 512-row chunk, one thread (few multiply-adds) and the team.
    [Theory]
    [InlineData(19, 37, 1, 3, false)]
    [InlineData(64, 96, 2, 8, true)]
    [InlineData(130, 1000, 3, 7, true)]
    [InlineData(256, 333, 3, 200, true)]
    [InlineData(512, 1536, 1, 64, false)]
    public void PrefillsGiveLibtorchsProduct(int inFeatures, int outFeatures, int rows, int positions, bool withBias)
    {
        using var scope = NewDisposeScope();
        var (weight, bias) = Weights(inFeatures, outFeatures, seed: inFeatures * 3 + outFeatures);
        var x = Rows(rows, inFeatures, seed: rows + positions, positions);
        var fast = CpuLinear.TryForward(x, weight, withBias ? bias : null);
        if (!CpuLinear.Available)
        {
            Assert.Null(fast);
            return;
        }
        Assert.NotNull(fast);
        Assert.Equal(new long[] { rows, positions, outFeatures }, fast.shape);
        TensorAssert.Close(nn.functional.linear(x, weight, withBias ? bias : null), fast, 1e-4, $"{inFeatures}→{outFeatures}, {rows}×{positions} positions");
    }

    // One-position steps (threaded, with tails) and prefills (65 rows: 8-row blocks and a tail, rows
    // straddling blocks, the last 32-wide panel partial).
    [Theory]
    [InlineData(770, 1029, 9, 1)]
    [InlineData(200, 1000, 5, 13)]
    public void EachRowGetsTheSameBitsAloneAndInAnyBatch(int inFeatures, int outFeatures, int rows, int positions)
    {
        if (!CpuLinear.Available)
            return;
        using var scope = NewDisposeScope();
        var (weight, bias) = Weights(inFeatures, outFeatures, seed: 3);
        var batch = Rows(rows, inFeatures, seed: 4, positions);
        var together = CpuLinear.TryForward(batch, weight, bias)!;
        for (int r = 0; r < rows; r++)
        {
            var alone = CpuLinear.TryForward(batch.narrow(0, r, 1), weight, bias)!;
            Assert.True(alone.equal(together.narrow(0, r, 1)).all().item<bool>(), $"row {r} alone differs from row {r} of the batch");
        }
        // Another batch order: the rows moved, their bits did not.
        var reversed = CpuLinear.TryForward(batch.flip(0), weight, bias)!;
        Assert.True(reversed.flip(0).equal(together).all().item<bool>(), "reordering the batch changed a row's output");
    }

    // The order each output is summed in, written out in scalars: a step's 16 lanes over the input in order,
    // Vector512.Sum's tree across them, the tail, the bias (0 without one); a prefill's one chain over the inputs
    // from zero, then the bias. The kernels give exactly these bits on every CPU they run on (AVX-512's
    // registers, or AVX2's halves and other blockings), so an answer does not depend on the machine's vectors.
    static float StepOrder(float[] x, float[] w, float bias)
    {
        int n = x.Length, whole = n - n % 16;
        var lanes = new float[16];
        for (int k = 0; k < whole; k++)
            lanes[k % 16] = MathF.FusedMultiplyAdd(x[k], w[k], lanes[k % 16]);
        float Quarter(int i) => (lanes[i] + lanes[i + 1]) + (lanes[i + 2] + lanes[i + 3]);
        float s = (Quarter(0) + Quarter(4)) + (Quarter(8) + Quarter(12));
        for (int k = whole; k < n; k++)
            s = MathF.FusedMultiplyAdd(x[k], w[k], s);
        return s + bias;
    }

    static float PrefillOrder(float[] x, float[] w, float? bias)
    {
        float s = 0;
        for (int k = 0; k < x.Length; k++)
            s = MathF.FusedMultiplyAdd(x[k], w[k], s);
        return bias is { } b ? s + b : s;
    }

    [Theory]
    [InlineData(37, 19, 3, 1, true)]
    [InlineData(768, 1283, 5, 1, false)]
    [InlineData(130, 333, 2, 13, true)]
    [InlineData(64, 96, 1, 9, false)]
    public void EveryOutputIsSummedInItsDocumentedOrder(int inFeatures, int outFeatures, int rows, int positions, bool withBias)
    {
        if (!CpuLinear.Available)
            return;
        using var scope = NewDisposeScope();
        var (weight, bias) = Weights(inFeatures, outFeatures, seed: 6);
        var x = Rows(rows, inFeatures, seed: 7, positions);
        var y = CpuLinear.TryForward(x, weight, withBias ? bias : null)!.data<float>().ToArray();
        var xs = x.data<float>().ToArray();
        var ws = weight.data<float>().ToArray();
        var bs = bias.data<float>().ToArray();
        for (int row = 0; row < rows * positions; row++)
        {
            var xr = xs.AsSpan(row * inFeatures, inFeatures).ToArray();
            for (int j = 0; j < outFeatures; j++)
            {
                var wj = ws.AsSpan(j * inFeatures, inFeatures).ToArray();
                float expected = positions == 1 ? StepOrder(xr, wj, withBias ? bs[j] : 0f) : PrefillOrder(xr, wj, withBias ? bs[j] : null);
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(y[row * outFeatures + j]),
                    $"{inFeatures}→{outFeatures}, position {row}, output {j}: {y[row * outFeatures + j]:R} where the documented order gives {expected:R}");
            }
        }
    }

    // The AVX2 paths against AVX-512's on the same inputs, bit for bit (on a CPU without AVX-512 both runs take
    // the AVX2 paths; the documented order above pins them there).
    [Theory]
    [InlineData(768, 1283, 5, 1)]
    [InlineData(37, 19, 2, 1)]
    [InlineData(130, 333, 3, 13)]
    public void Avx2PathsGiveTheAvx512PathsBits(int inFeatures, int outFeatures, int rows, int positions)
    {
        if (!CpuLinear.Available)
            return;
        using var scope = NewDisposeScope();
        var (weight, bias) = Weights(inFeatures, outFeatures, seed: 8);
        var x = Rows(rows, inFeatures, seed: 9, positions);
        var wide = CpuLinear.TryForward(x, weight, bias)!;
        Tensor halves;
        using (CpuLinear.UseHalves())
            halves = CpuLinear.TryForward(x, weight, bias)!;
        Assert.True(wide.equal(halves).all().item<bool>(), $"{inFeatures}→{outFeatures}, {rows}×{positions}: the AVX2 paths give other bits");
    }

    [Fact]
    public void TrainingAndOtherTypesStayWithLibtorch()
    {
        using var scope = NewDisposeScope();
        var (weight, bias) = Weights(64, 32, seed: 5);
        Assert.Null(CpuLinear.TryForward(randn(2, 1, 64).requires_grad_(), weight, bias));      // autograd needs libtorch's
        Assert.Null(CpuLinear.TryForward(randn(2, 3, 64).requires_grad_(), weight, bias));
        Assert.Null(CpuLinear.TryForward(randn(2, 1, 64, dtype: ScalarType.BFloat16), weight.to(ScalarType.BFloat16), null));
        Assert.Null(CpuLinear.TryForward(randn(2, 64), weight, bias));                            // no position axis
        using (CpuLinear.UseLibtorch())
            Assert.Null(CpuLinear.TryForward(randn(2, 1, 64), weight, bias));
        Assert.Equal(CpuLinear.Available, CpuLinear.TryForward(randn(2, 1, 64), weight, bias) is not null);
    }
}
