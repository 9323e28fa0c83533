namespace RecursiveMas.Serving;

/// <summary>A <see cref="ContinuousBatcher"/> refused a question because <see cref="BatcherOptions.MaxWaiting"/> questions already wait.</summary>
public sealed class BatcherFullException(int waiting)
    : InvalidOperationException($"{waiting} questions already wait for a batch row (BatcherOptions.MaxWaiting); retry later")
{
    /// <summary>Questions waiting when this one was refused.</summary>
    public int Waiting { get; } = waiting;
}
