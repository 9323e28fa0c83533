using RecursiveMas.Models.Blocks;
using RecursiveMas.Models.Kernels;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

public class RmsNormKernelTests
{
    // Hidden states of a step and of a prefill, per-head q/k norms read from a fused q/k/v output (a view
    // whose rows are not evenly spaced), widths below, at and past the 8-wide vectors of libtorch's sum,
    // long rows whose sum cascades through several levels, both weight conventions.
    [Theory]
    [InlineData(new long[] { 1, 1, 96 }, false)]
    [InlineData(new long[] { 4, 7, 160 }, false)]
    [InlineData(new long[] { 2, 5, 1024 }, true)]
    [InlineData(new long[] { 3, 3 }, false)]
    [InlineData(new long[] { 2, 13 }, true)]
    [InlineData(new long[] { 1, 70003 }, false)]
    public void GivesLibtorchsBits(long[] shape, bool zeroCentered)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var x = randn(shape, generator: generator) * 3 + 0.5;
        var weight = randn([shape[^1]], generator: generator);
        AssertSameBits(x, weight, zeroCentered);
    }

    [Fact]
    public void NormsHeadsReadFromAFusedProjection()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(8);
        var qkv = randn([2, 3, 8 * 64 + 2 * 2 * 64], generator: generator);
        var q = qkv.narrow(-1, 0, 8 * 64).reshape(2, 3, 8, 64);
        var k = qkv.narrow(-1, 8 * 64, 2 * 64).reshape(2, 3, 2, 64);
        var weight = randn([64], generator: generator);
        AssertSameBits(q, weight, zeroCentered: false);
        AssertSameBits(k, weight, zeroCentered: true);
    }

    [Fact]
    public void LeavesWhatItDoesNotHandleToLibtorch()
    {
        using var scope = NewDisposeScope();
        var weight = ones(8);
        Assert.Null(RmsNormKernel.Run(randn([1, 2, 3, 4, 8]), weight, 1e-6, false));     // five dimensions
        Assert.Null(RmsNormKernel.Run(randn(8, 4).t(), weight.narrow(0, 0, 4), 1e-6, false)); // last dimension strided
        Assert.Null(RmsNormKernel.Run(randn(2, 8), ones(4), 1e-6, false));            // weight of another width
        Assert.Null(RmsNormKernel.TryRun(randn(2, 8, dtype: ScalarType.Float64), weight.to(ScalarType.Float64), 1e-6, false));
        Assert.Null(RmsNormKernel.TryRun(randn(2, 8, requires_grad: true), weight, 1e-6, false));
    }

    static void AssertSameBits(Tensor x, Tensor weight, bool zeroCentered)
    {
        Tensor byLibtorch;
        using (CpuLinear.UseLibtorch())
            byLibtorch = RmsNorm.ByLibtorch(x, weight, 1e-6, zeroCentered);
        var byKernel = RmsNormKernel.TryRun(x, weight, 1e-6, zeroCentered);
        if (!CpuLinear.Available)
        {
            Assert.Null(byKernel);
            return;
        }
        if (!RmsNormKernel.Agrees)
        {
            // A libtorch that sums in another order (another CPU capability) turns the kernel off rather
            // than giving other bits.
            Assert.Null(byKernel);
            return;
        }
        Assert.NotNull(byKernel);
        Assert.Equal(byLibtorch.shape, byKernel.shape);
        Assert.True(byKernel.equal(byLibtorch).all().item<bool>(), $"[{string.Join(", ", x.shape)}]: the kernel's norm differs from libtorch's");
    }
}
