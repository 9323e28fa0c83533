using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// y = x Wᵀ + b for prefills (<see cref="CpuLinear"/>): compute-bound, so the point is keeping both FMA
/// units busy. W is packed 32 outputs at a time into a panel laid out input-major ([in][32], two
/// vectors per input), and an 8×32 block of y lives in 16 registers while the kernel walks the inputs:
/// per input, two panel loads and eight broadcasts feed 16 FMAs. Each output is accumulated over the
/// inputs in order from zero, then the bias added: the same for every row, whichever block holds it.
/// Threads split the panels; rows go in chunks so a chunk of x stays in cache across the panels.
/// </summary>
internal static unsafe class PanelGemmKernel
{
    const int PanelWidth = 32;
    const int RowBlock = 8;
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
    }

    public static void Run(float* x, int rows, int inFeatures, float* w, float* bias, int outFeatures, float* y)
    {
        int panels = (outFeatures + PanelWidth - 1) / PanelWidth;
        int parts = (long)rows * inFeatures * outFeatures < ParallelFmas ? 1 : OpenMpTeam.Parts(panels);
        var job = new Job { X = x, Rows = rows, In = inFeatures, W = w, Bias = bias, Out = outFeatures, Y = y, Panels = panels, Parts = parts };
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
                for (int r = chunk; r < chunkEnd; r += RowBlock)
                {
                    int rows = Math.Min(RowBlock, chunkEnd - r);
                    float* x = job->X + (long)r * k;
                    float* y = job->Y + (long)r * job->Out + column;
                    // A full block writes straight into y; a partial one (last rows, last panel) through a tile.
                    bool direct = rows == RowBlock && width == PanelWidth;
                    float* target = direct ? y : tile;
                    long ld = direct ? job->Out : PanelWidth;
                    if (rows == RowBlock)
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

    /// <summary>panel[i·32 + c] = W[c, i] for the panel's <paramref name="width"/> outputs; zeros beyond them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Pack(float* w, int k, int width, float* panel)
    {
        for (int c = 0; c < PanelWidth; c++)
        {
            float* row = w + (long)c * k;
            if (c < width)
                for (int i = 0; i < k; i++)
                    panel[i * PanelWidth + c] = row[i];
            else
                for (int i = 0; i < k; i++)
                    panel[i * PanelWidth + c] = 0f;
        }
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
}
