using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// softmax(q Kᵀ / √hd, masked) V on the CPU, for steps (one new position per row: latent steps, decoding)
/// and prefills. A batched step reads every row's own keys and values — 6.5 MB per layer for 16 rows of
/// 200 positions on a 512-wide agent — usually after the step's weight stream has pushed them out of the
/// caches, and libtorch's SDPA reads them at ≈ 20 GB/s there; this kernel streams each (row, KV head) once
/// for all the query heads that share it, on libtorch's OpenMP team.
/// </summary>
/// <remarks>
/// <para>
/// <b>A row's result depends only on the positions it sees, in order.</b> Padding — before a row, or
/// between its cached prefix and its new positions — moves where those positions sit, and any sum grouped
/// by where they sit (SDPA's blocked softmax; 16-lane partial sums over the positions) then changes in the
/// last bits: measured, SDPA gave 16 of 20 padded prefills other bits than the same row unpadded, and a
/// lane-grouped softmax 81 % of padded steps. So each query first gathers the scores of the positions its
/// mask shows into a list, and the softmax and the weighted sum run over that list: a question gets the
/// same bits alone and in any batch, whatever padding the batch gives it.
/// </para>
/// <para>
/// Two ways to score, chosen by the caller from the row's own shape (a step or a prefill), never by the
/// batch: a step takes each query's dot products with the keys (each key read once per query group); a
/// prefill, where every key meets many queries, packs each (row, KV head)'s keys transposed in blocks of 16
/// and scores 16 positions per multiply-add, so no query sums across lanes. The two accumulate a score in
/// different orders, as a step and a prefill do in the projections.
/// </para>
/// <para>
/// Takes only what it handles — float32 on the CPU without autograd, the default scale, a bool mask
/// (true = attend) or none — and returns null otherwise (the caller runs SDPA).
/// A query whose mask hides every position gets NaN, as SDPA's.
/// </para>
/// </remarks>
internal static unsafe class AttentionKernel
{
    const int Lanes = 16;
    const int MaxPositions = 1 << 17; // a prefill packs a (row, KV head)'s keys: 128 MiB at most at head dim 256

    struct Job
    {
        public float* Q, K, V, Out;
        public byte* Mask;
        public long KRow, KHead, KBatch, VRow, VHead, VBatch, MaskBatch, MaskQuery;
        public int Heads, Queries, Positions, HeadDim, Parts, Units;
        public float Scale;
        public bool Packed;
    }

    /// <summary>
    /// q [B, KV, G, hd] (the G queries that share a KV head: its query heads, times the new positions in a
    /// prefill), keys/values [B, KV, S, hd], mask [B, 1, G or 1, S] → [B, KV, G, hd]; null when not handled.
    /// <paramref name="prefill"/>: the rows bring more than one new position (see the remarks).
    /// </summary>
    public static Tensor? TryRun(Tensor q, Tensor keys, Tensor values, Tensor? mask, bool prefill)
    {
        if (!CpuLinear.Runs || !CpuLinear.Handles(q) || !CpuLinear.Handles(keys) || !CpuLinear.Handles(values))
            return null;
        // Shapes and strides read once per call, one dimension at a time (ShapeReads).
        long[] qs = q.Sizes(), ks = keys.Sizes(), vs = values.Sizes(), kStrides = keys.Strides(), vStrides = values.Strides();
        long[]? ms = mask?.Sizes();
        if (qs.Length != 4 || ks.Length != 4 || vs.Length != 4)
            return null;
        long b = qs[0], heads = qs[1], queries = qs[2], headDim = qs[3], positions = ks[2];
        if (headDim < 1 || positions < 1 || positions > MaxPositions
            || ks[0] != b || ks[1] != heads || ks[3] != headDim || kStrides[3] != 1
            || vs[0] != b || vs[1] != heads || vs[2] != positions || vs[3] != headDim || vStrides[3] != 1)
            return null;
        if (mask is not null && (mask.dtype != ScalarType.Bool || mask.device_type != TorchSharp.DeviceType.CPU || ms!.Length != 4
            || ms[0] != b || ms[1] != 1 || (ms[2] != queries && ms[2] != 1) || ms[3] != positions))
            return null;

        using var query = q.contiguous();
        using var visible = mask?.contiguous();
        var output = empty(b, heads, queries, headDim, ScalarType.Float32, q.device);
        var job = new Job
        {
            Q = TensorData.Floats(query),
            K = TensorData.Floats(keys),
            V = TensorData.Floats(values),
            Out = TensorData.Floats(output),
            Mask = visible is null ? null : TensorData.Bools(visible),
            KRow = kStrides[2],
            KHead = kStrides[1],
            KBatch = kStrides[0],
            VRow = vStrides[2],
            VHead = vStrides[1],
            VBatch = vStrides[0],
            MaskBatch = visible is null ? 0 : visible.stride(0),
            MaskQuery = visible is null || ms![2] == 1 ? 0 : visible.stride(2),
            Heads = (int)heads,
            Queries = (int)queries,
            Positions = (int)positions,
            HeadDim = (int)headDim,
            Units = (int)(b * heads),
            Scale = (float)(1.0 / Math.Sqrt(headDim)),
            Packed = prefill,
        };
        // A few rows of a short cache are not worth waking a thread for.
        job.Parts = b * heads * queries * positions * headDim < (1 << 16) ? 1 : OpenMpTeam.Parts(job.Units);
        OpenMpTeam.Run(&Part, &job, job.Parts);
        return output;
    }

    static void Part(void* state, int part)
    {
        var job = (Job*)state;
        int per = (job->Units + job->Parts - 1) / job->Parts;
        int first = part * per, end = Math.Min(job->Units, first + per);
        int padded = PackedBlocks(job->Positions) * Lanes;
        // Per query: scores by position (the packed path), the visible ones' scores and positions; per unit the packed keys.
        nuint floats = (nuint)(2 * padded + (job->Packed ? padded * job->HeadDim : 0));
        float* scratch = (float*)NativeMemory.AlignedAlloc(floats * sizeof(float) + (nuint)padded * sizeof(int), 64);
        float* byPosition = scratch, scores = scratch + padded, packed = scratch + 2 * padded;
        int* index = (int*)(scratch + floats);
        try
        {
            for (int unit = first; unit < end; unit++)
            {
                int row = unit / job->Heads, head = unit % job->Heads;
                float* k = job->K + row * job->KBatch + head * job->KHead;
                float* v = job->V + row * job->VBatch + head * job->VHead;
                if (job->Packed)
                    PackKeys(k, job->KRow, job->Positions, job->HeadDim, packed);
                for (int g = 0; g < job->Queries; g++)
                {
                    long offset = ((long)unit * job->Queries + g) * job->HeadDim;
                    float* q = job->Q + offset;
                    byte* mask = job->Mask == null ? null : job->Mask + row * job->MaskBatch + g * job->MaskQuery;
                    int visible = job->Packed
                        ? GatherPacked(q, packed, mask, job->Positions, job->HeadDim, job->Scale, byPosition, scores, index)
                        : ScoreVisible(q, k, job->KRow, mask, job->Positions, job->HeadDim, job->Scale, scores, index);
                    Attend(scores, index, visible, v, job->VRow, job->HeadDim, job->Out + offset);
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(scratch);
        }
    }

    /// <summary>A step's scores: one dot product per visible position (16-lane partial sums, across the lanes, then the rest of the head dim), in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int ScoreVisible(float* q, float* k, long kRow, byte* mask, int positions, int headDim, float scale, float* scores, int* index)
    {
        int n = 0;
        for (int s = 0; s < positions; s++)
        {
            if (mask != null && mask[s] == 0)
                continue;
            float* key = k + s * kRow;
            var sum = Vector512<float>.Zero;
            int d = 0;
            for (; d + Lanes <= headDim; d += Lanes)
                sum = Vector512.FusedMultiplyAdd(Vector512.Load(q + d), Vector512.Load(key + d), sum);
            float score = Vector512.Sum(sum);
            for (; d < headDim; d++)
                score = MathF.FusedMultiplyAdd(q[d], key[d], score);
            scores[n] = score * scale;
            index[n++] = s;
        }
        return n;
    }

    /// <summary>Blocks of 16 positions the packed keys hold: enough for every position, in whole groups of four (see <see cref="GatherPacked"/>).</summary>
    static int PackedBlocks(int positions) => (positions + 4 * Lanes - 1) / (4 * Lanes) * 4;

    /// <summary>Keys [S, hd] (row stride <paramref name="kRow"/>) → <see cref="PackedBlocks"/> blocks of 16 positions, each [hd, 16]; positions past S are zero.</summary>
    static void PackKeys(float* k, long kRow, int positions, int headDim, float* packed)
    {
        int blocks = PackedBlocks(positions), filled = positions / Lanes;
        new Span<float>(packed + (long)filled * headDim * Lanes, (blocks - filled) * headDim * Lanes).Clear();
        for (int s = 0; s < positions; s++)
        {
            float* key = k + s * kRow;
            float* column = packed + (long)(s / Lanes) * headDim * Lanes + s % Lanes;
            for (int d = 0; d < headDim; d++)
                column[d * Lanes] = key[d];
        }
    }

    /// <summary>
    /// A prefill query's scores from the packed keys, up to its last visible position (in whole groups of
    /// four blocks: four independent chains keep the multiply-add units busy, and a score past the last is
    /// never read): each of 16 positions a lane, summed over the head dim in order; then the visible ones'
    /// scores gathered in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int GatherPacked(float* q, float* packed, byte* mask, int positions, int headDim, float scale, float* byPosition, float* scores, int* index)
    {
        int last = positions - 1;
        if (mask != null)
            while (last >= 0 && mask[last] == 0)
                last--;
        int blocks = (last + 4 * Lanes) / (4 * Lanes) * 4, stride = headDim * Lanes;
        for (int b = 0; b < blocks; b += 4)
        {
            float* p = packed + (long)b * stride;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int d = 0; d < headDim; d++)
            {
                var qd = Vector512.Create(q[d]);
                float* at = p + d * Lanes;
                a0 = Vector512.FusedMultiplyAdd(qd, Vector512.Load(at), a0);
                a1 = Vector512.FusedMultiplyAdd(qd, Vector512.Load(at + stride), a1);
                a2 = Vector512.FusedMultiplyAdd(qd, Vector512.Load(at + 2 * stride), a2);
                a3 = Vector512.FusedMultiplyAdd(qd, Vector512.Load(at + 3 * stride), a3);
            }
            a0.Store(byPosition + b * Lanes);
            a1.Store(byPosition + (b + 1) * Lanes);
            a2.Store(byPosition + (b + 2) * Lanes);
            a3.Store(byPosition + (b + 3) * Lanes);
        }
        int n = 0;
        for (int s = 0; s <= last; s++)
        {
            if (mask != null && mask[s] == 0)
                continue;
            scores[n] = byPosition[s] * scale;
            index[n++] = s;
        }
        return n;
    }

    /// <summary>
    /// Softmax over the visible positions' scores and their weighted values: the max, exponentials 16 at a
    /// time over the list (then one at a time for the rest) and their sum, the values summed in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Attend(float* scores, int* index, int visible, float* v, long vRow, int headDim, float* output)
    {
        float max = float.NegativeInfinity;
        for (int i = 0; i < visible; i++)
            max = Math.Max(max, scores[i]);
        var top = Vector512.Create(max);
        var total = Vector512<float>.Zero;
        int full = visible / Lanes * Lanes;
        for (int i = 0; i < full; i += Lanes)
        {
            var e = Vector512.Exp(Vector512.Load(scores + i) - top);
            e.Store(scores + i);
            total += e;
        }
        float denominator = Vector512.Sum(total);
        for (int i = full; i < visible; i++)
        {
            scores[i] = MathF.Exp(scores[i] - max);
            denominator += scores[i];
        }

        // 64 channels at a time, their sums in registers: a store and a reload of the output between positions
        // made every position wait for the one before it.
        int vectorChannels = headDim / Lanes * Lanes;
        for (int d = 0; d < vectorChannels; d += 4 * Lanes)
            WeighValues(scores, index, visible, v + d, vRow, Math.Min(4 * Lanes, vectorChannels - d), output + d);
        for (int c = vectorChannels; c < headDim; c++)
            output[c] = WeighChannel(scores, index, visible, v + c, vRow);
        // No visible position: 0 · (1 / 0) = NaN, as SDPA gives.
        float inverse = 1f / denominator;
        int at = 0;
        for (; at < vectorChannels; at += Lanes)
            (Vector512.Load(output + at) * Vector512.Create(inverse)).Store(output + at);
        for (; at < headDim; at++)
            output[at] *= inverse;
    }

    /// <summary>
    /// output = Σ_i weight_i · v[index_i] over the visible positions for up to 64 channels (a multiple of
    /// 16): the even entries of the list in order, the odd ones in order, then the two sums added — two
    /// independent chains per channel, where one chain left each multiply-add waiting for the one before.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void WeighValues(float* scores, int* index, int visible, float* v, long vRow, int channels, float* output)
    {
        Vector512<float> e0 = default, e1 = default, e2 = default, e3 = default;
        Vector512<float> o0 = default, o1 = default, o2 = default, o3 = default;
        int vectors = channels / Lanes, i = 0;
        for (; i + 2 <= visible; i += 2)
        {
            var w = Vector512.Create(scores[i]);
            var u = Vector512.Create(scores[i + 1]);
            float* even = v + index[i] * vRow, odd = v + index[i + 1] * vRow;
            e0 = Vector512.FusedMultiplyAdd(w, Vector512.Load(even), e0);
            o0 = Vector512.FusedMultiplyAdd(u, Vector512.Load(odd), o0);
            if (vectors > 1)
            {
                e1 = Vector512.FusedMultiplyAdd(w, Vector512.Load(even + Lanes), e1);
                o1 = Vector512.FusedMultiplyAdd(u, Vector512.Load(odd + Lanes), o1);
            }
            if (vectors > 2)
            {
                e2 = Vector512.FusedMultiplyAdd(w, Vector512.Load(even + 2 * Lanes), e2);
                o2 = Vector512.FusedMultiplyAdd(u, Vector512.Load(odd + 2 * Lanes), o2);
            }
            if (vectors > 3)
            {
                e3 = Vector512.FusedMultiplyAdd(w, Vector512.Load(even + 3 * Lanes), e3);
                o3 = Vector512.FusedMultiplyAdd(u, Vector512.Load(odd + 3 * Lanes), o3);
            }
        }
        if (i < visible)
        {
            var w = Vector512.Create(scores[i]);
            float* even = v + index[i] * vRow;
            e0 = Vector512.FusedMultiplyAdd(w, Vector512.Load(even), e0);
            if (vectors > 1)
                e1 = Vector512.FusedMultiplyAdd(w, Vector512.Load(even + Lanes), e1);
            if (vectors > 2)
                e2 = Vector512.FusedMultiplyAdd(w, Vector512.Load(even + 2 * Lanes), e2);
            if (vectors > 3)
                e3 = Vector512.FusedMultiplyAdd(w, Vector512.Load(even + 3 * Lanes), e3);
        }
        (e0 + o0).Store(output);
        if (vectors > 1)
            (e1 + o1).Store(output + Lanes);
        if (vectors > 2)
            (e2 + o2).Store(output + 2 * Lanes);
        if (vectors > 3)
            (e3 + o3).Store(output + 3 * Lanes);
    }

    /// <summary>One channel past the last multiple of 16, summed as <see cref="WeighValues"/> sums each lane.</summary>
    static float WeighChannel(float* scores, int* index, int visible, float* v, long vRow)
    {
        float even = 0f, odd = 0f;
        int i = 0;
        for (; i + 2 <= visible; i += 2)
        {
            even = MathF.FusedMultiplyAdd(scores[i], v[index[i] * vRow], even);
            odd = MathF.FusedMultiplyAdd(scores[i + 1], v[index[i + 1] * vRow], odd);
        }
        if (i < visible)
            even = MathF.FusedMultiplyAdd(scores[i], v[index[i] * vRow], even);
        return even + odd;
    }
}
