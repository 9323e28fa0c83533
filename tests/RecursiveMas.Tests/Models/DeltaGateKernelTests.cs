using RecursiveMas.Models;
using RecursiveMas.Models.Kernels;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

public class DeltaGateKernelTests
{
    static (Tensor B, Tensor A, Tensor ALog, Tensor DtBias) Inputs(int batch, int positions, int heads, int seed)
    {
        using var generator = new Generator((ulong)seed);
        // Values past softplus's threshold of 20 and far below zero, as the projections can give.
        var b = randn([batch, positions, heads], generator: generator) * 6;
        var a = randn([batch, positions, heads], generator: generator) * 12;
        return (b, a, randn([heads], generator: generator), randn([heads], generator: generator) * 3);
    }

    [Fact]
    public void GivesLibtorchsStrengthAndDecayToFloatRounding()
    {
        using var scope = NewDisposeScope();
        var (b, a, aLog, dtBias) = Inputs(3, 7, 5, seed: 1);
        var byKernel = DeltaGateKernel.TryRun(b, a, aLog, dtBias);
        if (!CpuLinear.Available)
        {
            Assert.Null(byKernel);
            return;
        }
        var (beta, decay) = byKernel!.Value;
        using (CpuLinear.UseLibtorch())
        {
            TensorAssert.Close(b.sigmoid(), beta, 1e-6, "β");
            TensorAssert.Close(-aLog.exp() * a.Plus(dtBias).Softplus(), decay, 1e-5, "g");
        }
    }

    // 5 heads: libtorch's ops would round the tensor's last n mod 32 elements apart, a different set for every batch.
    [Fact]
    public void EveryRowIsWhatItIsAlone()
    {
        using var scope = NewDisposeScope();
        var (b, a, aLog, dtBias) = Inputs(4, 9, 5, seed: 2);
        if (DeltaGateKernel.TryRun(b, a, aLog, dtBias) is not var (beta, decay))
            return; // no AVX2 and FMA: libtorch runs
        for (int r = 0; r < 4; r++)
        {
            var (rowBeta, rowDecay) = DeltaGateKernel.TryRun(b.narrow(0, r, 1), a.narrow(0, r, 1), aLog, dtBias)!.Value;
            Assert.True(rowBeta.equal(beta.narrow(0, r, 1)).all().item<bool>() && rowDecay.equal(decay.narrow(0, r, 1)).all().item<bool>(), $"row {r} differs alone and batched");
        }
    }
}
