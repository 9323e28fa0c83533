using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// Rotary position embedding in the Hugging Face "rotate half" layout: the first and second halves
/// of each head form the (real, imaginary) pairs. Positions come from explicit position ids, never
/// from the index in the sequence, so left-padded rows rotate exactly like the same row alone.
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor _inverseFrequencies; // [head_dim / 2], float32

    public RotaryEmbedding(ModelConfig config, Device device)
    {
        int half = config.HeadDim / 2;
        var inv = new double[half];
        for (int i = 0; i < half; i++)
            inv[i] = 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / config.HeadDim);
        Rescale(inv, config.RopeScaling);
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
                for (int i = 0; i < inv.Length; i++) inv[i] /= scaling.Factor;
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

    /// <summary>cos and sin tables for positions [B, T], each [B, 1, T, head_dim] in <paramref name="dtype"/>.</summary>
    public (Tensor Cos, Tensor Sin) Tables(Tensor positionIds, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var freqs = positionIds.to(ScalarType.Float32).unsqueeze(-1) * _inverseFrequencies; // [B, T, hd/2]
        var angles = cat([freqs, freqs], -1).unsqueeze(1);                                    // [B, 1, T, hd]
        var cos = angles.cos().to(dtype);
        var sin = angles.sin().to(dtype);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary>Rotates x [B, heads, T, head_dim] by the tables from <see cref="Tables"/>.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long half = x.shape[^1] / 2;
        var first = x.narrow(-1, 0, half);
        var second = x.narrow(-1, half, half);
        var rotated = cat([-second, first], -1);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }

    public void Dispose() => _inverseFrequencies.Dispose();
}
