namespace RecursiveMas.Training;

/// <summary>The gradient one outer link received from its use in one round (its share of the summed gradient).</summary>
/// <param name="Link">Link id, e.g. <c>outer.Planner-Critic</c>.</param>
/// <param name="Round">1-based round the link was used in.</param>
/// <param name="Norm">L2 norm of that round's contribution to the link's parameter gradient (before clipping).</param>
public sealed record RoundGradient(string Link, int Round, double Norm);

/// <summary>What a training run reports after each optimizer step.</summary>
/// <param name="Stage">Inner or Outer.</param>
/// <param name="Step">Steps done in this stage (1-based after a step; 0 for the evaluation before training).</param>
/// <param name="TotalSteps">Steps of this stage.</param>
/// <param name="Loss">The step's loss (outer: weighted decoder loss; inner: mean over agents), averaged over micro-batches.</param>
/// <param name="LearningRate">The rate this step used.</param>
/// <param name="GradientNorm">Norm of the accumulated gradient before clipping (all trained links).</param>
/// <param name="RoundLosses">Outer: the decoder's loss in each round it ran (NaN where not computed); inner: empty.</param>
/// <param name="RoundGradients">Outer, on diagnostic steps: gradient from each round reaching each link.</param>
/// <param name="AgentLosses">Inner: each agent's inner loss.</param>
/// <param name="EvaluationAccuracy">Accuracy on the held-out set when it was measured at this step.</param>
/// <param name="Elapsed">Time since this stage started (this process).</param>
/// <param name="Remaining">Estimated time to the end of the stage.</param>
public sealed record TrainingProgress(
    TrainingStage Stage,
    int Step,
    int TotalSteps,
    double Loss,
    double LearningRate,
    double GradientNorm,
    IReadOnlyList<double> RoundLosses,
    IReadOnlyList<RoundGradient> RoundGradients,
    IReadOnlyDictionary<string, double> AgentLosses,
    double? EvaluationAccuracy,
    TimeSpan Elapsed,
    TimeSpan? Remaining)
{
    /// <summary>Steps of this stage (this process) skipped so far because their loss or gradient was NaN or infinite.</summary>
    public int SkippedSteps { get; init; }

    /// <summary>
    /// The stage's own loss on the held-out set, measured with <see cref="EvaluationAccuracy"/> (the validation curve
    /// beside the training loss); null when not measured, or when the held-out examples lack what the loss reads.
    /// </summary>
    public double? EvaluationLoss { get; init; }
}
