using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// The RMSNorm of <see cref="Blocks.RmsNorm"/> — w · x / √(mean(x²) + ε), or (1 + w) · … for zero-centred
/// norms — in one pass on the CPU. libtorch runs it as six ops (square, mean, add, rsqrt and two products),
/// each a call and a temporary; a latent step of a decoder runs two or four norms per layer, so on the
/// small agents a step is mostly such calls.
/// </summary>
/// <remarks>
/// <para>
/// Gives libtorch's bits. Every op but the mean rounds one element at a time (x·x, v + ε, 1 / √, the two
/// products), so the kernel does the same operations in the same order; libtorch's mean over a contiguous
/// last dimension is a sum divided by its length, and the sum is ATen's cascade over vectors of its CPU
/// capability's width (<see cref="CascadeSum"/> reproduces it for AVX2's 8). The width is not something libtorch
/// reports, so the first call checks the kernel against libtorch on a probe and the kernel runs only where every bit
/// agreed (<see cref="Agrees"/>); elsewhere libtorch runs, as on a CPU without AVX2 and FMA.
/// </para>
/// <para>
/// Takes only what it handles — float32 on the CPU without autograd, up to 4 dimensions with the last one
/// contiguous, a contiguous [d] weight — and returns null otherwise. Batch-invariant: each row alone.
/// </para>
/// </remarks>
internal static unsafe class RmsNormKernel
{
    const int Lanes = 16;
    const int SumLanes = 8;

    static readonly Lazy<bool> s_agrees = new(CheckAgainstLibtorch);

    /// <summary>Whether the kernel gave libtorch's bits on the probe (checked once, on first use).</summary>
    public static bool Agrees => s_agrees.Value;

    /// <summary>x [..., d], weight [d] → a new contiguous [..., d]; null when not handled.</summary>
    public static Tensor? TryRun(Tensor x, Tensor weight, double eps, bool zeroCentered)
    {
        if (!CpuLinear.Runs || !CpuLinear.Handles(x) || !CpuLinear.Handles(weight) || !Agrees)
            return null;
        return Run(x, weight, eps, zeroCentered);
    }

    /// <summary>
    /// x / √(mean(x²) + ε) over the last dimension, no scale (the Gated DeltaNet norm's first step); null when
    /// not handled. Each row alone: libtorch's mean over a short last dimension sums several rows at once,
    /// so a row's bits there depend on how many rows the tensor has — on the batch.
    /// </summary>
    public static Tensor? TryUnitRms(Tensor x, double eps) =>
        CpuLinear.Runs && CpuLinear.Handles(x) && Agrees ? Run(x, null, eps, zeroCentered: false) : null;

    /// <summary>x / √(Σx² + ε) over the last dimension, each row alone (see <see cref="TryUnitRms"/>); null when not handled.</summary>
    public static Tensor? TryL2Normalize(Tensor x, double eps) =>
        CpuLinear.Runs && CpuLinear.Handles(x) && Agrees ? Run(x, null, eps, zeroCentered: false, mean: false) : null;

    /// <summary>The kernel without the probe's verdict (the probe and tests call it); no weight: no scale, and Σx² instead of the mean where <paramref name="mean"/> is false.</summary>
    internal static Tensor? Run(Tensor x, Tensor? weight, double eps, bool zeroCentered, bool mean = true)
    {
        long[] shape = x.Sizes(), strides = x.Strides();
        long size = shape.Length == 0 ? 0 : shape[^1];
        if (shape.Length is 0 or > 4 || strides[^1] != 1 || size < 1 || size > int.MaxValue
            || (weight is not null && (!weight.is_contiguous() || weight.Sizes() is not [var length] || length != size)))
            return null;
        var output = empty(shape, ScalarType.Float32, x.device);
        if (output.numel() == 0)
            return output;
        // Leading dimensions padded to three, outermost first.
        long[] dims = [1, 1, 1], steps = [0, 0, 0];
        for (int i = 0; i < shape.Length - 1; i++)
        {
            dims[3 - (shape.Length - 1) + i] = shape[i];
            steps[3 - (shape.Length - 1) + i] = strides[i];
        }
        float* px = TensorData.Floats(x), pw = weight is null ? null : TensorData.Floats(weight), py = TensorData.Floats(output);
        int d = (int)size;
        float epsilon = (float)eps;
        long row = 0;
        for (long a = 0; a < dims[0]; a++)
            for (long b = 0; b < dims[1]; b++)
                for (long c = 0; c < dims[2]; c++, row++)
                    Normalize(px + a * steps[0] + b * steps[1] + c * steps[2], pw, zeroCentered, mean, d, epsilon, py + row * d);
        return output;
    }

    /// <summary>
    /// The same norm over raw rows (the fused one-position step, <see cref="Blocks.DecoderStep"/>): row r reads
    /// <paramref name="d"/> values at x + r·<paramref name="xStride"/> and writes y + r·<paramref name="yStride"/>.
    /// Callers check <see cref="Agrees"/> first.
    /// </summary>
    internal static void NormalizeRows(float* x, long xStride, int rows, float* w, bool zeroCentered, int d, float eps, float* y, long yStride)
    {
        for (int r = 0; r < rows; r++)
            Normalize(x + r * xStride, w, zeroCentered, mean: true, d, eps, y + r * yStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Normalize(float* x, float* w, bool zeroCentered, bool mean, int d, float eps, float* y)
    {
        // mean(x²): libtorch's sum, then a division by the length; + ε, then 1 / √ — each rounded as its op.
        float sum = CascadeSum(x, d);
        float inverse = 1f / MathF.Sqrt((mean ? sum / d : sum) + eps);
        int i = 0;
        var scale = Vector512.Create(inverse);
        if (w == null)
        {
            for (; i + Lanes <= d; i += Lanes)
                Vector512.Multiply(Vector512.Load(x + i), scale).Store(y + i);
            for (; i < d; i++)
                y[i] = x[i] * inverse;
            return;
        }
        if (zeroCentered)
        {
            // Scale by (1 + w): its own op in libtorch, rounded once before the product.
            var one = Vector512.Create(1f);
            for (; i + Lanes <= d; i += Lanes)
                Vector512.Multiply(Vector512.Load(w + i) + one, Vector512.Multiply(Vector512.Load(x + i), scale)).Store(y + i);
            for (; i < d; i++)
                y[i] = (w[i] + 1f) * (x[i] * inverse);
            return;
        }
        for (; i + Lanes <= d; i += Lanes)
            Vector512.Multiply(Vector512.Load(w + i), Vector512.Multiply(Vector512.Load(x + i), scale)).Store(y + i);
        for (; i < d; i++)
            y[i] = w[i] * (x[i] * inverse);
    }

    /// <summary>
    /// Σ x² in the order of ATen's inner sum (SumKernel.cpp) with its AVX2 vectors of 8, the width libtorch's
    /// CPU build dispatches to here (measured: its sums agree with this order bit for bit at every length
    /// tried, and with no other width): the row read as vectors V[0..n), n = d / 8; four interleaved
    /// accumulators (vector i goes to i mod 4) summed in cascading blocks of 2^p of their rows
    /// (p = max(4, ⌈log₂(n / 4)⌉ / 4), four levels), the leftover vectors into the first accumulator, the four
    /// into one; then the d mod 8 trailing squares one by one from zero, and the eight lanes added onto that
    /// in order. Rows shorter than 8 take ATen's scalar path: the same cascade over single elements.
    /// </summary>
    internal static float CascadeSum(float* x, int d)
    {
        if (d < SumLanes)
            return Cascade<float, ScalarSquares>(x, d);
        int vectors = d / SumLanes;
        var total = Cascade<Vector256<float>, VectorSquares>(x, vectors);
        float sum = 0;
        for (int i = vectors * SumLanes; i < d; i++)
            sum += x[i] * x[i];
        for (int lane = 0; lane < SumLanes; lane++)
            sum += total[lane];
        return sum;
    }

    /// <summary>
    /// ATen's <c>row_sum</c> over <paramref name="terms"/> groups of squares (a group: one 8-wide vector, or
    /// one element on the scalar path): four interleaved accumulators in cascading blocks, the groups left
    /// over into the first, then the four into one.
    /// </summary>
    static T Cascade<T, TSquares>(float* x, int terms)
        where T : unmanaged
        where TSquares : ISquares<T>
    {
        int rows = terms / 4;
        var acc = stackalloc T[16]; // [level, accumulator]
        new Span<T>(acc, 16).Clear();
        int power = Math.Max(4, CeilLog2(rows) / 4);
        int step = 1 << power, mask = step - 1;
        int r = 0;
        while (r + step <= rows)
        {
            for (int j = 0; j < step; j++, r++)
                for (int k = 0; k < 4; k++)
                    acc[k] = TSquares.Add(acc[k], TSquares.Of(x + (r * 4 + k) * TSquares.Width));
            for (int level = 1; level < 4; level++)
            {
                for (int k = 0; k < 4; k++)
                {
                    acc[level * 4 + k] = TSquares.Add(acc[level * 4 + k], acc[(level - 1) * 4 + k]);
                    acc[(level - 1) * 4 + k] = default;
                }
                if ((r & (mask << (level * power))) != 0)
                    break;
            }
        }
        for (; r < rows; r++)
            for (int k = 0; k < 4; k++)
                acc[k] = TSquares.Add(acc[k], TSquares.Of(x + (r * 4 + k) * TSquares.Width));
        for (int level = 1; level < 4; level++)
            for (int k = 0; k < 4; k++)
                acc[k] = TSquares.Add(acc[k], acc[level * 4 + k]);
        var total = acc[0];
        for (int v = rows * 4; v < terms; v++)
            total = TSquares.Add(total, TSquares.Of(x + v * TSquares.Width));
        return TSquares.Add(TSquares.Add(TSquares.Add(total, acc[1]), acc[2]), acc[3]);
    }

    /// <summary>A group of squares and their sum: ATen's AVX2 <c>Vectorized&lt;float&gt;</c>, or one float.</summary>
    interface ISquares<T>
    {
        static abstract int Width { get; }

        static abstract T Add(T a, T b);

        /// <summary>x[i]² for the group's <see cref="Width"/> elements from <paramref name="x"/>.</summary>
        static abstract T Of(float* x);
    }

    readonly struct VectorSquares : ISquares<Vector256<float>>
    {
        public static int Width => SumLanes;

        public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

        public static Vector256<float> Of(float* x)
        {
            var v = Vector256.Load(x);
            return Vector256.Multiply(v, v);
        }
    }

    readonly struct ScalarSquares : ISquares<float>
    {
        public static int Width => 1;

        public static float Add(float a, float b) => a + b;

        public static float Of(float* x) => *x * *x;
    }

    /// <summary>ATen's utils::CeilLog2: 1 up to 2, else ⌈log₂ x⌉.</summary>
    static int CeilLog2(int x) => x <= 2 ? 1 : 32 - int.LeadingZeroCount(x - 1);

    /// <summary>The kernel against libtorch's ops on rows of the widths decoders use and a few odd ones, both conventions.</summary>
    static bool CheckAgainstLibtorch()
    {
        if (!CpuLinear.Available)
            return false;
        using var scope = NewDisposeScope();
        using var generator = new Generator(20261206);
        foreach (int d in new[] { 3, 8, 17, 64, 96, 128, 200, 256, 384, 512, 1024, 1536, 2048, 4096, 5120 })
        {
            var x = randn([3, d], generator: generator) * 4;
            var w = randn([d], generator: generator);
            foreach (bool zeroCentered in new[] { false, true })
            {
                Tensor expected;
                using (CpuLinear.UseLibtorch())
                    expected = Blocks.RmsNorm.ByLibtorch(x, w, 1e-6, zeroCentered);
                var actual = Run(x, w, 1e-6, zeroCentered);
                if (actual is null || !actual.equal(expected).all().item<bool>())
                    return false;
            }
        }
        return true;
    }
}
