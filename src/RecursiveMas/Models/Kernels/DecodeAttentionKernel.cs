using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// softmax(q Kᵀ / √hd, masked) V for one new position per row (latent steps, decoding), on the CPU. A
/// batched step reads every row's own keys and values — 6.5 MB per layer for 16 rows of 200 positions
/// on a 512-wide agent — usually after the step's weight stream has pushed them out of the caches, and
/// libtorch's SDPA reads them at ≈ 20 GB/s there; this kernel streams each (row, KV head) once for all
/// the query heads that share it, on libtorch's OpenMP team.
/// </summary>
/// <remarks>
/// Batch-invariant by construction: each (row, query head) is computed alone, over positions in order,
/// whatever else the batch holds. Takes only what it handles — float32 on the CPU without autograd, the
/// default scale, a bool mask (true = attend) or none, head dims a multiple of 16 — and returns null
/// otherwise (the caller runs SDPA). A row whose mask hides every position gets NaN, as SDPA's.
/// </remarks>
internal static unsafe class DecodeAttentionKernel
{
    const int Lanes = 16;
    const int MaxPositions = 16384; // scores live on the stack: 64 KiB at most

    struct Job
    {
        public float* Q, K, V, Out;
        public byte* Mask;
        public long KRow, KHead, KBatch, VRow, VHead, VBatch, MaskBatch, MaskGroup;
        public int Heads, Group, Positions, HeadDim, Parts, Units;
        public float Scale;
    }

    /// <summary>q [B, KV, G, hd] (G query heads per KV head, one position each), keys/values [B, KV, S, hd], mask [B, 1, G or 1, S] → [B, KV, G, hd]; null when not handled.</summary>
    public static Tensor? TryRun(Tensor q, Tensor keys, Tensor values, Tensor? mask)
    {
        if (!CpuLinear.Runs || !CpuLinear.Handles(q) || !CpuLinear.Handles(keys) || !CpuLinear.Handles(values))
            return null;
        // Shapes and strides read once per call, one dimension at a time (ShapeReads).
        long[] qs = q.Sizes(), ks = keys.Sizes(), vs = values.Sizes(), kStrides = keys.Strides(), vStrides = values.Strides();
        long[]? ms = mask?.Sizes();
        if (qs.Length != 4 || ks.Length != 4 || vs.Length != 4)
            return null;
        long b = qs[0], heads = qs[1], group = qs[2], headDim = qs[3], positions = ks[2];
        if (headDim % Lanes != 0 || positions < 1 || positions > MaxPositions
            || ks[0] != b || ks[1] != heads || ks[3] != headDim || kStrides[3] != 1
            || vs[0] != b || vs[1] != heads || vs[2] != positions || vs[3] != headDim || vStrides[3] != 1)
            return null;
        if (mask is not null && (mask.dtype != ScalarType.Bool || mask.device_type != TorchSharp.DeviceType.CPU || ms!.Length != 4
            || ms[0] != b || ms[1] != 1 || (ms[2] != group && ms[2] != 1) || ms[3] != positions))
            return null;

        using var query = q.contiguous();
        using var visible = mask?.contiguous();
        var output = empty(b, heads, group, headDim, ScalarType.Float32, q.device);
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
            MaskGroup = visible is null || ms![2] == 1 ? 0 : visible.stride(2),
            Heads = (int)heads,
            Group = (int)group,
            Positions = (int)positions,
            HeadDim = (int)headDim,
            Units = (int)(b * heads),
            Scale = (float)(1.0 / Math.Sqrt(headDim)),
        };
        // A few rows of a short cache are not worth waking a thread for.
        job.Parts = b * heads * group * positions * headDim < (1 << 16) ? 1 : OpenMpTeam.Parts(job.Units);
        OpenMpTeam.Run(&Part, &job, job.Parts);
        return output;
    }

    static void Part(void* state, int part)
    {
        var job = (Job*)state;
        int per = (job->Units + job->Parts - 1) / job->Parts;
        int first = part * per, end = Math.Min(job->Units, first + per);
        float* scores = stackalloc float[job->Positions + Lanes];
        for (int unit = first; unit < end; unit++)
        {
            int row = unit / job->Heads, head = unit % job->Heads;
            float* k = job->K + row * job->KBatch + head * job->KHead;
            float* v = job->V + row * job->VBatch + head * job->VHead;
            for (int g = 0; g < job->Group; g++)
            {
                long query = ((long)unit * job->Group + g) * job->HeadDim;
                byte* mask = job->Mask == null ? null : job->Mask + row * job->MaskBatch + g * job->MaskGroup;
                Attend(job->Q + query, k, job->KRow, v, job->VRow, mask, job->Positions, job->HeadDim, job->Scale, scores, job->Out + query);
            }
        }
    }

    /// <summary>One query against one head's cache: scores in order, the max, exponentials and their sum, then the weighted values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Attend(float* q, float* k, long kRow, float* v, long vRow, byte* mask, int positions, int headDim, float scale, float* scores, float* output)
    {
        float max = float.NegativeInfinity;
        for (int s = 0; s < positions; s++)
        {
            if (mask != null && mask[s] == 0)
            {
                scores[s] = float.NegativeInfinity;
                continue;
            }
            float* key = k + s * kRow;
            var sum = Vector512<float>.Zero;
            for (int d = 0; d < headDim; d += Lanes)
                sum = Vector512.FusedMultiplyAdd(Vector512.Load(q + d), Vector512.Load(key + d), sum);
            float score = Vector512.Sum(sum) * scale;
            scores[s] = score;
            max = Math.Max(max, score);
        }

        // exp(score − max), 16 at a time (the padding past the last position is never read back).
        var top = Vector512.Create(max);
        var total = Vector512<float>.Zero;
        int full = positions / Lanes * Lanes;
        for (int s = 0; s < full; s += Lanes)
        {
            var e = Vector512.Exp(Vector512.Load(scores + s) - top);
            e.Store(scores + s);
            total += e;
        }
        float denominator = Vector512.Sum(total);
        for (int s = full; s < positions; s++)
        {
            scores[s] = MathF.Exp(scores[s] - max);
            denominator += scores[s];
        }

        // 64 channels at a time, their sums in registers: a store and a reload of the output between positions
        // made every position wait for the one before it. Each channel still sums over the positions in order.
        for (int d = 0; d < headDim; d += 4 * Lanes)
            WeighValues(scores, v + d, vRow, positions, Math.Min(4 * Lanes, headDim - d), output + d);
        var inverse = Vector512.Create(1f / denominator);
        for (int d = 0; d < headDim; d += Lanes)
            (Vector512.Load(output + d) * inverse).Store(output + d);
    }

    /// <summary>output = Σ_s weight_s · v_s over the positions in order for up to 64 channels, one multiply-add per position and lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void WeighValues(float* scores, float* v, long vRow, int positions, int channels, float* output)
    {
        Vector512<float> o0 = default, o1 = default, o2 = default, o3 = default;
        int vectors = channels / Lanes;
        for (int s = 0; s < positions; s++)
        {
            float weight = scores[s];
            if (weight == 0f)
                continue; // masked (or vanishing): adds nothing
            var w = Vector512.Create(weight);
            float* value = v + s * vRow;
            o0 = Vector512.FusedMultiplyAdd(w, Vector512.Load(value), o0);
            if (vectors > 1)
                o1 = Vector512.FusedMultiplyAdd(w, Vector512.Load(value + Lanes), o1);
            if (vectors > 2)
                o2 = Vector512.FusedMultiplyAdd(w, Vector512.Load(value + 2 * Lanes), o2);
            if (vectors > 3)
                o3 = Vector512.FusedMultiplyAdd(w, Vector512.Load(value + 3 * Lanes), o3);
        }
        o0.Store(output);
        if (vectors > 1)
            o1.Store(output + Lanes);
        if (vectors > 2)
            o2.Store(output + 2 * Lanes);
        if (vectors > 3)
            o3.Store(output + 3 * Lanes);
    }
}
