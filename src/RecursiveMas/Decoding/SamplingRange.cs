namespace RecursiveMas.Decoding;

/// <summary>
/// Where a sampling setting a caller asks for may lie: its name in OpenAI's API, its bounds, and the bounds in words.
/// The one rule for every front end — the chat client (so the server's 400s), <c>rmas generate</c> and <c>rmas eval</c> refuse the same
/// values. <see cref="SamplingOptions.Validate"/> is wider on purpose: it says what the decoder can do, this what a
/// request may ask of it.
/// </summary>
public sealed record SamplingRange(string Name, double Min, bool MinIncluded, double Max, string Words)
{
    // OpenAI's ranges (its API answers 400 outside them): a temperature above 2 is noise, not a setting. top_k is vLLM's
    // extension; 0 or -1 turns it off.
    /// <summary>0 to 2, 0 included (greedy).</summary>
    public static SamplingRange Temperature { get; } = new("temperature", 0, true, 2, "between 0 (greedy) and 2");

    /// <summary>Above 0, up to 1 (1 = off).</summary>
    public static SamplingRange TopP { get; } = new("top_p", 0, false, 1, "greater than 0 and at most 1");

    /// <summary>-1 or more (-1 and 0 = off).</summary>
    public static SamplingRange TopK { get; } = new("top_k", -1, true, int.MaxValue, "-1 or 0 (off), or positive");

    /// <summary>A top_k inside <see cref="TopK"/> as the decoder takes it: -1 (off, vLLM's spelling) becomes 0 (off).</summary>
    public static int DecoderTopK(int topK) => Math.Max(0, topK);

    /// <summary>Whether <paramref name="value"/> lies inside the range (NaN never does).</summary>
    public bool Contains(double value) => (MinIncluded ? value >= Min : value > Min) && value <= Max;

    /// <summary>
    /// Why a command line's <paramref name="option"/> (<c>--temperature</c>) refuses <paramref name="value"/>, in the
    /// commands' words ("--temperature must be between 0 (greedy) and 2, not 3"); null inside the range.
    /// </summary>
    public string? Refusal(string option, double value) =>
        Contains(value) ? null : $"{option} must be {Words}, not {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
