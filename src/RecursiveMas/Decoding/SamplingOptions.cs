namespace RecursiveMas.Decoding;

/// <summary>
/// How the next token is chosen and when decoding stops. Defaults are greedy decoding of up to
/// 256 tokens, stopping at the model's end-of-sequence tokens. The order in which logits are
/// processed follows transformers: temperature, then top-k, then top-p.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>
    /// Temperatures at or below this decode greedily: dividing logits by a smaller one overflows float32
    /// to infinities whose softmax is NaN.
    /// </summary>
    public const double GreedyTemperature = 1e-5;

    /// <summary>Softmax temperature; 0 (or anything up to <see cref="GreedyTemperature"/>) means greedy (argmax), which ignores top-k, top-p and seed.</summary>
    public double Temperature { get; init; }

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability sums to at least this (1 = off).</summary>
    public double TopP { get; init; } = 1;

    /// <summary>Keep only the k most likely tokens (0 = off).</summary>
    public int TopK { get; init; }

    /// <summary>Seed of the sampling generator; null draws one, so runs differ.</summary>
    public long? Seed { get; init; }

    /// <summary>Upper bound on generated tokens per sequence.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Strings that end a sequence when its decoded text contains them; the text is cut before the string.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Stop at end-of-sequence / end-of-turn tokens (the tokenizer's stop ids, else config.json's eos ids).</summary>
    public bool StopAtEndOfSequence { get; init; } = true;

    /// <summary>Greedy decoding with default limits.</summary>
    public static SamplingOptions Greedy { get; } = new();

    /// <summary>True when tokens are drawn at random.</summary>
    public bool IsSampling => Temperature > GreedyTemperature;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0 && double.IsFinite(Temperature)))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "temperature must be 0 (greedy) or a finite positive number");
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1]");
        if (TopK < 0)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top-k must be 0 (off) or positive");
        if (MaxNewTokens < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "max new tokens must be at least 1");
        if (StopStrings.Any(string.IsNullOrEmpty))
            throw new ArgumentException("stop strings must not be empty", nameof(StopStrings));
    }
}
