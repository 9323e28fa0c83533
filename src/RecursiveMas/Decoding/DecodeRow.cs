namespace RecursiveMas.Decoding;

/// <summary>
/// What belongs to one row of a batched decode rather than to the batch: the seed its tokens are drawn
/// with and its own cancellation. A row given its own seed draws exactly what it draws decoded alone with
/// that seed, whoever shares its batch; a cancelled row stops (<see cref="FinishReason.Cancelled"/>) while
/// the other rows go on.
/// </summary>
/// <param name="Seed">The row's sampling seed; null = the options' seed (and a drawn one when that is null too).</param>
/// <param name="Cancellation">Cancels this row only.</param>
public sealed record DecodeRow(long? Seed = null, CancellationToken Cancellation = default);
