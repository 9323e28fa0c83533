using RecursiveMas.Models.Kernels;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// Rotary position embedding in the Hugging Face "rotate half" layout: the first and second halves
/// of each head form the (real, imaginary) pairs. Positions come from explicit position ids, never
/// from the index in the sequence, so left-padded rows rotate exactly like the same row alone. With a
/// partial rotary factor (Qwen3.5) only the first <see cref="ModelConfig.RotaryDim"/> channels of each
/// head rotate; the rest pass through.
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor _inverseFrequencies; // [head_dim / 2], float32

    /// <summary>The rotary of the model's (global) attention layers.</summary>
    public RotaryEmbedding(ModelConfig config, Device device)
        : this(config.RopeTheta, config.RopeScaling, config.RotaryDim, device)
    {
    }

    /// <summary>A rotary over <paramref name="rotaryDim"/> channels with base <paramref name="theta"/>.</summary>
    public RotaryEmbedding(double theta, RopeScaling scaling, int rotaryDim, Device device)
    {
        int half = rotaryDim / 2;
        var inv = new double[half];
        for (int i = 0; i < half; i++)
            inv[i] = 1.0 / Math.Pow(theta, 2.0 * i / rotaryDim);
        Rescale(inv, scaling);
        _inverseFrequencies = tensor(inv.Select(v => (float)v).ToArray(), device: device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Applies llama3 / linear scaling to the inverse frequencies, as transformers'
    /// <c>_compute_llama3_parameters</c> does: long wavelengths are divided by the factor, short ones
    /// kept, and the band between interpolated smoothly.
    /// </summary>
    static void Rescale(double[] inv, RopeScaling scaling)
    {
        switch (scaling.Kind)
        {
            case RopeScalingKind.Linear:
                for (int i = 0; i < inv.Length; i++)
                    inv[i] /= scaling.Factor;
                break;
            case RopeScalingKind.Llama3:
                double oldContext = scaling.OriginalMaxPositions;
                double lowFreqWavelength = oldContext / scaling.LowFrequencyFactor;
                double highFreqWavelength = oldContext / scaling.HighFrequencyFactor;
                for (int i = 0; i < inv.Length; i++)
                {
                    double wavelength = 2 * Math.PI / inv[i];
                    if (wavelength < highFreqWavelength)
                        continue;
                    if (wavelength > lowFreqWavelength)
                    {
                        inv[i] /= scaling.Factor;
                        continue;
                    }
                    double smooth = (oldContext / wavelength - scaling.LowFrequencyFactor)
                        / (scaling.HighFrequencyFactor - scaling.LowFrequencyFactor);
                    inv[i] = (1 - smooth) * inv[i] / scaling.Factor + smooth * inv[i];
                }
                break;
        }
    }

    /// <summary>cos and sin tables for positions [B, T], each [B, 1, T, rotary_dim] in <paramref name="dtype"/>.</summary>
    public (Tensor Cos, Tensor Sin) Tables(Tensor positionIds, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var freqs = positionIds.to(ScalarType.Float32).unsqueeze(-1) * _inverseFrequencies; // [B, T, hd/2]
        var angles = cat([freqs, freqs], -1).unsqueeze(1);                                    // [B, 1, T, hd]
        var cos = angles.cos().to(dtype);
        var sin = angles.sin().to(dtype);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Rotates x [B, heads, T, head_dim] by the tables from <see cref="Tables"/>: the first rotary_dim
    /// channels (all of them unless the rotary is partial), the rest unchanged.
    /// </summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        if (RotaryKernel.TryRun(x, cos, sin) is { } rotatedByKernel)
            return rotatedByKernel;
        using var scope = NewDisposeScope();
        long dim = cos.size(-1);
        var part = dim == x.size(-1) ? x : x.narrow(-1, 0, dim);
        long half = dim / 2;
        var first = part.narrow(-1, 0, half);
        var second = part.narrow(-1, half, half);
        var rotated = cat([-second, first], -1);
        var result = (part * cos).Plus(rotated * sin);
        if (dim != x.size(-1))
            result = cat([result, x.narrow(-1, dim, x.size(-1) - dim)], -1);
        return result.MoveToOuterDisposeScope();
    }

    public void Dispose() => _inverseFrequencies.Dispose();
}
