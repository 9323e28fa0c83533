using RecursiveMas.Models.Kernels;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

public class SwiGluKernelTests
{
    // Gate and up as a fused gate/up projection hands them over (two halves of one [B, T, 2n] output):
    // widths a multiple of libtorch's 32-element vector step, with a scalar rest, and below one step;
    // values from tiny to past the range where exp saturates.
    [Theory]
    [InlineData(1, 1, 288, 1f)]
    [InlineData(2, 7, 96, 4f)]
    [InlineData(1, 3, 40, 12f)]
    [InlineData(4, 5, 17, 3f)]
    [InlineData(3, 2, 1376, 40f)]
    public void GivesLibtorchsBits(int batch, int positions, int width, float scale)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(9);
        var fused = randn([batch, positions, 2 * width], generator: generator) * scale;
        var (gate, up) = (fused.narrow(-1, 0, width), fused.narrow(-1, width, width));
        Tensor byLibtorch;
        using (CpuLinear.UseLibtorch())
            byLibtorch = nn.functional.silu(gate) * up;
        var byKernel = SwiGluKernel.TryRun(gate, up);
        if (!CpuLinear.Available || !SwiGluKernel.Agrees)
        {
            // Without AVX2 and FMA, or with a libtorch whose exp differs, libtorch runs.
            Assert.Null(byKernel);
            return;
        }
        Assert.NotNull(byKernel);
        Assert.True(byKernel.equal(byLibtorch).all().item<bool>(), $"[{batch}, {positions}, {width}]: the kernel's gate differs from libtorch's");
    }

    // 961 rows of 288 split between two threads at the middle element, inside row 480: libtorch computes
    // part of that row with another exp than the row alone gets. The kernel gives each row its own bits.
    [Fact]
    public void EveryRowOfABatchIsWhatItIsAlone()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(10);
        var fused = randn([1, 961, 2 * 288], generator: generator) * 4;
        var (gate, up) = (fused.narrow(-1, 0, 288), fused.narrow(-1, 288, 288));
        var batched = SwiGluKernel.Run(gate, up);
        if (batched is null)
            return; // no AVX2 and FMA: libtorch runs
        foreach (int row in new[] { 0, 479, 480, 481, 960 })
        {
            var alone = SwiGluKernel.Run(gate.narrow(1, row, 1), up.narrow(1, row, 1))!;
            Assert.True(alone.equal(batched.narrow(1, row, 1)).all().item<bool>(), $"row {row} differs alone and batched");
        }
    }

    // SiLU alone (the Gated DeltaNet's activations): each row gets libtorch's bits for that row alone —
    // widths below one vector step, with a scalar rest, and a multiple of it.
    [Theory]
    [InlineData(56)]
    [InlineData(6)]
    [InlineData(128)]
    public void SiluAloneGivesEachRowLibtorchsBitsForThatRow(int width)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var x = randn([3, 5, width], generator: generator) * 4;
        var rows = SwiGluKernel.TrySilu(x);
        if (!CpuLinear.Available || !SwiGluKernel.Agrees)
        {
            Assert.Null(rows);
            return;
        }
        Assert.NotNull(rows);
        for (int b = 0; b < 3; b++)
            for (int t = 0; t < 5; t++)
            {
                Tensor alone;
                using (CpuLinear.UseLibtorch())
                    alone = nn.functional.silu(x[b, t].clone());
                Assert.True(rows[b, t].equal(alone).all().item<bool>(), $"row [{b}, {t}] of width {width} differs from libtorch's silu of it alone");
            }
    }

    [Fact]
    public void LeavesWhatItDoesNotHandleToLibtorch()
    {
        using var scope = NewDisposeScope();
        Assert.Null(SwiGluKernel.Run(randn(4, 32), randn(4, 32)));                          // not [B, T, n]
        Assert.Null(SwiGluKernel.Run(randn(1, 4, 32), randn(1, 4, 16)));                    // shapes differ
        Assert.Null(SwiGluKernel.Run(randn(1, 32, 4).transpose(1, 2), randn(1, 4, 32)));    // last dimension strided
        Assert.Null(SwiGluKernel.TryRun(randn([1, 2, 32], dtype: ScalarType.Float64), randn([1, 2, 32], dtype: ScalarType.Float64)));
        Assert.Null(SwiGluKernel.TryRun(randn([1, 2, 32], requires_grad: true), randn(1, 2, 32)));
    }
}
