using static TorchSharp.torch;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// The Gated DeltaNet's per-head write strength β = sigmoid(b) and decay g = −exp(A_log) · softplus(a + dt_bias)
/// (<see cref="Blocks.GatedDeltaNet"/>), one element at a time on the CPU.
/// </summary>
/// <remarks>
/// Why not libtorch's ops: they run over the whole [B, T, heads] tensor in vectors of 32 and the last
/// n mod 32 elements through the C library's scalar functions, which round differently; with a head count
/// that is not a multiple of 32 which elements fall in that tail depends on B·T, so a row's β and g changed in
/// the last bits with the batch (measured: 3e-8 on the tiny test model with a third row in the batch). Here
/// every element goes through the same scalar function (softplus in double precision, libtorch's threshold
/// of 20), so a row gets the same bits alone and in any batch. The values agree with libtorch's to float
/// rounding. Takes float32 CPU tensors outside autograd and returns null otherwise (the caller runs libtorch).
/// </remarks>
internal static unsafe class DeltaGateKernel
{
    /// <summary>b, a [B, T, H], A_log, dt_bias [H] → (β, g) [B, T, H] float32; null when not handled.</summary>
    public static (Tensor Beta, Tensor Decay)? TryRun(Tensor b, Tensor a, Tensor aLog, Tensor dtBias)
    {
        if (!CpuLinear.Runs || !CpuLinear.Handles(b) || !CpuLinear.Handles(a) || !CpuLinear.Handles(aLog) || !CpuLinear.Handles(dtBias))
            return null;
        long heads = aLog.size(0);
        if (b.dim() != 3 || a.dim() != 3 || aLog.dim() != 1 || dtBias.dim() != 1 || dtBias.size(0) != heads
            || b.size(2) != heads || a.size(2) != heads || b.size(0) != a.size(0) || b.size(1) != a.size(1))
            return null;
        using var bs = b.contiguous();
        using var @as = a.contiguous();
        using var logs = aLog.contiguous();
        using var biases = dtBias.contiguous();
        var beta = empty_like(bs);
        var decay = empty_like(@as);
        float* pb = TensorData.Floats(bs), pa = TensorData.Floats(@as), pl = TensorData.Floats(logs), pd = TensorData.Floats(biases);
        float* outBeta = TensorData.Floats(beta), outDecay = TensorData.Floats(decay);
        int h = (int)heads;
        long positions = bs.numel() / Math.Max(h, 1);
        // −exp(A_log) once per head, not once per element.
        var rates = new float[h];
        for (int head = 0; head < h; head++)
            rates[head] = -MathF.Exp(pl[head]);
        for (long p = 0, i = 0; p < positions; p++)
            for (int head = 0; head < h; head++, i++)
            {
                outBeta[i] = 1f / (1f + MathF.Exp(-pb[i]));
                float x = pa[i] + pd[head];
                float softplus = x > 20f ? x : (float)Math.Log(1 + Math.Exp(x));
                outDecay[i] = rates[head] * softplus;
            }
        return (beta, decay);
    }
}
