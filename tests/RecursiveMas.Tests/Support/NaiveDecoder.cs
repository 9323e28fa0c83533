using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Support;

/// <summary>
/// An independent, deliberately plain re-statement of the Hugging Face Llama/Mistral/Qwen2/Qwen3/Gemma3/Qwen3.5
/// forward pass for ONE sequence, in double precision with explicit loops (no TorchSharp ops, no batching,
/// no cache, no mask tricks, no chunking). Tests compare <see cref="CausalLM"/> against it, so a mistake in the
/// fast path (rotary layout, partial rotary, GQA grouping, q/k norm placement, (1 + w) norms, Gemma's extra
/// norms and embedding scale, soft-capping, biases, windows and per-layer rope bases, the output gate,
/// the DeltaNet convolution and delta rule, tied head) shows up as a numeric difference.
/// </summary>
public sealed class NaiveDecoder
{
    readonly ModelConfig _c;
    readonly Dictionary<string, double[]> _w = new();

    public NaiveDecoder(CausalLM model)
    {
        _c = model.Config;
        foreach (var (name, p) in model.named_parameters())
            _w[name] = p.detach().to(ScalarType.Float64).data<double>().ToArray();
    }

    double[] W(string name) => _w[name];
    double[]? B(string name) => _w.TryGetValue(name, out var b) ? b : null;

    /// <summary>Final-norm hidden states [T][d] for input embeddings [T][d] at the given positions.</summary>
    public double[][] Forward(double[][] embeddings, long[] positions)
    {
        int T = embeddings.Length, d = _c.HiddenSize;
        var x = embeddings.Select(r => (double[])r.Clone()).ToArray();
        for (int l = 0; l < _c.LayerCount; l++)
        {
            string p = $"model.layers.{l}.";
            var h = x.Select(r => Norm(r, W(p + "input_layernorm.weight"))).ToArray();
            var mixed = _c.KindOf(l) == LayerKind.LinearAttention
                ? DeltaNet(h, p + "linear_attn.")
                : Attention(h, positions, p + "self_attn.", _c.KindOf(l));
            for (int t = 0; t < T; t++)
            {
                var o = _c.SandwichNorms ? Norm(mixed[t], W(p + "post_attention_layernorm.weight")) : mixed[t];
                for (int i = 0; i < d; i++)
                    x[t][i] += o[i];
                var h2 = _c.SandwichNorms ? Norm(x[t], W(p + "pre_feedforward_layernorm.weight")) : Norm(x[t], W(p + "post_attention_layernorm.weight"));
                int ff = _c.IntermediateSize;
                var gate = Linear(h2, W(p + "mlp.gate_proj.weight"), B(p + "mlp.gate_proj.bias"), ff);
                var up = Linear(h2, W(p + "mlp.up_proj.weight"), B(p + "mlp.up_proj.bias"), ff);
                var act = new double[ff];
                for (int i = 0; i < ff; i++)
                    act[i] = Activation(gate[i]) * up[i];
                var down = Linear(act, W(p + "mlp.down_proj.weight"), B(p + "mlp.down_proj.bias"), d);
                if (_c.SandwichNorms)
                    down = Norm(down, W(p + "post_feedforward_layernorm.weight"));
                for (int i = 0; i < d; i++)
                    x[t][i] += down[i];
            }
        }
        return x.Select(r => Norm(r, W("model.norm.weight"))).ToArray();
    }

    double Activation(double g) => _c.HiddenActivation == HiddenActivation.GeluTanh
        ? 0.5 * g * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g)))
        : g / (1 + Math.Exp(-g));

    double[][] Attention(double[][] h, long[] positions, string p, LayerKind kind)
    {
        int T = h.Length, H = _c.HeadCount, KV = _c.KeyValueHeadCount, hd = _c.HeadDim;
        bool sliding = kind == LayerKind.SlidingAttention;
        double[] inv = sliding && _c.SlidingRopeTheta is double local
            ? InverseFrequencies(local, RopeScaling.None)
            : InverseFrequencies(_c.RopeTheta, _c.RopeScaling);
        int qWidth = H * hd * (_c.AttentionOutputGate ? 2 : 1);
        var qRaw = h.Select(r => Linear(r, W(p + "q_proj.weight"), B(p + "q_proj.bias"), qWidth)).ToArray();
        var k = h.Select(r => Linear(r, W(p + "k_proj.weight"), B(p + "k_proj.bias"), KV * hd)).ToArray();
        var v = h.Select(r => Linear(r, W(p + "v_proj.weight"), B(p + "v_proj.bias"), KV * hd)).ToArray();
        // With an output gate, q_proj gives [query(hd), gate(hd)] per head.
        var q = new double[T][];
        var gate = new double[T][];
        for (int t = 0; t < T; t++)
        {
            q[t] = new double[H * hd];
            gate[t] = new double[H * hd];
            for (int head = 0; head < H; head++)
                for (int i = 0; i < hd; i++)
                {
                    if (_c.AttentionOutputGate)
                    {
                        q[t][head * hd + i] = qRaw[t][head * 2 * hd + i];
                        gate[t][head * hd + i] = qRaw[t][head * 2 * hd + hd + i];
                    }
                    else
                    {
                        q[t][head * hd + i] = qRaw[t][head * hd + i];
                    }
                }
        }
        for (int t = 0; t < T; t++)
        {
            for (int head = 0; head < H; head++)
            {
                if (_c.QueryKeyNorm)
                    NormSlice(q[t], head * hd, hd, W(p + "q_norm.weight"));
                Rotate(q[t], head * hd, positions[t], inv);
            }
            for (int head = 0; head < KV; head++)
            {
                if (_c.QueryKeyNorm)
                    NormSlice(k[t], head * hd, hd, W(p + "k_norm.weight"));
                Rotate(k[t], head * hd, positions[t], inv);
            }
        }
        double scale = 1 / Math.Sqrt(_c.QueryPreAttentionScalar ?? hd);
        var attn = new double[T][];
        for (int t = 0; t < T; t++)
        {
            attn[t] = new double[H * hd];
            for (int head = 0; head < H; head++)
            {
                int kvHead = head / (H / KV);
                var scores = new List<(int j, double s)>();
                for (int j = 0; j <= t; j++)
                {
                    if (sliding && j <= t - _c.SlidingWindow!.Value)
                        continue;
                    double s = 0;
                    for (int i = 0; i < hd; i++)
                        s += q[t][head * hd + i] * k[j][kvHead * hd + i];
                    s *= scale;
                    if (_c.AttentionLogitSoftcap is double cap)
                        s = cap * Math.Tanh(s / cap);
                    scores.Add((j, s));
                }
                double max = scores.Max(e => e.s);
                double z = scores.Sum(e => Math.Exp(e.s - max));
                foreach (var (j, s) in scores)
                {
                    double a = Math.Exp(s - max) / z;
                    for (int i = 0; i < hd; i++)
                        attn[t][head * hd + i] += a * v[j][kvHead * hd + i];
                }
            }
            if (_c.AttentionOutputGate)
                for (int i = 0; i < H * hd; i++)
                    attn[t][i] *= 1 / (1 + Math.Exp(-gate[t][i]));
        }
        return attn.Select(a => Linear(a, W(p + "o_proj.weight"), B(p + "o_proj.bias"), _c.HiddenSize)).ToArray();
    }

    /// <summary>Gated DeltaNet, one position at a time: convolution over the last K inputs, then the delta rule.</summary>
    double[][] DeltaNet(double[][] h, string p)
    {
        var s = _c.LinearAttention!;
        int T = h.Length, C = s.ConvDim, K = s.ConvKernel, Hk = s.KeyHeads, Hv = s.ValueHeads, dk = s.KeyHeadDim, dv = s.ValueHeadDim;
        var qkv = h.Select(r => Linear(r, W(p + "in_proj_qkv.weight"), null, C)).ToArray();
        var z = h.Select(r => Linear(r, W(p + "in_proj_z.weight"), null, s.ValueDim)).ToArray();
        var bIn = h.Select(r => Linear(r, W(p + "in_proj_b.weight"), null, Hv)).ToArray();
        var aIn = h.Select(r => Linear(r, W(p + "in_proj_a.weight"), null, Hv)).ToArray();
        double[] conv = W(p + "conv1d.weight"), dtBias = W(p + "dt_bias"), aLog = W(p + "A_log"), normW = W(p + "norm.weight");
        var state = new double[Hv, dk, dv];
        var output = new double[T][];
        for (int t = 0; t < T; t++)
        {
            // Causal depthwise convolution: output t reads inputs t−K+1..t (zeros before the start), then SiLU.
            var mixed = new double[C];
            for (int c = 0; c < C; c++)
            {
                double acc = 0;
                for (int j = 0; j < K; j++)
                {
                    int src = t - (K - 1) + j;
                    if (src >= 0)
                        acc += conv[c * K + j] * qkv[src][c];
                }
                mixed[c] = acc / (1 + Math.Exp(-acc));
            }
            output[t] = new double[s.ValueDim];
            for (int hv = 0; hv < Hv; hv++)
            {
                int hk = hv / (Hv / Hk);
                var q = L2(mixed.Skip(hk * dk).Take(dk).ToArray()).Select(e => e / Math.Sqrt(dk)).ToArray();
                var k = L2(mixed.Skip(s.KeyDim + hk * dk).Take(dk).ToArray());
                var v = mixed.Skip(2 * s.KeyDim + hv * dv).Take(dv).ToArray();
                double beta = 1 / (1 + Math.Exp(-bIn[t][hv]));
                double g = -Math.Exp(aLog[hv]) * Softplus(aIn[t][hv] + dtBias[hv]);
                double decay = Math.Exp(g);
                for (int i = 0; i < dk; i++)
                    for (int j = 0; j < dv; j++)
                        state[hv, i, j] *= decay;
                for (int j = 0; j < dv; j++)
                {
                    double predicted = 0;
                    for (int i = 0; i < dk; i++)
                        predicted += state[hv, i, j] * k[i];
                    double delta = (v[j] - predicted) * beta;
                    for (int i = 0; i < dk; i++)
                        state[hv, i, j] += k[i] * delta;
                }
                var o = new double[dv];
                for (int j = 0; j < dv; j++)
                    for (int i = 0; i < dk; i++)
                        o[j] += state[hv, i, j] * q[i];
                // Gated RMSNorm per value head: w · o / rms(o) · silu(z).
                double ms = o.Sum(e => e * e) / dv;
                double r = 1 / Math.Sqrt(ms + _c.RmsNormEps);
                for (int j = 0; j < dv; j++)
                {
                    double zz = z[t][hv * dv + j];
                    output[t][hv * dv + j] = normW[j] * o[j] * r * zz / (1 + Math.Exp(-zz));
                }
            }
        }
        return output.Select(o => Linear(o, W(p + "out_proj.weight"), null, _c.HiddenSize)).ToArray();
    }

    static double Softplus(double x) => x > 20 ? x : Math.Log(1 + Math.Exp(x));

    static double[] L2(double[] x)
    {
        double r = 1 / Math.Sqrt(x.Sum(e => e * e) + 1e-6);
        return x.Select(e => e * r).ToArray();
    }

    /// <summary>Logits of one hidden state (tied head when there is no lm_head.weight; soft-capped when configured).</summary>
    public double[] Logits(double[] hidden)
    {
        var head = _w.TryGetValue("lm_head.weight", out var lm) ? lm : W("model.embed_tokens.weight");
        var logits = Linear(hidden, head, null, _c.VocabSize);
        if (_c.FinalLogitSoftcap is double cap)
            logits = logits.Select(e => cap * Math.Tanh(e / cap)).ToArray();
        return logits;
    }

    /// <summary>The input embedding of a token (× √d for Gemma3).</summary>
    public double[] Embedding(long id)
    {
        var row = W("model.embed_tokens.weight").Skip((int)id * _c.HiddenSize).Take(_c.HiddenSize);
        return _c.ScaleEmbeddings ? row.Select(e => e * Math.Sqrt(_c.HiddenSize)).ToArray() : row.ToArray();
    }

    double[] InverseFrequencies(double theta, RopeScaling s)
    {
        int dim = _c.RotaryDim, half = dim / 2;
        var inv = new double[half];
        for (int i = 0; i < half; i++)
            inv[i] = 1.0 / Math.Pow(theta, (2.0 * i) / dim);
        if (s.Kind == RopeScalingKind.Llama3)
        {
            // transformers.modeling_rope_utils._compute_llama3_parameters
            double lowWavelen = s.OriginalMaxPositions / s.LowFrequencyFactor;
            double highWavelen = s.OriginalMaxPositions / s.HighFrequencyFactor;
            for (int i = 0; i < half; i++)
            {
                double wavelen = 2 * Math.PI / inv[i];
                double scaled = wavelen > lowWavelen ? inv[i] / s.Factor : inv[i];
                double smooth = (s.OriginalMaxPositions / wavelen - s.LowFrequencyFactor) / (s.HighFrequencyFactor - s.LowFrequencyFactor);
                double smoothed = (1 - smooth) * scaled / s.Factor + smooth * scaled;
                bool medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
                inv[i] = medium ? smoothed : scaled;
            }
        }
        else if (s.Kind == RopeScalingKind.Linear)
        {
            for (int i = 0; i < half; i++)
                inv[i] /= s.Factor;
        }
        return inv;
    }

    /// <summary>Rotate-half rotary on the first rotary_dim channels of the head at <paramref name="offset"/>.</summary>
    static void Rotate(double[] v, int offset, long position, double[] inv)
    {
        int half = inv.Length;
        var copy = v.Skip(offset).Take(2 * half).ToArray();
        for (int i = 0; i < half; i++)
        {
            double angle = position * inv[i];
            double cos = Math.Cos(angle), sin = Math.Sin(angle);
            v[offset + i] = copy[i] * cos - copy[i + half] * sin;
            v[offset + i + half] = copy[i + half] * cos + copy[i] * sin;
        }
    }

    /// <summary>RMSNorm with the family's weight convention: w or (1 + w).</summary>
    double[] Norm(double[] x, double[] w)
    {
        double ms = x.Sum(e => e * e) / x.Length;
        double r = 1 / Math.Sqrt(ms + _c.RmsNormEps);
        return x.Select((e, i) => (_c.ZeroCenteredNorms ? 1 + w[i] : w[i]) * e * r).ToArray();
    }

    void NormSlice(double[] v, int offset, int n, double[] w)
    {
        var normed = Norm(v.Skip(offset).Take(n).ToArray(), w);
        Array.Copy(normed, 0, v, offset, n);
    }

    static double[] Linear(double[] x, double[] w, double[]? b, int outFeatures)
    {
        int n = x.Length;
        var y = new double[outFeatures];
        for (int o = 0; o < outFeatures; o++)
        {
            double s = b?[o] ?? 0;
            for (int i = 0; i < n; i++)
                s += w[o * n + i] * x[i];
            y[o] = s;
        }
        return y;
    }
}
