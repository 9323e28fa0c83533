using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Support;

/// <summary>
/// An independent, deliberately plain re-statement of the Hugging Face Llama/Mistral/Qwen2/Qwen3
/// forward pass for ONE sequence, in double precision with explicit loops (no TorchSharp ops,
/// no batching, no cache, no mask tricks). Tests compare <see cref="CausalLM"/> against it, so a
/// mistake in the fast path (rotary layout, GQA grouping, q/k norm placement, biases, window,
/// tied head) shows up as a numeric difference.
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
        int T = embeddings.Length, d = _c.HiddenSize, H = _c.HeadCount, KV = _c.KeyValueHeadCount, hd = _c.HeadDim;
        var x = embeddings.Select(r => (double[])r.Clone()).ToArray();
        double[] inv = InverseFrequencies();
        for (int l = 0; l < _c.LayerCount; l++)
        {
            string p = $"model.layers.{l}.";
            var h = x.Select(r => RmsNorm(r, W(p + "input_layernorm.weight"))).ToArray();
            var q = h.Select(r => Linear(r, W(p + "self_attn.q_proj.weight"), B(p + "self_attn.q_proj.bias"), H * hd)).ToArray();
            var k = h.Select(r => Linear(r, W(p + "self_attn.k_proj.weight"), B(p + "self_attn.k_proj.bias"), KV * hd)).ToArray();
            var v = h.Select(r => Linear(r, W(p + "self_attn.v_proj.weight"), B(p + "self_attn.v_proj.bias"), KV * hd)).ToArray();
            for (int t = 0; t < T; t++)
            {
                for (int head = 0; head < H; head++)
                {
                    if (_c.QueryKeyNorm) NormSlice(q[t], head * hd, hd, W(p + "self_attn.q_norm.weight"));
                    Rotate(q[t], head * hd, hd, positions[t], inv);
                }
                for (int head = 0; head < KV; head++)
                {
                    if (_c.QueryKeyNorm) NormSlice(k[t], head * hd, hd, W(p + "self_attn.k_norm.weight"));
                    Rotate(k[t], head * hd, hd, positions[t], inv);
                }
            }
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
                        if (_c.SlidingWindow is int w && j <= t - w) continue;
                        double s = 0;
                        for (int i = 0; i < hd; i++) s += q[t][head * hd + i] * k[j][kvHead * hd + i];
                        scores.Add((j, s / Math.Sqrt(hd)));
                    }
                    double max = scores.Max(e => e.s);
                    double z = scores.Sum(e => Math.Exp(e.s - max));
                    foreach (var (j, s) in scores)
                    {
                        double a = Math.Exp(s - max) / z;
                        for (int i = 0; i < hd; i++) attn[t][head * hd + i] += a * v[j][kvHead * hd + i];
                    }
                }
            }
            for (int t = 0; t < T; t++)
            {
                var o = Linear(attn[t], W(p + "self_attn.o_proj.weight"), B(p + "self_attn.o_proj.bias"), d);
                for (int i = 0; i < d; i++) x[t][i] += o[i];
                var h2 = RmsNorm(x[t], W(p + "post_attention_layernorm.weight"));
                int ff = _c.IntermediateSize;
                var gate = Linear(h2, W(p + "mlp.gate_proj.weight"), B(p + "mlp.gate_proj.bias"), ff);
                var up = Linear(h2, W(p + "mlp.up_proj.weight"), B(p + "mlp.up_proj.bias"), ff);
                var act = new double[ff];
                for (int i = 0; i < ff; i++) act[i] = gate[i] / (1 + Math.Exp(-gate[i])) * up[i];
                var down = Linear(act, W(p + "mlp.down_proj.weight"), B(p + "mlp.down_proj.bias"), d);
                for (int i = 0; i < d; i++) x[t][i] += down[i];
            }
        }
        return x.Select(r => RmsNorm(r, W("model.norm.weight"))).ToArray();
    }

    /// <summary>Logits of one hidden state (tied head when there is no lm_head.weight).</summary>
    public double[] Logits(double[] hidden)
    {
        var head = _w.TryGetValue("lm_head.weight", out var lm) ? lm : W("model.embed_tokens.weight");
        return Linear(hidden, head, null, _c.VocabSize);
    }

    public double[] Embedding(long id) => W("model.embed_tokens.weight").Skip((int)id * _c.HiddenSize).Take(_c.HiddenSize).ToArray();

    double[] InverseFrequencies()
    {
        int half = _c.HeadDim / 2;
        var inv = new double[half];
        for (int i = 0; i < half; i++) inv[i] = 1.0 / Math.Pow(_c.RopeTheta, (2.0 * i) / _c.HeadDim);
        var s = _c.RopeScaling;
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
            for (int i = 0; i < half; i++) inv[i] /= s.Factor;
        }
        return inv;
    }

    static void Rotate(double[] v, int offset, int hd, long position, double[] inv)
    {
        int half = hd / 2;
        var copy = v.Skip(offset).Take(hd).ToArray();
        for (int i = 0; i < half; i++)
        {
            double angle = position * inv[i];
            double cos = Math.Cos(angle), sin = Math.Sin(angle);
            v[offset + i] = copy[i] * cos - copy[i + half] * sin;
            v[offset + i + half] = copy[i + half] * cos + copy[i] * sin;
        }
    }

    double[] RmsNorm(double[] x, double[] w)
    {
        double ms = x.Sum(e => e * e) / x.Length;
        double r = 1 / Math.Sqrt(ms + _c.RmsNormEps);
        return x.Select((e, i) => w[i] * e * r).ToArray();
    }

    void NormSlice(double[] v, int offset, int n, double[] w)
    {
        var normed = RmsNorm(v.Skip(offset).Take(n).ToArray(), w);
        Array.Copy(normed, 0, v, offset, n);
    }

    static double[] Linear(double[] x, double[] w, double[]? b, int outFeatures)
    {
        int n = x.Length;
        var y = new double[outFeatures];
        for (int o = 0; o < outFeatures; o++)
        {
            double s = b?[o] ?? 0;
            for (int i = 0; i < n; i++) s += w[o * n + i] * x[i];
            y[o] = s;
        }
        return y;
    }
}
