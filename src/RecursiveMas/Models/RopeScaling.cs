namespace RecursiveMas.Models;

/// <summary>How rotary frequencies are rescaled for long contexts (<c>rope_scaling</c> in config.json).</summary>
public enum RopeScalingKind
{
    /// <summary>No rescaling (absent, null, or <c>"default"</c>).</summary>
    None,

    /// <summary><c>"linear"</c>: positions divided by <see cref="RopeScaling.Factor"/>.</summary>
    Linear,

    /// <summary><c>"llama3"</c>: low frequencies divided by the factor, high ones kept, a smooth band between.</summary>
    Llama3,
}

/// <summary>The parsed <c>rope_scaling</c> block.</summary>
/// <param name="Kind">Which rescaling applies.</param>
/// <param name="Factor">The scaling factor (1 when <see cref="Kind"/> is None).</param>
/// <param name="LowFrequencyFactor">llama3 only: <c>low_freq_factor</c>.</param>
/// <param name="HighFrequencyFactor">llama3 only: <c>high_freq_factor</c>.</param>
/// <param name="OriginalMaxPositions">llama3 only: <c>original_max_position_embeddings</c>.</param>
public sealed record RopeScaling(
    RopeScalingKind Kind,
    double Factor = 1,
    double LowFrequencyFactor = 1,
    double HighFrequencyFactor = 4,
    int OriginalMaxPositions = 8192)
{
    /// <summary>No rescaling.</summary>
    public static RopeScaling None { get; } = new(RopeScalingKind.None);
}
