namespace RecursiveMas.Training;

/// <summary>Which loop of the inner–outer algorithm (PAPER §4) to run.</summary>
public enum TrainingStage
{
    /// <summary>Each agent's inner link alone: teacher-forced next-embedding alignment on its role text.</summary>
    Inner,

    /// <summary>All outer links jointly through the unrolled rounds, inner links frozen but differentiable.</summary>
    Outer,

    /// <summary>Inner, then outer, each for <see cref="TrainingOptions.Steps"/> steps.</summary>
    Both,
}

/// <summary>What the agents hand each other while the outer loop trains.</summary>
public enum MessageSource
{
    /// <summary>
    /// The official recipe (PAPER §4.3): the sender's last-layer states over its ground-truth role text,
    /// the first K of them. Cheap, but not what inference sends (the train/inference mismatch).
    /// </summary>
    Teacher,

    /// <summary>The m-step latent rollouts inference uses, so training sees exactly what inference sends.</summary>
    Rollout,
}
