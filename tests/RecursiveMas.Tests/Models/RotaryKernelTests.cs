using RecursiveMas.Models;
using RecursiveMas.Models.Blocks;
using RecursiveMas.Models.Kernels;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

public class RotaryKernelTests
{
    // Heads as the attention hands them over (a transposed view of [B, T, H, hd]), left-padded positions,
    // 32- and 64-wide heads, one position (a step) and many (a prefill).
    [Theory]
    [InlineData(3, 4, 7, 32)]
    [InlineData(2, 2, 1, 64)]
    [InlineData(1, 8, 33, 32)]
    public void GivesLibtorchsBits(int rows, int heads, int positions, int headDim)
    {
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(5);
        using var rotary = new RotaryEmbedding(10000, RopeScaling.None, headDim, CPU);
        var x = randn(rows, positions, heads, headDim, generator: generator).transpose(1, 2);
        var positionIds = arange(positions, ScalarType.Int64).unsqueeze(0).repeat(rows, 1) + randint(0, 40, [rows, 1], generator: generator);
        var (cos, sin) = rotary.Tables(positionIds, ScalarType.Float32);

        var byKernel = RotaryKernel.TryRun(x, cos, sin);
        Tensor byLibtorch;
        using (CpuLinear.UseLibtorch())
            byLibtorch = RotaryEmbedding.Apply(x, cos, sin);
        if (!CpuLinear.Available)
        {
            Assert.Null(byKernel);
            return;
        }
        Assert.NotNull(byKernel);
        Assert.True(byKernel.equal(byLibtorch).all().item<bool>(), $"{rows}×{heads}×{positions}×{headDim}: the kernel's rotary differs from libtorch's");
        Assert.True(RotaryEmbedding.Apply(x, cos, sin).equal(byLibtorch).all().item<bool>());
    }

    [Fact]
    public void LeavesPartialRotaryAndOddHeadsToLibtorch()
    {
        using var scope = NewDisposeScope();
        using var partial = new RotaryEmbedding(10000, RopeScaling.None, 16, CPU);
        var positions = arange(5, ScalarType.Int64).unsqueeze(0);
        var (cos, sin) = partial.Tables(positions, ScalarType.Float32);
        Assert.Null(RotaryKernel.TryRun(randn(1, 2, 5, 32), cos, sin));   // 16 of 32 channels rotate

        using var narrow = new RotaryEmbedding(10000, RopeScaling.None, 24, CPU);
        var (cos24, sin24) = narrow.Tables(positions, ScalarType.Float32);
        Assert.Null(RotaryKernel.TryRun(randn(1, 2, 5, 24), cos24, sin24)); // half a head is not a multiple of 16
    }
}
