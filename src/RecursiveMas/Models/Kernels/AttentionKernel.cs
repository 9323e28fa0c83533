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
    const int QueryTile = 4;          // prefill queries scored together (see ScorePacked)
    const ulong AllVisible = 0x0101010101010101; // eight mask bytes that are all true

    struct Job
    {
        public float* Q, K, V, Out;
        public byte* Mask;
        public long KRow, KHead, KBatch, VRow, VHead, VBatch, MaskBatch, MaskQuery;
        public int Heads, Queries, Positions, HeadDim, Parts, Units;
        public float Scale;
        public bool Packed, Halves;
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
            Packed = prefill,
        };
        Launch(job);
        return output;
    }

    /// <summary>Runs a job on the team: the default scale (1/√hd), split by (row, KV head) units.</summary>
    static void Launch(Job job)
    {
        job.Scale = (float)(1.0 / Math.Sqrt(job.HeadDim));
        job.Halves = CpuLinear.ByHalves;
        // A few rows of a short cache are not worth waking a thread for.
        job.Parts = (long)job.Units * job.Queries * job.Positions * job.HeadDim < (1 << 16) ? 1 : OpenMpTeam.Parts(job.Units);
        OpenMpTeam.Run(&Part, &job, job.Parts);
    }

    /// <summary>
    /// A step from raw rows (the decoder's step path): queries [B, KV, G, hd] contiguous (the G query heads that
    /// share a KV head), the cache's keys and values in place, a bool mask row per batch row (<paramref name="maskBatch"/>
    /// apart, its first byte the first visible position's) or none → output [B, KV, G, hd]. The same scores, softmax
    /// and sums as <see cref="TryRun"/> for a step, so the same bits. Positions at most <see cref="MaxPositions"/>.
    /// </summary>
    internal static void RunStep(float* queries, int rows, int kvHeads, int group, int headDim, StepKeysValues cache, byte* mask, long maskBatch, float* output)
    {
        var job = new Job
        {
            Q = queries,
            K = cache.Keys,
            V = cache.Values,
            Out = output,
            Mask = mask,
            KRow = cache.PositionStride,
            KHead = cache.HeadStride,
            KBatch = cache.BatchStride,
            VRow = cache.PositionStride,
            VHead = cache.HeadStride,
            VBatch = cache.BatchStride,
            MaskBatch = maskBatch,
            MaskQuery = 0,
            Heads = kvHeads,
            Queries = group,
            Positions = (int)cache.Visible,
            HeadDim = headDim,
            Units = rows * kvHeads,
        };
        Launch(job);
    }

    /// <summary>The most positions a query may see here.</summary>
    internal const int MaxStepPositions = MaxPositions;

    static void Part(void* state, int part)
    {
        var job = (Job*)state;
        int per = (job->Units + job->Parts - 1) / job->Parts;
        int first = part * per, end = Math.Min(job->Units, first + per);
        int padded = PackedBlocks(job->Positions) * Lanes;
        // Scores by position for a tile of queries (the packed path), one query's visible scores and their
        // positions, and per unit the packed keys.
        nuint floats = (nuint)((QueryTile + 1) * padded + (job->Packed ? padded * job->HeadDim : 0));
        float* scratch = (float*)NativeMemory.AlignedAlloc(floats * sizeof(float) + (nuint)padded * sizeof(int), 64);
        float* byPosition = scratch, scores = scratch + QueryTile * padded, packed = scratch + (QueryTile + 1) * padded;
        int* index = (int*)(scratch + floats);
        int* lasts = stackalloc int[QueryTile]; // a tile's queries' last visible positions
        try
        {
            for (int unit = first; unit < end; unit++)
            {
                int row = unit / job->Heads, head = unit % job->Heads;
                float* k = job->K + row * job->KBatch + head * job->KHead;
                float* v = job->V + row * job->VBatch + head * job->VHead;
                if (!job->Packed)
                {
                    for (int g = 0; g < job->Queries; g++)
                    {
                        long offset = ((long)unit * job->Queries + g) * job->HeadDim;
                        byte* mask = job->Mask == null ? null : job->Mask + row * job->MaskBatch + g * job->MaskQuery;
                        int visible = ScoreVisible(job->Q + offset, k, job->KRow, mask, job->Positions, job->HeadDim, job->Scale, scores, index, job->Halves);
                        Attend(scores, index, visible, v, job->VRow, job->HeadDim, job->Out + offset, job->Halves);
                    }
                    continue;
                }
                PackKeys(k, job->KRow, job->Positions, job->HeadDim, packed);
                for (int g = 0; g < job->Queries; g += QueryTile)
                {
                    int count = Math.Min(QueryTile, job->Queries - g);
                    long offset = ((long)unit * job->Queries + g) * job->HeadDim;
                    byte* masks = job->Mask == null ? null : job->Mask + row * job->MaskBatch + g * job->MaskQuery;
                    int last = -1;
                    for (int i = 0; i < count; i++)
                        last = Math.Max(last, lasts[i] = LastVisible(masks == null ? null : masks + i * job->MaskQuery, job->Positions));
                    ScorePacked(job->Q + offset, count, packed, last, job->HeadDim, byPosition, padded, job->Halves);
                    for (int i = 0; i < count; i++)
                    {
                        byte* mask = masks == null ? null : masks + i * job->MaskQuery;
                        int visible = GatherVisible(byPosition + i * padded, mask, lasts[i], job->Scale, scores, index);
                        Attend(scores, index, visible, v, job->VRow, job->HeadDim, job->Out + offset + i * job->HeadDim, job->Halves);
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(scratch);
        }
    }

    /// <summary>
    /// A step's scores: one dot product per visible position (16-lane partial sums, across the lanes, then the
    /// rest of the head dim), in order. Where the head dim is whole vectors, sixteen positions at a time have
    /// their lanes summed together (<see cref="LaneSums"/>, the same bits as one by one); a block the mask hides
    /// entirely is skipped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int ScoreVisible(float* q, float* k, long kRow, byte* mask, int positions, int headDim, float scale, float* scores, int* index, bool halves)
    {
        int n = 0, s = 0;
        if (headDim % Lanes == 0 && LaneSums.Available && !halves)
        {
            float* block = stackalloc float[Lanes];
            var sums = stackalloc Vector512<float>[Lanes];
            for (; s + Lanes <= positions; s += Lanes)
            {
                if (mask != null && *(ulong*)(mask + s) == 0 && *(ulong*)(mask + s + 8) == 0)
                    continue;
                var scaled = SixteenScores(q, k + s * kRow, kRow, headDim, sums) * scale;
                if (mask == null || (*(ulong*)(mask + s) == AllVisible && *(ulong*)(mask + s + 8) == AllVisible))
                {
                    scaled.Store(scores + n);
                    (Vector512.Create(s) + Vector512<int>.Indices).Store(index + n);
                    n += Lanes;
                    continue;
                }
                scaled.Store(block);
                for (int i = 0; i < Lanes; i++)
                {
                    if (mask != null && mask[s + i] == 0)
                        continue;
                    scores[n] = block[i];
                    index[n++] = s + i;
                }
            }
        }
        else if (halves)
        {
            // AVX2: four positions at a time, each summed as alone (16 lanes as two halves, their tree, the tail).
            float* four = stackalloc float[4];
            for (; s + 4 <= positions; s += 4)
            {
                if (mask != null && *(uint*)(mask + s) == 0)
                    continue;
                RowDotKernel.FourDotsByHalves(q, headDim, k + s * kRow, kRow, four);
                for (int i = 0; i < 4; i++)
                {
                    if (mask != null && mask[s + i] == 0)
                        continue;
                    scores[n] = four[i] * scale;
                    index[n++] = s + i;
                }
            }
        }
        for (; s < positions; s++)
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

    /// <summary>The dot products of q with 16 consecutive keys (a head dim of whole vectors), each summed in <see cref="ScoreVisible"/>'s order; <paramref name="sums"/> holds the 16 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> SixteenScores(float* q, float* k, long kRow, int headDim, Vector512<float>* sums)
    {
        for (int i = 0; i < Lanes; i++)
        {
            float* key = k + i * kRow;
            var sum = Vector512<float>.Zero;
            for (int d = 0; d < headDim; d += Lanes)
                sum = Vector512.FusedMultiplyAdd(Vector512.Load(q + d), Vector512.Load(key + d), sum);
            sums[i] = sum;
        }
        return LaneSums.Of16(sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7],
            sums[8], sums[9], sums[10], sums[11], sums[12], sums[13], sums[14], sums[15]);
    }

    /// <summary>Blocks of 16 positions the packed keys hold: enough for every position, in whole groups of four (see <see cref="ScorePacked"/>).</summary>
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

    /// <summary>The last position <paramref name="mask"/> shows (no mask: every one); −1 for none.</summary>
    static int LastVisible(byte* mask, int positions)
    {
        int last = positions - 1;
        if (mask != null)
            while (last >= 0 && mask[last] == 0)
                last--;
        return last;
    }

    /// <summary>
    /// Prefill scores of up to <see cref="QueryTile"/> consecutive queries from the packed keys, up to position
    /// <paramref name="last"/> in whole groups of four blocks (a score past a query's last visible position
    /// is never read): each of 16 positions a lane, summed over the head dim in order, so a score has the
    /// same bits whichever tile computes it. The queries of a tile share every load of the keys, which
    /// otherwise came from the L2 cache once per query; four blocks give four independent chains per query.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ScorePacked(float* q, int count, float* packed, int last, int headDim, float* byPosition, int padded, bool halves)
    {
        int blocks = (last + 4 * Lanes) / (4 * Lanes) * 4, stride = headDim * Lanes;
        for (int b = 0; b < blocks; b += 4)
        {
            float* p = packed + (long)b * stride;
            if (count == QueryTile)
            {
                if (halves)
                    for (int block = 0; block < 4; block++)
                        FourQueriesOneBlockByHalves(q, p + block * stride, headDim, byPosition + (b + block) * Lanes, padded);
                else
                    FourByFour(q, p, stride, headDim, byPosition + b * Lanes, padded);
                continue;
            }
            for (int i = 0; i < count; i++)
            {
                float* query = q + i * headDim;
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int d = 0; d < headDim; d++)
                {
                    var qd = Vector512.Create(query[d]);
                    float* at = p + d * Lanes;
                    a0 = Vector512.FusedMultiplyAdd(qd, Vector512.Load(at), a0);
                    a1 = Vector512.FusedMultiplyAdd(qd, Vector512.Load(at + stride), a1);
                    a2 = Vector512.FusedMultiplyAdd(qd, Vector512.Load(at + 2 * stride), a2);
                    a3 = Vector512.FusedMultiplyAdd(qd, Vector512.Load(at + 3 * stride), a3);
                }
                StoreBlocks(a0, a1, a2, a3, byPosition + i * padded + b * Lanes);
            }
        }
    }

    /// <summary>Four queries against four blocks of 16 packed positions: 16 independent sums, each over the head dim in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void FourByFour(float* q, float* p, int stride, int headDim, float* y, int padded)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        float* q1 = q + headDim, q2 = q1 + headDim, q3 = q2 + headDim;
        for (int d = 0; d < headDim; d++)
        {
            float* at = p + d * Lanes;
            var k0 = Vector512.Load(at);
            var k1 = Vector512.Load(at + stride);
            var k2 = Vector512.Load(at + 2 * stride);
            var k3 = Vector512.Load(at + 3 * stride);
            var x0 = Vector512.Create(q[d]);
            a00 = Vector512.FusedMultiplyAdd(x0, k0, a00);
            a01 = Vector512.FusedMultiplyAdd(x0, k1, a01);
            a02 = Vector512.FusedMultiplyAdd(x0, k2, a02);
            a03 = Vector512.FusedMultiplyAdd(x0, k3, a03);
            var x1 = Vector512.Create(q1[d]);
            a10 = Vector512.FusedMultiplyAdd(x1, k0, a10);
            a11 = Vector512.FusedMultiplyAdd(x1, k1, a11);
            a12 = Vector512.FusedMultiplyAdd(x1, k2, a12);
            a13 = Vector512.FusedMultiplyAdd(x1, k3, a13);
            var x2 = Vector512.Create(q2[d]);
            a20 = Vector512.FusedMultiplyAdd(x2, k0, a20);
            a21 = Vector512.FusedMultiplyAdd(x2, k1, a21);
            a22 = Vector512.FusedMultiplyAdd(x2, k2, a22);
            a23 = Vector512.FusedMultiplyAdd(x2, k3, a23);
            var x3 = Vector512.Create(q3[d]);
            a30 = Vector512.FusedMultiplyAdd(x3, k0, a30);
            a31 = Vector512.FusedMultiplyAdd(x3, k1, a31);
            a32 = Vector512.FusedMultiplyAdd(x3, k2, a32);
            a33 = Vector512.FusedMultiplyAdd(x3, k3, a33);
        }
        StoreBlocks(a00, a01, a02, a03, y);
        StoreBlocks(a10, a11, a12, a13, y + padded);
        StoreBlocks(a20, a21, a22, a23, y + 2 * padded);
        StoreBlocks(a30, a31, a32, a33, y + 3 * padded);
    }

    /// <summary><see cref="FourByFour"/>'s sums for one block of 16 positions with AVX2 (eight halves in registers): the same chains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void FourQueriesOneBlockByHalves(float* q, float* p, int headDim, float* y, int padded)
    {
        Vector256<float> l0 = default, u0 = default, l1 = default, u1 = default, l2 = default, u2 = default, l3 = default, u3 = default;
        float* q1 = q + headDim, q2 = q1 + headDim, q3 = q2 + headDim;
        for (int d = 0; d < headDim; d++)
        {
            float* at = p + d * Lanes;
            var lower = Vector256.Load(at);
            var upper = Vector256.Load(at + 8);
            var x = Vector256.Create(q[d]);
            l0 = Vector256.FusedMultiplyAdd(x, lower, l0);
            u0 = Vector256.FusedMultiplyAdd(x, upper, u0);
            x = Vector256.Create(q1[d]);
            l1 = Vector256.FusedMultiplyAdd(x, lower, l1);
            u1 = Vector256.FusedMultiplyAdd(x, upper, u1);
            x = Vector256.Create(q2[d]);
            l2 = Vector256.FusedMultiplyAdd(x, lower, l2);
            u2 = Vector256.FusedMultiplyAdd(x, upper, u2);
            x = Vector256.Create(q3[d]);
            l3 = Vector256.FusedMultiplyAdd(x, lower, l3);
            u3 = Vector256.FusedMultiplyAdd(x, upper, u3);
        }
        l0.Store(y);
        u0.Store(y + 8);
        l1.Store(y + padded);
        u1.Store(y + padded + 8);
        l2.Store(y + 2 * padded);
        u2.Store(y + 2 * padded + 8);
        l3.Store(y + 3 * padded);
        u3.Store(y + 3 * padded + 8);
    }

    /// <summary>Four blocks' scores of one query, in position order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreBlocks(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, float* y)
    {
        a0.Store(y);
        a1.Store(y + Lanes);
        a2.Store(y + 2 * Lanes);
        a3.Store(y + 3 * Lanes);
    }

    /// <summary>A query's visible scores (scaled) and their positions, in order, up to its last visible position.</summary>
    static int GatherVisible(float* byPosition, byte* mask, int last, float scale, float* scores, int* index)
    {
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
    /// time over the list and their sum, then the weighted values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Attend(float* scores, int* index, int visible, float* v, long vRow, int headDim, float* output, bool halves)
    {
        // The max 16 at a time (exact in any order), the list padded to whole vectors with −∞ (whose
        // exponential, 0, adds nothing), then every exponential from the vector exp and their sum lane by lane:
        // a scalar max and the C library's exp for the list's tail cost more than the rest of the softmax.
        int vectors = (visible + Lanes - 1) / Lanes;
        for (int i = visible; i < vectors * Lanes; i++)
            scores[i] = float.NegativeInfinity;
        var highest = Vector512.Create(float.NegativeInfinity);
        for (int i = 0; i < vectors; i++)
            highest = Vector512.Max(highest, Vector512.Load(scores + i * Lanes));
        float max = float.NegativeInfinity;
        for (int lane = 0; lane < Lanes; lane++)
            max = Math.Max(max, highest.GetElement(lane));
        var top = Vector512.Create(max);
        var total = Vector512<float>.Zero;
        for (int i = 0; i < vectors; i++)
        {
            var e = SleefExp.Of(Vector512.Load(scores + i * Lanes) - top);
            e.Store(scores + i * Lanes);
            total += e;
        }
        float denominator = Vector512.Sum(total);

        // 64 channels at a time, their sums in registers: a store and a reload of the output between positions
        // made every position wait for the one before it.
        int vectorChannels = headDim / Lanes * Lanes;
        if (!halves)
            for (int d = 0; d < vectorChannels; d += 4 * Lanes)
                WeighValues(scores, index, visible, v + d, vRow, Math.Min(4 * Lanes, vectorChannels - d), output + d);
        else
            for (int d = 0; d < vectorChannels; d += 2 * Lanes)
                WeighValuesByHalves(scores, index, visible, v + d, vRow, Math.Min(2 * Lanes, vectorChannels - d), output + d);
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

    /// <summary>
    /// <see cref="WeighValues"/> with AVX2 for up to 32 channels (16 or 32): the same two chains per channel
    /// (even entries, odd entries, then their sum), eight 256-bit sums in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void WeighValuesByHalves(float* scores, int* index, int visible, float* v, long vRow, int channels, float* output)
    {
        Vector256<float> e0 = default, e1 = default, e2 = default, e3 = default;
        Vector256<float> o0 = default, o1 = default, o2 = default, o3 = default;
        bool wide = channels > Lanes;
        int i = 0;
        for (; i + 2 <= visible; i += 2)
        {
            var w = Vector256.Create(scores[i]);
            var u = Vector256.Create(scores[i + 1]);
            float* even = v + index[i] * vRow, odd = v + index[i + 1] * vRow;
            e0 = Vector256.FusedMultiplyAdd(w, Vector256.Load(even), e0);
            o0 = Vector256.FusedMultiplyAdd(u, Vector256.Load(odd), o0);
            e1 = Vector256.FusedMultiplyAdd(w, Vector256.Load(even + 8), e1);
            o1 = Vector256.FusedMultiplyAdd(u, Vector256.Load(odd + 8), o1);
            if (wide)
            {
                e2 = Vector256.FusedMultiplyAdd(w, Vector256.Load(even + 16), e2);
                o2 = Vector256.FusedMultiplyAdd(u, Vector256.Load(odd + 16), o2);
                e3 = Vector256.FusedMultiplyAdd(w, Vector256.Load(even + 24), e3);
                o3 = Vector256.FusedMultiplyAdd(u, Vector256.Load(odd + 24), o3);
            }
        }
        if (i < visible)
        {
            var w = Vector256.Create(scores[i]);
            float* even = v + index[i] * vRow;
            e0 = Vector256.FusedMultiplyAdd(w, Vector256.Load(even), e0);
            e1 = Vector256.FusedMultiplyAdd(w, Vector256.Load(even + 8), e1);
            if (wide)
            {
                e2 = Vector256.FusedMultiplyAdd(w, Vector256.Load(even + 16), e2);
                e3 = Vector256.FusedMultiplyAdd(w, Vector256.Load(even + 24), e3);
            }
        }
        (e0 + o0).Store(output);
        (e1 + o1).Store(output + 8);
        if (wide)
        {
            (e2 + o2).Store(output + 16);
            (e3 + o3).Store(output + 24);
        }
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
