using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// y = x Wᵀ + b for one-position steps (<see cref="CpuLinear"/>): a step reads every weight once and does
/// two FLOPs per weight per row, so it is bound by how fast weights stream from memory. Threads split W's
/// rows; blocks of 8 weight rows stay in cache while every row of x passes over them, each output one dot
/// product accumulated in 16 lanes over the input in order, then across the lanes (eight outputs' lanes at
/// once where the input is whole vectors, <see cref="LaneSums"/>), then the tail. Where the CPU has AVX2 only,
/// each 16-lane accumulator is two 256-bit halves and two outputs of two rows (or four of one) go at a time
/// (sixteen registers hold eight such accumulators, not sixteen): the same operations on every lane, so the same bits.
/// </summary>
internal static unsafe class RowDotKernel
{
    const int Lanes = 16;

    // Below this many weight bytes a second thread costs more to wake than it saves.
    const long ParallelBytes = 256 * 1024;

    struct Job
    {
        public float* X, W, Bias, Y;
        public int Rows, In, Out, Parts, Per;
        public bool Halves;
    }

    public static void Run(float* x, int rows, int inFeatures, float* w, float* bias, int outFeatures, float* y)
    {
        int parts = (long)outFeatures * inFeatures * sizeof(float) < ParallelBytes ? 1 : OpenMpTeam.Parts(outFeatures / 8);
        var job = new Job { X = x, Rows = rows, In = inFeatures, W = w, Bias = bias, Out = outFeatures, Y = y, Parts = parts, Per = (outFeatures / parts + 7) & ~7, Halves = CpuLinear.ByHalves };
        OpenMpTeam.Run(&Part, &job, parts);
    }

    static void Part(void* state, int part)
    {
        var job = (Job*)state;
        int first = Math.Min(job->Out, part * job->Per);
        int end = part == job->Parts - 1 ? job->Out : Math.Min(job->Out, first + job->Per);
        if (job->Halves)
            ColumnsByHalves(job->X, job->Rows, job->In, job->W, job->Bias, job->Out, job->Y, first, end);
        else
            Columns(job->X, job->Rows, job->In, job->W, job->Bias, job->Out, job->Y, first, end);
    }

    /// <summary>Outputs [first, end) of every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Columns(float* x, int rows, int n, float* w, float* bias, int outFeatures, float* y, int first, int end)
    {
        int j = first;
        // Two rows of x share each load of the weights where their sums can be reduced together (whole vectors).
        int paired = n % Lanes == 0 && LaneSums.Available ? rows & ~1 : 0;
        for (; j + 8 <= end; j += 8)
        {
            int r = 0;
            for (; r < paired; r += 2)
                EightDotsOfTwoRows(x + (long)r * n, n, w + (long)j * n, bias is null ? null : bias + j, y + (long)r * outFeatures + j, outFeatures);
            for (; r < rows; r++)
                EightDots(x + (long)r * n, n, w + (long)j * n, bias is null ? null : bias + j, y + (long)r * outFeatures + j);
        }
        for (; j < end; j++)
            for (int r = 0; r < rows; r++)
                y[(long)r * outFeatures + j] = Dot(x + (long)r * n, w + (long)j * n, n) + (bias is null ? 0f : bias[j]);
    }

    /// <summary>The one summation order every output shares: chunks in sequence, then the lanes, then the tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Finish(Vector512<float> sum, float* x, float* w, int k, int n)
    {
        float s = Vector512.Sum(sum);
        for (; k < n; k++)
            s = MathF.FusedMultiplyAdd(x[k], w[k], s);
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Dot(float* x, float* w, int n)
    {
        var sum = Vector512<float>.Zero;
        int k = 0;
        for (; k + Lanes <= n; k += Lanes)
            sum = Vector512.FusedMultiplyAdd(Vector512.Load(x + k), Vector512.Load(w + k), sum);
        return Finish(sum, x, w, k, n);
    }

    /// <summary>
    /// <see cref="EightDots"/> for two consecutive rows of x (<paramref name="n"/> whole vectors): sixteen sums,
    /// each in the same order as alone, so the same bits; ten loads feed sixteen multiply-adds where one row took
    /// nine for eight.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void EightDotsOfTwoRows(float* x, int n, float* w, float* bias, float* y, int outFeatures)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        float* x1 = x + n;
        float* w0 = w, w1 = w + n, w2 = w1 + n, w3 = w2 + n, w4 = w3 + n, w5 = w4 + n, w6 = w5 + n, w7 = w6 + n;
        for (int k = 0; k < n; k += Lanes)
        {
            var xa = Vector512.Load(x + k);
            var xb = Vector512.Load(x1 + k);
            var v = Vector512.Load(w0 + k);
            a0 = Vector512.FusedMultiplyAdd(xa, v, a0);
            b0 = Vector512.FusedMultiplyAdd(xb, v, b0);
            v = Vector512.Load(w1 + k);
            a1 = Vector512.FusedMultiplyAdd(xa, v, a1);
            b1 = Vector512.FusedMultiplyAdd(xb, v, b1);
            v = Vector512.Load(w2 + k);
            a2 = Vector512.FusedMultiplyAdd(xa, v, a2);
            b2 = Vector512.FusedMultiplyAdd(xb, v, b2);
            v = Vector512.Load(w3 + k);
            a3 = Vector512.FusedMultiplyAdd(xa, v, a3);
            b3 = Vector512.FusedMultiplyAdd(xb, v, b3);
            v = Vector512.Load(w4 + k);
            a4 = Vector512.FusedMultiplyAdd(xa, v, a4);
            b4 = Vector512.FusedMultiplyAdd(xb, v, b4);
            v = Vector512.Load(w5 + k);
            a5 = Vector512.FusedMultiplyAdd(xa, v, a5);
            b5 = Vector512.FusedMultiplyAdd(xb, v, b5);
            v = Vector512.Load(w6 + k);
            a6 = Vector512.FusedMultiplyAdd(xa, v, a6);
            b6 = Vector512.FusedMultiplyAdd(xb, v, b6);
            v = Vector512.Load(w7 + k);
            a7 = Vector512.FusedMultiplyAdd(xa, v, a7);
            b7 = Vector512.FusedMultiplyAdd(xb, v, b7);
        }
        var sums = LaneSums.Of16(a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7);
        var add = bias is null ? Vector256<float>.Zero : Vector256.Load(bias);
        (sums.GetLower() + add).Store(y);
        (sums.GetUpper() + add).Store(y + outFeatures);
    }

    /// <summary>Eight dot products of one row with eight consecutive weight rows: eight independent sums keep the FMA units busy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void EightDots(float* x, int n, float* w, float* bias, float* y)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        float* w0 = w, w1 = w + n, w2 = w1 + n, w3 = w2 + n, w4 = w3 + n, w5 = w4 + n, w6 = w5 + n, w7 = w6 + n;
        int k = 0;
        for (; k + Lanes <= n; k += Lanes)
        {
            var xk = Vector512.Load(x + k);
            s0 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w0 + k), s0);
            s1 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w1 + k), s1);
            s2 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w2 + k), s2);
            s3 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w3 + k), s3);
            s4 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w4 + k), s4);
            s5 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w5 + k), s5);
            s6 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w6 + k), s6);
            s7 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w7 + k), s7);
        }
        if (k == n && LaneSums.Available)
        {
            // A width of whole vectors: the eight sums reduced together, then the bias (0 without one), as below.
            (LaneSums.Of8(s0, s1, s2, s3, s4, s5, s6, s7).GetLower() + (bias is null ? Vector256<float>.Zero : Vector256.Load(bias))).Store(y);
            return;
        }
        y[0] = Finish(s0, x, w0, k, n) + (bias is null ? 0f : bias[0]);
        y[1] = Finish(s1, x, w1, k, n) + (bias is null ? 0f : bias[1]);
        y[2] = Finish(s2, x, w2, k, n) + (bias is null ? 0f : bias[2]);
        y[3] = Finish(s3, x, w3, k, n) + (bias is null ? 0f : bias[3]);
        y[4] = Finish(s4, x, w4, k, n) + (bias is null ? 0f : bias[4]);
        y[5] = Finish(s5, x, w5, k, n) + (bias is null ? 0f : bias[5]);
        y[6] = Finish(s6, x, w6, k, n) + (bias is null ? 0f : bias[6]);
        y[7] = Finish(s7, x, w7, k, n) + (bias is null ? 0f : bias[7]);
    }

    /// <summary>
    /// <see cref="Columns"/> with 16-lane accumulators as two AVX2 halves: blocks of eight weight rows, two outputs
    /// of two rows at a time (or four outputs of the last, unpaired row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ColumnsByHalves(float* x, int rows, int n, float* w, float* bias, int outFeatures, float* y, int first, int end)
    {
        int j = first;
        // Pairs of rows share each weight load (on the 1,536-wide down projection of 16 rows, one thread: 640 → 400 µs).
        int paired = rows & ~1;
        for (; j + 8 <= end; j += 8)
        {
            int r = 0;
            for (; r < paired; r += 2)
                for (int o = 0; o < 8; o += 2)
                    TwoDotsOfTwoRows(x + (long)r * n, n, w + (long)(j + o) * n, bias is null ? null : bias + j + o, y + (long)r * outFeatures + j + o, outFeatures);
            for (; r < rows; r++)
            {
                FourOutputsByHalves(x + (long)r * n, n, w + (long)j * n, bias is null ? null : bias + j, y + (long)r * outFeatures + j);
                FourOutputsByHalves(x + (long)r * n, n, w + (long)(j + 4) * n, bias is null ? null : bias + j + 4, y + (long)r * outFeatures + j + 4);
            }
        }
        for (; j + 4 <= end; j += 4)
            for (int r = 0; r < rows; r++)
                FourOutputsByHalves(x + (long)r * n, n, w + (long)j * n, bias is null ? null : bias + j, y + (long)r * outFeatures + j);
        for (; j < end; j++)
            for (int r = 0; r < rows; r++)
                y[(long)r * outFeatures + j] = DotByHalves(x + (long)r * n, w + (long)j * n, n) + (bias is null ? 0f : bias[j]);
    }

    /// <summary><see cref="Finish"/> for an accumulator kept as two halves: the lanes in <c>Vector512.Sum</c>'s tree, then the tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float FinishHalves(Vector256<float> lower, Vector256<float> upper, float* x, float* w, int k, int n)
    {
        float s = LaneSums.OfHalves(lower, upper);
        for (; k < n; k++)
            s = MathF.FusedMultiplyAdd(x[k], w[k], s);
        return s;
    }

    /// <summary>One output's dot product in the 16-lane order, with AVX2 halves (the outputs past the last block of four).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float DotByHalves(float* x, float* w, int n)
    {
        Vector256<float> lower = default, upper = default;
        int k = 0;
        for (; k + Lanes <= n; k += Lanes)
        {
            lower = Vector256.FusedMultiplyAdd(Vector256.Load(x + k), Vector256.Load(w + k), lower);
            upper = Vector256.FusedMultiplyAdd(Vector256.Load(x + k + 8), Vector256.Load(w + k + 8), upper);
        }
        return FinishHalves(lower, upper, x, w, k, n);
    }

    /// <summary>
    /// Four dot products of x (<paramref name="n"/> values) with the rows at w, w + stride, w + 2·stride and
    /// w + 3·stride, each in the 16-lane order with its accumulator as two halves (eight registers), into
    /// <paramref name="sums"/>: four of <see cref="EightDots"/>'s outputs before the bias, and four of attention's
    /// step scores before the scale.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void FourDotsByHalves(float* x, int n, float* w, long stride, float* sums)
    {
        Vector256<float> l0 = default, u0 = default, l1 = default, u1 = default, l2 = default, u2 = default, l3 = default, u3 = default;
        float* w0 = w, w1 = w + stride, w2 = w1 + stride, w3 = w2 + stride;
        int k = 0;
        for (; k + Lanes <= n; k += Lanes)
        {
            var xl = Vector256.Load(x + k);
            var xu = Vector256.Load(x + k + 8);
            l0 = Vector256.FusedMultiplyAdd(xl, Vector256.Load(w0 + k), l0);
            u0 = Vector256.FusedMultiplyAdd(xu, Vector256.Load(w0 + k + 8), u0);
            l1 = Vector256.FusedMultiplyAdd(xl, Vector256.Load(w1 + k), l1);
            u1 = Vector256.FusedMultiplyAdd(xu, Vector256.Load(w1 + k + 8), u1);
            l2 = Vector256.FusedMultiplyAdd(xl, Vector256.Load(w2 + k), l2);
            u2 = Vector256.FusedMultiplyAdd(xu, Vector256.Load(w2 + k + 8), u2);
            l3 = Vector256.FusedMultiplyAdd(xl, Vector256.Load(w3 + k), l3);
            u3 = Vector256.FusedMultiplyAdd(xu, Vector256.Load(w3 + k + 8), u3);
        }
        sums[0] = FinishHalves(l0, u0, x, w0, k, n);
        sums[1] = FinishHalves(l1, u1, x, w1, k, n);
        sums[2] = FinishHalves(l2, u2, x, w2, k, n);
        sums[3] = FinishHalves(l3, u3, x, w3, k, n);
    }

    /// <summary>Four outputs of one row: <see cref="FourDotsByHalves(float*, int, float*, long, float*)"/>, then the bias (0 without one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void FourOutputsByHalves(float* x, int n, float* w, float* bias, float* y)
    {
        FourDotsByHalves(x, n, w, n, y);
        for (int i = 0; i < 4; i++)
            y[i] += bias is null ? 0f : bias[i];
    }

    /// <summary>Two outputs of two consecutive rows of x, each accumulator as two halves (eight registers): each weight load feeds both rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void TwoDotsOfTwoRows(float* x, int n, float* w, float* bias, float* y, int outFeatures)
    {
        Vector256<float> al0 = default, au0 = default, al1 = default, au1 = default, bl0 = default, bu0 = default, bl1 = default, bu1 = default;
        float* x1 = x + n;
        float* w0 = w, w1 = w + n;
        int k = 0;
        for (; k + Lanes <= n; k += Lanes)
        {
            var xal = Vector256.Load(x + k);
            var xbl = Vector256.Load(x1 + k);
            var v = Vector256.Load(w0 + k);
            al0 = Vector256.FusedMultiplyAdd(xal, v, al0);
            bl0 = Vector256.FusedMultiplyAdd(xbl, v, bl0);
            v = Vector256.Load(w1 + k);
            al1 = Vector256.FusedMultiplyAdd(xal, v, al1);
            bl1 = Vector256.FusedMultiplyAdd(xbl, v, bl1);
            var xau = Vector256.Load(x + k + 8);
            var xbu = Vector256.Load(x1 + k + 8);
            v = Vector256.Load(w0 + k + 8);
            au0 = Vector256.FusedMultiplyAdd(xau, v, au0);
            bu0 = Vector256.FusedMultiplyAdd(xbu, v, bu0);
            v = Vector256.Load(w1 + k + 8);
            au1 = Vector256.FusedMultiplyAdd(xau, v, au1);
            bu1 = Vector256.FusedMultiplyAdd(xbu, v, bu1);
        }
        float b0 = bias is null ? 0f : bias[0], b1 = bias is null ? 0f : bias[1];
        y[0] = FinishHalves(al0, au0, x, w0, k, n) + b0;
        y[1] = FinishHalves(al1, au1, x, w1, k, n) + b1;
        y[outFeatures] = FinishHalves(bl0, bu0, x1, w0, k, n) + b0;
        y[outFeatures + 1] = FinishHalves(bl1, bu1, x1, w1, k, n) + b1;
    }
}
