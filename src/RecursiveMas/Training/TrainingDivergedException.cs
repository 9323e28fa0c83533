namespace RecursiveMas.Training;

/// <summary>
/// Training stopped because an update broke the links: their weights became NaN or infinite, or examples whose loss
/// was finite before the update give a NaN or infinite loss after it. Nothing is written after the broken update: the
/// last checkpoint and the links folder keep what they held. An <see cref="ArgumentException"/> naming
/// <see cref="TrainingOptions.LearningRate"/>, the setting to change first.
/// </summary>
public sealed class TrainingDivergedException(TrainingStage stage, int step, string detail)
    : ArgumentException($"training diverged in the {TrainingLog.StageName(stage)} stage at step {step}: {detail}", nameof(TrainingOptions.LearningRate))
{
    public TrainingStage Stage { get; } = stage;

    /// <summary>The 1-based step at which the divergence was found.</summary>
    public int Step { get; } = step;
}
