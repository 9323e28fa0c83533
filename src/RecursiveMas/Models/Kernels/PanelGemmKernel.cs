using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// y = x Wᵀ + b for prefills (<see cref="CpuLinear"/>): compute-bound, so the point is keeping both FMA
/// units busy. W is packed 32 outputs at a time into a panel laid out input-major ([in][32], two
/// vectors per input), and an 8×32 block of y lives in 16 registers while the kernel walks the inputs:
/// per input, two panel loads and eight broadcasts feed 16 FMAs. Each output is accumulated over the
/// inputs in order from zero, then the bias added: the same for every row, whichever block holds it.
/// Threads split the panels; rows go in chunks so a chunk of x stays in cache across the panels. Where the
/// CPU has AVX2 only (sixteen 256-bit registers), a block is six rows, computed as two 6×16 halves with twelve
/// sums in registers (per input two panel loads and six broadcasts feed twelve FMAs): every output is still its
/// own chain of multiply-adds over the inputs in order, so the same bits.
/// </summary>
internal static unsafe class PanelGemmKernel
{
    const int PanelWidth = 32;
    const int RowBlock = 8;
    const int RowBlockByHalves = 6;
    const int RowChunk = 512;

    // Below this many multiply-adds a second thread costs more to wake than it saves.
    const long ParallelFmas = 1 << 20;

    // Each thread's panel buffer, kept between calls (the team's threads live as long as the process).
    [ThreadStatic]
    static float* t_panel;
    [ThreadStatic]
    static long t_panelFloats;

    struct Job
    {
        public float* X, W, Bias, Y;
        public int Rows, In, Out, Panels, Parts;
        public bool Halves;
    }

    public static void Run(float* x, int rows, int inFeatures, float* w, float* bias, int outFeatures, float* y)
    {
        int panels = (outFeatures + PanelWidth - 1) / PanelWidth;
        int parts = (long)rows * inFeatures * outFeatures < ParallelFmas ? 1 : OpenMpTeam.Parts(panels);
        var job = new Job { X = x, Rows = rows, In = inFeatures, W = w, Bias = bias, Out = outFeatures, Y = y, Panels = panels, Parts = parts, Halves = CpuLinear.ByHalves };
        OpenMpTeam.Run(&Part, &job, parts);
    }

    static void Part(void* state, int part)
    {
        var job = (Job*)state;
        int per = (job->Panels + job->Parts - 1) / job->Parts;
        int first = part * per, end = Math.Min(job->Panels, first + per);
        if (first >= end)
            return;
        float* panel = PanelBuffer((long)job->In * PanelWidth);
        float* tile = stackalloc float[RowBlock * PanelWidth];
        float* bias = stackalloc float[PanelWidth];
        int k = job->In;
        for (int chunk = 0; chunk < job->Rows; chunk += RowChunk)
        {
            int chunkEnd = Math.Min(job->Rows, chunk + RowChunk);
            for (int p = first; p < end; p++)
            {
                int column = p * PanelWidth, width = Math.Min(PanelWidth, job->Out - column);
                Pack(job->W + (long)column * k, k, width, panel);
                float* panelBias = null;
                if (job->Bias != null)
                {
                    for (int c = 0; c < PanelWidth; c++)
                        bias[c] = c < width ? job->Bias[column + c] : 0f;
                    panelBias = bias;
                }
                int rowBlock = job->Halves ? RowBlockByHalves : RowBlock;
                for (int r = chunk; r < chunkEnd; r += rowBlock)
                {
                    int rows = Math.Min(rowBlock, chunkEnd - r);
                    float* x = job->X + (long)r * k;
                    float* y = job->Y + (long)r * job->Out + column;
                    // A full block writes straight into y; a partial one (last rows, last panel) through a tile.
                    bool direct = rows == rowBlock && width == PanelWidth;
                    float* target = direct ? y : tile;
                    long ld = direct ? job->Out : PanelWidth;
                    if (job->Halves)
                        BlockByHalves(x, rows, k, panel, panelBias, target, ld);
                    else if (rows == RowBlock)
                        EightRows(x, k, panel, panelBias, target, ld);
                    else
                        for (int i = 0; i < rows; i++)
                            OneRow(x + (long)i * k, k, panel, panelBias, target + i * ld);
                    if (!direct)
                        for (int i = 0; i < rows; i++)
                            new ReadOnlySpan<float>(tile + i * PanelWidth, width).CopyTo(new Span<float>(y + (long)i * job->Out, width));
                }
            }
        }
    }

    static float* PanelBuffer(long floats)
    {
        if (t_panelFloats < floats)
        {
            NativeMemory.AlignedFree(t_panel);
            t_panel = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
            t_panelFloats = floats;
        }
        return t_panel;
    }

    /// <summary>
    /// panel[i·32 + c] = W[c, i] for the panel's <paramref name="width"/> outputs; zeros beyond them. A
    /// transpose, by 8×8 blocks in AVX registers (eight row loads, 24 shuffles, eight stores per 64 values)
    /// where the plain loop moved one value at a time with a 128-byte stride between writes: on the batched
    /// prefills of small agents, where every row chunk packs every panel, the plain loop was 6 % of the time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Pack(float* w, int k, int width, float* panel)
    {
        int blocked = Avx.IsSupported ? k & ~7 : 0;
        for (int c0 = 0; c0 < PanelWidth; c0 += 8)
        {
            // Eight real rows go by 8×8 blocks up to the last multiple of 8 inputs; the rest value by value.
            int done = c0 + 8 <= width ? blocked : 0;
            for (int i = 0; i < done; i += 8)
                Transpose8(w + (long)c0 * k + i, k, panel + i * PanelWidth + c0);
            for (int c = c0; c < c0 + 8; c++)
            {
                float* row = w + (long)c * k;
                for (int i = done; i < k; i++)
                    panel[i * PanelWidth + c] = c < width ? row[i] : 0f;
            }
        }
    }

    /// <summary>out[j·32 + t] = in[t·k + j] for an 8×8 block: rows of W in, columns of the panel out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8(float* source, int k, float* target)
    {
        var r0 = Avx.LoadVector256(source);
        var r1 = Avx.LoadVector256(source + k);
        var r2 = Avx.LoadVector256(source + 2L * k);
        var r3 = Avx.LoadVector256(source + 3L * k);
        var r4 = Avx.LoadVector256(source + 4L * k);
        var r5 = Avx.LoadVector256(source + 5L * k);
        var r6 = Avx.LoadVector256(source + 6L * k);
        var r7 = Avx.LoadVector256(source + 7L * k);
        // Pairs of rows interleaved, then quadruples, then the 128-bit halves swapped into place.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(target + 0 * PanelWidth, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(target + 1 * PanelWidth, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(target + 2 * PanelWidth, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(target + 3 * PanelWidth, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(target + 4 * PanelWidth, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(target + 5 * PanelWidth, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(target + 6 * PanelWidth, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(target + 7 * PanelWidth, Avx.Permute2x128(s3, s7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(Vector512<float> lo, Vector512<float> hi, float* bias, float* y)
    {
        if (bias != null)
        {
            lo += Vector512.Load(bias);
            hi += Vector512.Load(bias + 16);
        }
        lo.Store(y);
        hi.Store(y + 16);
    }

    /// <summary>
    /// An 8×32 block of y. Written out row by row on purpose: the 16 sums must live in registers, and
    /// the JIT keeps locals there but not the elements of an array or span.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void EightRows(float* x, int k, float* panel, float* bias, float* y, long ldy)
    {
        Vector512<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default,
            a4 = default, b4 = default, a5 = default, b5 = default, a6 = default, b6 = default, a7 = default, b7 = default;
        float* x0 = x, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k, x4 = x3 + k, x5 = x4 + k, x6 = x5 + k, x7 = x6 + k;
        for (int p = 0; p < k; p++)
        {
            var lo = Vector512.Load(panel + p * PanelWidth);
            var hi = Vector512.Load(panel + p * PanelWidth + 16);
            Vector512<float> v;
            v = Vector512.Create(x0[p]);
            a0 = Vector512.FusedMultiplyAdd(v, lo, a0);
            b0 = Vector512.FusedMultiplyAdd(v, hi, b0);
            v = Vector512.Create(x1[p]);
            a1 = Vector512.FusedMultiplyAdd(v, lo, a1);
            b1 = Vector512.FusedMultiplyAdd(v, hi, b1);
            v = Vector512.Create(x2[p]);
            a2 = Vector512.FusedMultiplyAdd(v, lo, a2);
            b2 = Vector512.FusedMultiplyAdd(v, hi, b2);
            v = Vector512.Create(x3[p]);
            a3 = Vector512.FusedMultiplyAdd(v, lo, a3);
            b3 = Vector512.FusedMultiplyAdd(v, hi, b3);
            v = Vector512.Create(x4[p]);
            a4 = Vector512.FusedMultiplyAdd(v, lo, a4);
            b4 = Vector512.FusedMultiplyAdd(v, hi, b4);
            v = Vector512.Create(x5[p]);
            a5 = Vector512.FusedMultiplyAdd(v, lo, a5);
            b5 = Vector512.FusedMultiplyAdd(v, hi, b5);
            v = Vector512.Create(x6[p]);
            a6 = Vector512.FusedMultiplyAdd(v, lo, a6);
            b6 = Vector512.FusedMultiplyAdd(v, hi, b6);
            v = Vector512.Create(x7[p]);
            a7 = Vector512.FusedMultiplyAdd(v, lo, a7);
            b7 = Vector512.FusedMultiplyAdd(v, hi, b7);
        }
        Store(a0, b0, bias, y + 0L * ldy);
        Store(a1, b1, bias, y + 1L * ldy);
        Store(a2, b2, bias, y + 2L * ldy);
        Store(a3, b3, bias, y + 3L * ldy);
        Store(a4, b4, bias, y + 4L * ldy);
        Store(a5, b5, bias, y + 5L * ldy);
        Store(a6, b6, bias, y + 6L * ldy);
        Store(a7, b7, bias, y + 7L * ldy);
    }

    /// <summary>One row of a block: the same sums in the same order as <see cref="EightRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void OneRow(float* x, int k, float* panel, float* bias, float* y)
    {
        Vector512<float> a = default, b = default;
        for (int p = 0; p < k; p++)
        {
            var v = Vector512.Create(x[p]);
            a = Vector512.FusedMultiplyAdd(v, Vector512.Load(panel + p * PanelWidth), a);
            b = Vector512.FusedMultiplyAdd(v, Vector512.Load(panel + p * PanelWidth + 16), b);
        }
        Store(a, b, bias, y);
    }

    /// <summary>Up to six rows of a block with AVX2: six at once against each 16-wide half of the panel (<see cref="SixRowsHalf"/>), fewer one by one.</summary>
    static void BlockByHalves(float* x, int rows, int k, float* panel, float* bias, float* y, long ldy)
    {
        if (rows == RowBlockByHalves)
        {
            SixRowsHalf(x, k, panel, bias, y, ldy);
            SixRowsHalf(x, k, panel + 16, bias is null ? null : bias + 16, y + 16, ldy);
            return;
        }
        for (int i = 0; i < rows; i++)
            OneRowByHalves(x + (long)i * k, k, panel, bias, y + i * ldy);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreHalves(Vector256<float> lower, Vector256<float> upper, float* bias, float* y)
    {
        if (bias != null)
        {
            lower += Vector256.Load(bias);
            upper += Vector256.Load(bias + 8);
        }
        lower.Store(y);
        upper.Store(y + 8);
    }

    /// <summary>Six rows × 16 outputs (one half of the panel, <paramref name="panel"/> at its first column): twelve sums in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void SixRowsHalf(float* x, int k, float* panel, float* bias, float* y, long ldy)
    {
        Vector256<float> l0 = default, u0 = default, l1 = default, u1 = default, l2 = default, u2 = default,
            l3 = default, u3 = default, l4 = default, u4 = default, l5 = default, u5 = default;
        float* x0 = x, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k, x4 = x3 + k, x5 = x4 + k;
        for (int p = 0; p < k; p++)
        {
            var lower = Vector256.Load(panel + p * PanelWidth);
            var upper = Vector256.Load(panel + p * PanelWidth + 8);
            Vector256<float> v;
            v = Vector256.Create(x0[p]);
            l0 = Vector256.FusedMultiplyAdd(v, lower, l0);
            u0 = Vector256.FusedMultiplyAdd(v, upper, u0);
            v = Vector256.Create(x1[p]);
            l1 = Vector256.FusedMultiplyAdd(v, lower, l1);
            u1 = Vector256.FusedMultiplyAdd(v, upper, u1);
            v = Vector256.Create(x2[p]);
            l2 = Vector256.FusedMultiplyAdd(v, lower, l2);
            u2 = Vector256.FusedMultiplyAdd(v, upper, u2);
            v = Vector256.Create(x3[p]);
            l3 = Vector256.FusedMultiplyAdd(v, lower, l3);
            u3 = Vector256.FusedMultiplyAdd(v, upper, u3);
            v = Vector256.Create(x4[p]);
            l4 = Vector256.FusedMultiplyAdd(v, lower, l4);
            u4 = Vector256.FusedMultiplyAdd(v, upper, u4);
            v = Vector256.Create(x5[p]);
            l5 = Vector256.FusedMultiplyAdd(v, lower, l5);
            u5 = Vector256.FusedMultiplyAdd(v, upper, u5);
        }
        StoreHalves(l0, u0, bias, y);
        StoreHalves(l1, u1, bias, y + ldy);
        StoreHalves(l2, u2, bias, y + 2 * ldy);
        StoreHalves(l3, u3, bias, y + 3 * ldy);
        StoreHalves(l4, u4, bias, y + 4 * ldy);
        StoreHalves(l5, u5, bias, y + 5 * ldy);
    }

    /// <summary><see cref="OneRow"/> with AVX2: the row's 32 sums as four 256-bit quarters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void OneRowByHalves(float* x, int k, float* panel, float* bias, float* y)
    {
        Vector256<float> a = default, b = default, c = default, d = default;
        for (int p = 0; p < k; p++)
        {
            var v = Vector256.Create(x[p]);
            float* row = panel + p * PanelWidth;
            a = Vector256.FusedMultiplyAdd(v, Vector256.Load(row), a);
            b = Vector256.FusedMultiplyAdd(v, Vector256.Load(row + 8), b);
            c = Vector256.FusedMultiplyAdd(v, Vector256.Load(row + 16), c);
            d = Vector256.FusedMultiplyAdd(v, Vector256.Load(row + 24), d);
        }
        StoreHalves(a, b, bias, y);
        StoreHalves(c, d, bias == null ? null : bias + 16, y + 16);
    }
}
