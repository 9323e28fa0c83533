using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// y = x Wᵀ + b for the decoders' projections and LM head at inference on the CPU, with two kernels of
/// the runtime's (AVX-512, or AVX2 with FMA: the same bits, see <see cref="ByHalves"/>) instead of libtorch's: <see cref="RowDotKernel"/> for one-position steps (latent steps,
/// decoding: x [B, 1, in]), which stream weights at close to the memory's speed where libtorch's one-row
/// kernel reads at a third of it; and <see cref="PanelGemmKernel"/> for prefills (x [B, T, in], T &gt; 1),
/// which runs at close to the FMA units' peak where libtorch's matrix product (MKL, which takes its AVX2
/// path on AMD CPUs) reaches about half on the AVX-512 EPYC these were tuned on.
/// </summary>
/// <remarks>
/// <para>
/// <b>Batch-invariant by construction.</b> Each output y[r, j] is one dot product of row r with weight
/// row j, accumulated in an order fixed by the kernel alone — never by the number of rows, the thread
/// that computes it, or where the row sits in the batch. So a question gets the same bits alone and in
/// any batch, which is what lets the continuous batcher promise every answer equals the question's
/// answer alone. (A step and a prefill accumulate in different orders; a row takes the same path alone
/// and batched, since the path depends on its own number of positions.)
/// </para>
/// <para>
/// Used where both paths of a projection would be: float32 on the CPU, no autograd (anything with a
/// graph goes through libtorch, and link training keeps libtorch throughout, see
/// <see cref="UseLibtorch"/>), and AVX-512 or AVX2 with FMA available (<see cref="Available"/>); elsewhere libtorch runs.
/// </para>
/// </remarks>
public static unsafe class CpuLinear
{
    // Flows into tasks and threads started inside the scope (a trainer's helpers).
    static readonly FlowSwitch s_libtorch = new();
    static readonly FlowSwitch s_halves = new();

    /// <summary>
    /// Whether this CPU runs the kernels: AVX-512, or AVX2 with FMA, where each 16-lane operation runs as the
    /// same operation on two 256-bit halves, lane for lane (so the same bits); elsewhere every projection runs libtorch's.
    /// </summary>
    public static bool Available => (Vector512.IsHardwareAccelerated || (Avx2.IsSupported && Fma.IsSupported)) && TensorData.Available;

    /// <summary>
    /// Which code the inference products and attention run here: <c>avx512</c> or <c>avx2</c> (the runtime's
    /// kernels, the same bits either way) or <c>libtorch</c> (no kernels on this CPU). Benchmarks record it,
    /// so a figure says which code it measured.
    /// </summary>
    public static string Code => !Available ? "libtorch" : Vector512.IsHardwareAccelerated ? "avx512" : "avx2";

    /// <summary>
    /// Whether the kernels take their AVX2 paths (each 16-lane accumulator as two 256-bit halves): on a CPU
    /// without AVX-512, or inside <see cref="UseHalves"/>. Read once per kernel call.
    /// </summary>
    internal static bool ByHalves => !Vector512.IsHardwareAccelerated || s_halves.IsOn;

    /// <summary>
    /// Runs the kernels' AVX2 paths for the calling code (this thread and what it starts) until disposed, where
    /// AVX-512 would run: tests compare the two bit for bit on a CPU that has both.
    /// </summary>
    internal static IDisposable UseHalves() => s_halves.TurnOn();

    /// <summary>Whether the calling code runs the kernels now: available, and not inside <see cref="UseLibtorch"/>.</summary>
    internal static bool Runs => Available && !s_libtorch.IsOn;

    /// <summary>
    /// Runs libtorch's kernels for the projections of the calling code (this thread and what it starts)
    /// until disposed: link training does, and <c>rmas bench --suite rollout</c> compares the two side by
    /// side. Results then differ from the kernels' in the last bits, so never mix the two within one
    /// comparison of batched and single answers.
    /// </summary>
    public static IDisposable UseLibtorch() => s_libtorch.TurnOn();

    /// <summary>
    /// x [..., in] Wᵀ + b: through a kernel where one runs, libtorch's <c>linear</c> elsewhere. The last two
    /// axes of x are a row's positions and features, a 2-D x one position per row; so a row takes the path
    /// its own shape picks, alone or batched. (libtorch's is not batch-invariant: its one-row product sums in
    /// another order than its batched one, measured on every link input of one position.)
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        long dims = x.dim();
        if (dims == 3 || !Runs || dims == 0)
            return (dims == 3 ? TryForward(x, weight, bias) : null) ?? nn.functional.linear(x, weight, bias);
        long features = x.size(-1);
        using var rows = dims == 1 ? x.reshape(1, 1, features) : dims == 2 ? x.unsqueeze(1) : x.reshape(-1, x.size(-2), features);
        using var y = TryForward(rows, weight, bias);
        if (y is null)
            return nn.functional.linear(x, weight, bias);
        long[] shape = x.Sizes();
        shape[^1] = weight.size(0);
        return y.reshape(shape);
    }

    /// <summary>x Wᵀ + b through a kernel when x [B, T, in] is one they handle; null otherwise (the caller runs libtorch).</summary>
    internal static Tensor? TryForward(Tensor x, Tensor weight, Tensor? bias)
    {
        if (!Runs || !Handles(x) || !Handles(weight) || (bias is not null && !Handles(bias)))
            return null;
        // Shapes read once per call, one dimension at a time (ShapeReads).
        long[] xs = x.Sizes(), ws = weight.Sizes();
        if (xs.Length != 3 || ws.Length != 2 || !weight.is_contiguous() || xs[2] != ws[1]
            || ws[0] > int.MaxValue || xs[0] * xs[1] > int.MaxValue)
            return null;
        int rows = (int)(xs[0] * xs[1]), inFeatures = (int)ws[1], outFeatures = (int)ws[0];
        var output = empty(xs[0], xs[1], outFeatures, ScalarType.Float32, x.device);
        if (rows == 0 || outFeatures == 0)
            return output;
        using var input = x.contiguous();
        using var biasValues = bias?.contiguous();
        float* px = TensorData.Floats(input), pw = TensorData.Floats(weight), py = TensorData.Floats(output);
        float* pb = biasValues is null ? null : TensorData.Floats(biasValues);
        if (xs[1] == 1)
            RowDotKernel.Run(px, rows, inFeatures, pw, pb, outFeatures, py);
        else
            PanelGemmKernel.Run(px, rows, inFeatures, pw, pb, outFeatures, py);
        return output;
    }

    /// <summary>A tensor the kernels read: float32 on the CPU, outside autograd.</summary>
    internal static bool Handles(Tensor t) =>
        t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && !t.requires_grad;
}
