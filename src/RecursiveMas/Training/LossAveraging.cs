namespace RecursiveMas.Training;

/// <summary>How a text loss averages token cross-entropies over a batch.</summary>
public enum LossAveraging
{
    /// <summary>Each sample's mean over its own tokens, then the mean over samples: a short answer weighs as much as a long one (the released recipe).</summary>
    PerSample,

    /// <summary>The mean over every token of the batch: long answers weigh more (what the zoo was trained with).</summary>
    PerToken,
}
