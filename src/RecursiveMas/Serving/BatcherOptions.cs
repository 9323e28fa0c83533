namespace RecursiveMas.Serving;

/// <summary>Bounds of a <see cref="ContinuousBatcher"/>.</summary>
public sealed record BatcherOptions
{
    /// <summary>Questions in progress at once (the most rows one agent turn runs); more wait for a row to free.</summary>
    public int MaxBatchSize { get; init; } = 16;

    /// <summary>Questions that may wait for a row; one more is refused with <see cref="BatcherFullException"/>.</summary>
    public int MaxWaiting { get; init; } = 1024;

    /// <summary>
    /// Called on the batcher's thread with the exception that failed a batch's turn and its number of rows, before
    /// each row runs again alone (<see cref="ContinuousBatcher.BatchesRunAlone"/>); it must not throw. <c>rmas serve</c> logs it.
    /// </summary>
    public Action<Exception, int>? OnBatchRunAlone { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bound below 1.</summary>
    public void Validate()
    {
        if (MaxBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "a batch holds at least one question");
        if (MaxWaiting < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxWaiting), MaxWaiting, "the waiting bound cannot be negative");
    }
}
