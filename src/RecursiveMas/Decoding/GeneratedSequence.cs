namespace RecursiveMas.Decoding;

/// <summary>Why a sequence stopped.</summary>
public enum FinishReason
{
    /// <summary>The model produced an end-of-sequence / end-of-turn token.</summary>
    EndOfSequence,

    /// <summary>The decoded text reached one of the stop strings.</summary>
    StopString,

    /// <summary><see cref="SamplingOptions.MaxNewTokens"/> tokens were generated.</summary>
    MaxNewTokens,

    /// <summary>The row's own cancellation (<see cref="DecodeRow.Cancellation"/>) stopped it; the rest of its batch went on.</summary>
    Cancelled,
}

/// <summary>One generated continuation.</summary>
/// <param name="TokenIds">Generated ids, including the end-of-sequence token when that is why it stopped.</param>
/// <param name="Text">Decoded text without special tokens, cut before a stop string; null when no decoder was given.</param>
/// <param name="Reason">Why generation stopped.</param>
public sealed record GeneratedSequence(IReadOnlyList<int> TokenIds, string? Text, FinishReason Reason);
