using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// Multi-head self-attention with grouped key/value heads (GQA), rotary positions and, for Qwen3,
/// per-head RMSNorm on queries and keys. Submodule names (<c>q_proj</c>, <c>k_norm</c>, ...) are the
/// Hugging Face checkpoint keys.
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
    private readonly FusedProjection _qkv;

    public DecoderAttention(string name, ModelConfig config, int layerIndex, ScalarType dtype, Device device) : base(name)
    {
        _heads = config.HeadCount;
        _kvHeads = config.KeyValueHeadCount;
        _headDim = config.HeadDim;
        _layerIndex = layerIndex;
        long q = (long)_heads * _headDim, kv = (long)_kvHeads * _headDim;
        // q, k and v read the same input: one fused matmul, three checkpoint-named views.
        _qkv = new FusedProjection(config.HiddenSize, [q, kv, kv], config.QkvBias, dtype, device);
        q_proj = _qkv.Part("q_proj", 0);
        k_proj = _qkv.Part("k_proj", 1);
        v_proj = _qkv.Part("v_proj", 2);
        o_proj = new Projection("o_proj", q, config.HiddenSize, config.OutputProjectionBias, dtype, device);
        if (config.QueryKeyNorm)
        {
            q_norm = new RmsNorm("q_norm", _headDim, config.RmsNormEps, dtype, device);
            k_norm = new RmsNorm("k_norm", _headDim, config.RmsNormEps, dtype, device);
        }
        RegisterComponents();
    }

    /// <summary>The fused q/k/v storage behind the <c>q_proj</c>, <c>k_proj</c> and <c>v_proj</c> views.</summary>
    public FusedProjection QueryKeyValue => _qkv;

    /// <summary>x [B, T, hidden] → attention output [B, T, hidden]; appends this layer's keys/values to the cache.</summary>
    public Tensor Forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var qkv = _qkv.Forward(x);
        var q = qkv[0].reshape(b, t, _heads, _headDim);
        var k = qkv[1].reshape(b, t, _kvHeads, _headDim);
        var v = qkv[2].reshape(b, t, _kvHeads, _headDim);
        if (q_norm is not null)
        {
            q = q_norm.Forward(q);
            k = k_norm!.Forward(k);
        }
        q = RotaryEmbedding.Apply(q.transpose(1, 2), context.Cos, context.Sin);   // [B, H, T, hd]
        k = RotaryEmbedding.Apply(k.transpose(1, 2), context.Cos, context.Sin);   // [B, KV, T, hd]
        v = v.transpose(1, 2);

        Tensor keys = k, values = v;
        if (context.Cache is not null)
            (keys, values) = context.Cache.Write(_layerIndex, k, v);

        Tensor attended;
        if (_kvHeads == _heads)
        {
            attended = nn.functional.scaled_dot_product_attention(q, keys, values, context.Mask);
        }
        else
        {
            // Grouped-query attention without copying keys/values per query head: fold the query
            // heads that share a KV head into the query-length axis ([B, KV, group·T, hd]) and
            // repeat the mask along that axis instead. SDPA's 1/sqrt(hd) scale is unchanged.
            long group = _heads / _kvHeads;
            long s = keys.shape[2];
            var grouped = q.reshape(b, _kvHeads, group * t, _headDim);
            Tensor? mask = context.Mask;
            if (mask is not null)
                mask = mask.unsqueeze(2).expand(mask.shape[0], 1, group, t, s).reshape(mask.shape[0], 1, group * t, s);
            attended = nn.functional.scaled_dot_product_attention(grouped, keys, values, mask)
                .view(b, _heads, t, _headDim);
        }
        var merged = attended.transpose(1, 2).reshape(b, t, (long)_heads * _headDim);
        return o_proj.Forward(merged).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _qkv.Dispose();
        base.Dispose(disposing);
    }
}
