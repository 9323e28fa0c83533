using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// The rotary of <see cref="Blocks.RotaryEmbedding.Apply"/> — x·cos + rotate_half(x)·sin — in one pass on the
/// CPU. libtorch runs it as five ops (narrow, negate, cat, two products, a sum), each a call and a
/// [B, H, T, hd] temporary: in a batched prefill of the system-bench agents that was 8 % of the time.
/// </summary>
/// <remarks>
/// Gives libtorch's bits: every element is the rounded product x·cos plus the rounded product of the
/// rotated element and sin, rounded once more (no fused multiply-add), exactly the three roundings of
/// libtorch's mul, mul and add. Takes only what it handles — float32 on the CPU without autograd, the
/// rotary over whole heads, half a head a multiple of 16, heads contiguous — and returns null otherwise.
/// </remarks>
internal static unsafe class RotaryKernel
{
    const int Lanes = 16;

    /// <summary>x [B, H, T, hd] (any strides but the last), cos and sin [B, 1, T, hd] → a new [B, H, T, hd]; null when not handled.</summary>
    public static Tensor? TryRun(Tensor x, Tensor cos, Tensor sin)
    {
        if (!CpuLinear.Runs || !CpuLinear.Handles(x) || !CpuLinear.Handles(cos) || !CpuLinear.Handles(sin))
            return null;
        long[] shape = x.Sizes(), strides = x.Strides();
        if (shape.Length != 4)
            return null;
        long b = shape[0], heads = shape[1], t = shape[2], headDim = shape[3];
        long[] table = [b, 1, t, headDim];
        if (headDim % (2 * Lanes) != 0 || strides[3] != 1 || !cos.is_contiguous() || !sin.is_contiguous()
            || !cos.Sizes().SequenceEqual(table) || !sin.Sizes().SequenceEqual(table))
            return null;
        var output = empty(b, heads, t, headDim, ScalarType.Float32, x.device);
        float* px = TensorData.Floats(x), pc = TensorData.Floats(cos), ps = TensorData.Floats(sin), py = TensorData.Floats(output);
        long sb = strides[0], sh = strides[1], st = strides[2];
        int half = (int)headDim / 2;
        for (long row = 0; row < b; row++)
            for (long head = 0; head < heads; head++)
                for (long position = 0; position < t; position++)
                {
                    long at = (row * t + position) * headDim;
                    Rotate(px + row * sb + head * sh + position * st, pc + at, ps + at, py + ((row * heads + head) * t + position) * headDim, half);
                }
        return output;
    }

    /// <summary>One head of one position: x [hd] with its cos and sin [hd] → y [hd]; half = hd / 2, a multiple of 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Rotate(float* x, float* cos, float* sin, float* y, int half)
    {
        for (int i = 0; i < half; i += Lanes)
        {
            var first = Vector512.Load(x + i);
            var second = Vector512.Load(x + half + i);
            // Separate multiplies and adds, never an FMA: each rounds as libtorch's op does.
            var low = Vector512.Multiply(first, Vector512.Load(cos + i)) + Vector512.Multiply(-second, Vector512.Load(sin + i));
            var high = Vector512.Multiply(second, Vector512.Load(cos + half + i)) + Vector512.Multiply(first, Vector512.Load(sin + half + i));
            low.Store(y + i);
            high.Store(y + half + i);
        }
    }
}
