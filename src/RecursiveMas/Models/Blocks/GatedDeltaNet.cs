using RecursiveMas.Models.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// Qwen3.5's linear-attention token mixer (<c>linear_attn</c>): projections to q, k, v (through a causal
/// depthwise convolution and SiLU), a gate z, β = sigmoid(b) and the decay g = −exp(A_log)·softplus(a + dt_bias);
/// L2-normalised q and k; the gated delta rule (<see cref="GatedDeltaRule"/>) with its recurrent state; a
/// gated RMSNorm per value head; <c>out_proj</c>. Prefill runs the chunked form, a single new position the
/// recurrent form. The convolution state and the recurrent state live in the <see cref="KvCache"/>.
/// Padding positions neither decay nor write the state and are skipped by the convolution.
/// </summary>
public sealed class GatedDeltaNet : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly Projection in_proj_qkv;
    private readonly Projection in_proj_z;
    private readonly Projection in_proj_b;
    private readonly Projection in_proj_a;
    private readonly CausalConv1d conv1d;
    private readonly Parameter dt_bias;
    private readonly Parameter A_log;
    private readonly GatedRmsNorm norm;
    private readonly Projection out_proj;
#pragma warning restore IDE1006
    private readonly LinearAttentionShape _shape;
    private readonly int _layerIndex;
    private readonly FusedProjection _inputs;

    public GatedDeltaNet(string name, ModelConfig config, int layerIndex, ScalarType dtype, Device device) : base(name)
    {
        _shape = config.LinearAttention ?? throw new ArgumentException("the config has no linear-attention shape", nameof(config));
        _layerIndex = layerIndex;
        // All four input projections read the same input: one fused matmul, four checkpoint-named views.
        _inputs = new FusedProjection(config.HiddenSize, [_shape.ConvDim, _shape.ValueDim, _shape.ValueHeads, _shape.ValueHeads], hasBias: false, dtype, device);
        in_proj_qkv = _inputs.Part("in_proj_qkv", 0);
        in_proj_z = _inputs.Part("in_proj_z", 1);
        in_proj_b = _inputs.Part("in_proj_b", 2);
        in_proj_a = _inputs.Part("in_proj_a", 3);
        conv1d = new CausalConv1d("conv1d", _shape.ConvDim, _shape.ConvKernel, dtype, device);
        dt_bias = new Parameter(ones(_shape.ValueHeads, dtype, device), requires_grad: false);
        A_log = new Parameter(zeros(_shape.ValueHeads, dtype, device), requires_grad: false);
        norm = new GatedRmsNorm("norm", _shape.ValueHeadDim, config.RmsNormEps, dtype, device);
        out_proj = new Projection("out_proj", _shape.ValueDim, config.HiddenSize, hasBias: false, dtype, device);
        RegisterComponents();
    }

    /// <summary>The fused storage behind the <c>in_proj_qkv</c>, <c>in_proj_z</c>, <c>in_proj_b</c> and <c>in_proj_a</c> views.</summary>
    public FusedProjection InputProjections => _inputs;

    /// <summary>x [B, T, hidden] → [B, T, hidden]; continues from and updates this layer's states in the cache.</summary>
    public Tensor Forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        long b = x.size(0), t = x.size(1);
        var s = _shape;
        var real = context.HasPadding ? context.Real : null;
        if (real is not null)
            x = x * real.unsqueeze(-1).to(x.dtype);
        var parts = _inputs.Forward(x);
        var previous = context.Cache?.ReadLinear(_layerIndex);

        var (mixed, convState) = conv1d.Forward(parts[0].transpose(1, 2), previous?.Conv, real);
        // SiLU over each position's channels alone where the kernel runs (libtorch rounds a tensor's tail apart).
        var channelsLast = mixed.transpose(1, 2);                                            // [B, T, conv_dim]
        mixed = SwiGluKernel.TrySilu(channelsLast.contiguous()) ?? nn.functional.silu(channelsLast);
        var q = mixed.narrow(-1, 0, s.KeyDim).reshape(b, t, s.KeyHeads, s.KeyHeadDim);
        var k = mixed.narrow(-1, s.KeyDim, s.KeyDim).reshape(b, t, s.KeyHeads, s.KeyHeadDim);
        var v = mixed.narrow(-1, 2 * s.KeyDim, s.ValueDim).reshape(b, t, s.ValueHeads, s.ValueHeadDim);

        // The rule runs in float32 as transformers' does (float64 models keep float64).
        var rule = RmsNorm.ComputeType(x.dtype);
        Tensor beta, g;                                                                        // [B, T, Hv]
        if (DeltaGateKernel.TryRun(parts[2], parts[3], A_log, dt_bias) is { } gates)
            (beta, g) = gates; // each element alone: libtorch's ops round a tensor's tail otherwise
        else
        {
            beta = parts[2].sigmoid().to(rule);
            g = -A_log.to(rule).exp() * parts[3].to(rule).Plus(dt_bias.to(rule)).Softplus();
        }
        if (real is not null)
        {
            var keep = real.to(rule).unsqueeze(-1);
            beta = beta * keep;   // padding writes nothing ...
            g = g * keep;         // ... and does not decay the state
        }
        // Each key head serves value_heads / key_heads consecutive value heads.
        int repeat = s.ValueHeads / s.KeyHeads;
        q = Heads(q, repeat, rule);
        k = Heads(k, repeat, rule);
        q = GatedDeltaRule.L2Normalize(q).Times(1 / Math.Sqrt(s.KeyHeadDim));
        k = GatedDeltaRule.L2Normalize(k);
        var vh = v.transpose(1, 2).to(rule);
        var gh = g.transpose(1, 2);
        var betaH = beta.transpose(1, 2);
        // A left-padded batch runs each row's blocks from the row's own start, as the row alone does.
        var (core, recurrentState) = t == 1
            ? GatedDeltaRule.Recurrent(q, k, vh, gh, betaH, previous?.Recurrent)
            : b > 1 && context.LeftPaddedLengths() is { } lengths
                ? GatedDeltaRule.ChunkedByRow(q, k, vh, gh, betaH, previous?.Recurrent, lengths)
                : GatedDeltaRule.Chunked(q, k, vh, gh, betaH, previous?.Recurrent);
        context.Cache?.WriteLinear(_layerIndex, convState, recurrentState);

        var output = core.transpose(1, 2).to(x.dtype);                                     // [B, T, Hv, dv]
        var z = parts[1].reshape(b, t, s.ValueHeads, s.ValueHeadDim);
        var normed = norm.Forward(output, z).reshape(b, t, s.ValueDim);
        return out_proj.Forward(normed).MoveToOuterDisposeScope();
    }

    /// <summary>[B, T, Hk, d] → [B, Hv, T, d] in <paramref name="dtype"/>, each key head repeated for its value heads.</summary>
    static Tensor Heads(Tensor x, int repeat, ScalarType dtype)
    {
        var h = x.transpose(1, 2).to(dtype);
        return repeat == 1 ? h : h.repeat_interleave(repeat, dim: 1);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inputs.Dispose();
        base.Dispose(disposing);
    }
}
