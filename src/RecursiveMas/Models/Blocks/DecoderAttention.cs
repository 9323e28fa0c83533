using RecursiveMas.Models.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// Multi-head self-attention with grouped key/value heads (GQA) and rotary positions, plus the
/// per-family details: per-head q/k RMSNorm (Qwen3, Gemma3, Qwen3.5), a score scale from
/// <c>query_pre_attn_scalar</c> and optional score soft-capping (Gemma3), a sliding window (Mistral,
/// Gemma3's local layers), partial rotary and a sigmoid output gate read from q_proj (Qwen3.5).
/// Submodule names (<c>q_proj</c>, <c>k_norm</c>, ...) are the Hugging Face checkpoint keys.
/// </summary>
public sealed class DecoderAttention : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly Projection q_proj;
    private readonly Projection k_proj;
    private readonly Projection v_proj;
    private readonly Projection o_proj;
    private readonly RmsNorm? q_norm;
    private readonly RmsNorm? k_norm;
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly int _layerIndex;
    private readonly LayerKind _kind;
    private readonly double _scale;
    private readonly double? _softcap;
    private readonly bool _outputGate;
    private readonly FusedProjection _qkv;

    public DecoderAttention(string name, ModelConfig config, int layerIndex, ScalarType dtype, Device device) : base(name)
    {
        _heads = config.HeadCount;
        _kvHeads = config.KeyValueHeadCount;
        _headDim = config.HeadDim;
        _layerIndex = layerIndex;
        _kind = config.KindOf(layerIndex);
        _scale = config.AttentionScale;
        _softcap = config.AttentionLogitSoftcap;
        _outputGate = config.AttentionOutputGate;
        long q = (long)_heads * _headDim, kv = (long)_kvHeads * _headDim;
        // q, k and v read the same input: one fused matmul, three checkpoint-named views. With an output
        // gate, q_proj yields [query, gate] per head.
        long qWidth = _outputGate ? 2 * q : q;
        _qkv = new FusedProjection(config.HiddenSize, [qWidth, kv, kv], config.QkvBias, dtype, device);
        q_proj = _qkv.Part("q_proj", 0);
        k_proj = _qkv.Part("k_proj", 1);
        v_proj = _qkv.Part("v_proj", 2);
        o_proj = new Projection("o_proj", q, config.HiddenSize, config.OutputProjectionBias, dtype, device);
        if (config.QueryKeyNorm)
        {
            q_norm = new RmsNorm("q_norm", _headDim, config.RmsNormEps, dtype, device, config.ZeroCenteredNorms);
            k_norm = new RmsNorm("k_norm", _headDim, config.RmsNormEps, dtype, device, config.ZeroCenteredNorms);
        }
        RegisterComponents();
    }

    /// <summary>The fused q/k/v storage behind the <c>q_proj</c>, <c>k_proj</c> and <c>v_proj</c> views.</summary>
    public FusedProjection QueryKeyValue => _qkv;

    /// <summary>
    /// x [B, T, hidden] → attention output [B, T, hidden]; appends this layer's keys/values to the cache. In a
    /// packed prefill (<see cref="AttentionContext.Packed"/>) x and the output are the real positions [1, R, hidden],
    /// and q/k/v are unpacked to [B, T, ·] for the attention.
    /// </summary>
    public Tensor Forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        var packed = context.Packed;
        long[] shape = x.Sizes();
        long b = packed?.Batch ?? shape[0], t = packed?.Length ?? shape[1];
        var qkv = _qkv.Forward(x);
        if (packed is not null)
            qkv = [.. qkv.Select(packed.Unpack)];
        Tensor q, gate = null!;
        if (_outputGate)
        {
            var queryAndGate = qkv[0].reshape(b, t, _heads, 2 * _headDim);
            q = queryAndGate.narrow(-1, 0, _headDim);
            gate = queryAndGate.narrow(-1, _headDim, _headDim).reshape(b, t, (long)_heads * _headDim);
        }
        else
        {
            q = qkv[0].reshape(b, t, _heads, _headDim);
        }
        var k = qkv[1].reshape(b, t, _kvHeads, _headDim);
        var v = qkv[2].reshape(b, t, _kvHeads, _headDim);
        if (q_norm is not null)
        {
            q = q_norm.Forward(q);
            k = k_norm!.Forward(k);
        }
        var rope = context.RopeFor(_kind);
        q = RotaryEmbedding.Apply(q.transpose(1, 2), rope.Cos, rope.Sin);   // [B, H, T, hd]
        k = RotaryEmbedding.Apply(k.transpose(1, 2), rope.Cos, rope.Sin);   // [B, KV, T, hd]
        var attended = Attend(q, k, v.transpose(1, 2), context, b, t);
        var merged = attended.view(b, _heads, t, _headDim).transpose(1, 2).reshape(b, t, (long)_heads * _headDim);
        if (_outputGate)
            merged = merged * gate.sigmoid();
        if (packed is not null)
            merged = packed.Pack(merged);
        return o_proj.Forward(merged).MoveToOuterDisposeScope();
    }

    /// <summary>Whether this attention runs on the step path now: no output gate or soft-capping, no LoRA, weights the kernels read.</summary>
    internal bool CanStep =>
        !_outputGate && _softcap is null && q_proj.Lora is null && k_proj.Lora is null && v_proj.Lora is null && o_proj.Lora is null
        && _qkv.Storage.All(DecoderStep.Readable) && DecoderStep.Readable(o_proj.Weight) && DecoderStep.Readable(o_proj.Bias)
        && DecoderStep.Readable(q_norm?.Weight) && DecoderStep.Readable(k_norm?.Weight);

    /// <summary>
    /// The step path: the step's normed rows → q/k/v, per-head norms and rotary into the step's query, key and
    /// value buffers, the cache write and attention as on the tensor path (<see cref="Attend"/>), then o_proj
    /// into the step's output rows.
    /// </summary>
    internal unsafe void Step(DecoderStep step, AttentionContext context)
    {
        int rows = step.Rows, hd = _headDim, half = hd / 2;
        int hidden = (int)o_proj.Weight.size(0);
        int qWidth = _heads * hd, width = (_heads + 2 * _kvHeads) * hd;
        var storage = _qkv.Storage;
        float* bias = storage.Count > 1 ? TensorData.Floats(storage[1]) : null;
        RowDotKernel.Run(step.Normed, rows, hidden, TensorData.Floats(storage[0]), bias, width, step.QueryKeyValue);

        var rope = context.RopeFor(_kind);
        float* cos = TensorData.Floats(rope.Cos), sin = TensorData.Floats(rope.Sin);
        float* queries = TensorData.Floats(step.Queries), keys = TensorData.Floats(step.Keys), values = TensorData.Floats(step.Values);
        float* normed = stackalloc float[hd];
        for (int r = 0; r < rows; r++)
        {
            float* qkv = step.QueryKeyValue + (long)r * width;
            float* rowCos = cos + (long)r * hd, rowSin = sin + (long)r * hd;
            for (int h = 0; h < _heads; h++)
                RotateHead(q_norm, qkv + h * hd, normed, rowCos, rowSin, queries + ((long)r * _heads + h) * hd, half);
            for (int h = 0; h < _kvHeads; h++)
            {
                RotateHead(k_norm, qkv + qWidth + h * hd, normed, rowCos, rowSin, keys + ((long)r * _kvHeads + h) * hd, half);
                new ReadOnlySpan<float>(qkv + qWidth + (_kvHeads + h) * hd, hd).CopyTo(new Span<float>(values + ((long)r * _kvHeads + h) * hd, hd));
            }
        }

        float* outputBias = o_proj.Bias is { } b ? TensorData.Floats(b) : null;
        var mask = context.MaskFor(_kind);
        if (context.Cache is { } cache && cache.Length < AttentionKernel.MaxStepPositions && ReadsInPlace(mask)
            && cache.WriteStep(_layerIndex, step.Keys, step.Values) is { } visible)
        {
            // The cache and the mask read in place: the tensor path's write, narrowing and grouping as raw offsets.
            byte* maskRow = mask is null ? null : TensorData.Bools(mask) + visible.Start;
            AttentionKernel.RunStep(queries, rows, _kvHeads, _heads / _kvHeads, hd, visible, maskRow, mask?.stride(0) ?? 0, step.Attended);
            RowDotKernel.Run(step.Attended, rows, qWidth, TensorData.Floats(o_proj.Weight), outputBias, hidden, step.Output);
            return;
        }
        using var scope = NewDisposeScope();
        var attended = Attend(step.Queries, step.Keys, step.Values, context, rows, 1).contiguous();
        RowDotKernel.Run(TensorData.Floats(attended), rows, qWidth, TensorData.Floats(o_proj.Weight), outputBias, hidden, step.Output);
    }

    /// <summary>A step's mask [B, 1, 1, S] the kernel reads in place: bool on the CPU, positions contiguous; or none.</summary>
    static bool ReadsInPlace(Tensor? mask) =>
        mask is null || (mask.dtype == ScalarType.Bool && mask.device_type == DeviceType.CPU && mask.dim() == 4
            && mask.size(1) == 1 && mask.size(2) == 1 && mask.stride(3) == 1);

    /// <summary>One head: its norm (if any) into <paramref name="scratch"/>, then the rotary into <paramref name="target"/>.</summary>
    static unsafe void RotateHead(RmsNorm? norm, float* head, float* scratch, float* cos, float* sin, float* target, int half)
    {
        if (norm is not null)
        {
            norm.NormalizeRows(head, 1, scratch);
            head = scratch;
        }
        RotaryKernel.Rotate(head, cos, sin, target, half);
    }

    /// <summary>
    /// Rotated queries [B, H, T, hd], keys and values [B, KV, T, hd] of the new positions → the attention output
    /// [B, KV, group·T, hd] (query heads grouped by their KV head); appends the keys and values to the cache.
    /// </summary>
    Tensor Attend(Tensor q, Tensor k, Tensor v, AttentionContext context, long b, long t)
    {
        Tensor keys = k, values = v;
        long start = 0;
        if (context.Cache is not null)
            (keys, values, start) = context.Cache.Write(_layerIndex, k, v);
        Tensor? mask = context.MaskFor(_kind);
        long s = keys.size(2);
        if (mask is not null && (start > 0 || mask.size(3) != s))
            mask = mask.narrow(3, start, s); // a sliding layer's cache starts where its window does

        // Grouped-query attention without copying keys/values per query head: fold the query heads that
        // share a KV head into the query-length axis ([B, KV, group·T, hd]) and repeat the mask instead.
        long group = _heads / _kvHeads;
        var grouped = group == 1 ? q : q.reshape(b, _kvHeads, group * t, _headDim);
        if (mask is not null && group > 1)
            mask = mask.unsqueeze(2).expand(mask.size(0), 1, group, t, s).reshape(mask.size(0), 1, group * t, s);
        if (_softcap is double cap)
            return SoftCappedAttention(grouped, keys, values, mask, cap);
        // SDPA scales by head_dim^−½; another scale (Gemma3's query_pre_attn_scalar) goes into the queries.
        double rescale = _scale * Math.Sqrt(_headDim);
        if (Math.Abs(rescale - 1) > 1e-12)
            grouped = grouped.Times(rescale);
        // The attention kernel where it runs: a row's result then depends only on the positions it
        // sees, not on the padding a batch gives it (SDPA's does). For SDPA, queries as a transposed view
        // ([B, T, H, hd] read as [B, H, T, hd], what one KV head per query head leaves) take a slower path
        // with a mask: measured 0.40 vs 0.28 ms for 16 rows of one step, 24 vs 14 ms for a 16×197
        // prefill. Copying them is cheap next to that, and gives the same bits.
        return AttentionKernel.TryRun(grouped, keys, values, mask, prefill: t > 1)
            ?? nn.functional.scaled_dot_product_attention(grouped.contiguous(), keys, values, mask);
    }

    /// <summary>Explicit attention with scores cap · tanh(scale · q·k / cap), softmax in float32.</summary>
    Tensor SoftCappedAttention(Tensor q, Tensor keys, Tensor values, Tensor? mask, double cap)
    {
        var scores = q.matmul(keys.transpose(-2, -1)).Times(_scale);
        scores = scores.Over(cap).tanh().Times(cap);
        if (mask is not null)
            scores = scores.Filled(mask.logical_not(), double.NegativeInfinity);
        var weights = scores.softmax(-1, RmsNorm.ComputeType(q.dtype)).to(q.dtype);
        return weights.matmul(values);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _qkv.Dispose();
        base.Dispose(disposing);
    }
}
