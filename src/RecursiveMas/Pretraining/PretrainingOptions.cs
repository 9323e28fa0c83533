namespace RecursiveMas.Pretraining;

/// <summary>How long and how fast a tiny decoder is (pre-)trained. Defaults suit the shipped zoo's sizes.</summary>
public sealed record PretrainingOptions
{
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 600;

    /// <summary>Conversations per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Peak AdamW learning rate (after warm-up; cosine decay to a tenth of it).</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Linear warm-up steps.</summary>
    public int WarmupSteps { get; init; } = 30;

    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Global gradient-norm clip.</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Conversations longer than this many tokens are cut at the end.</summary>
    public int MaxLength { get; init; } = 256;

    /// <summary>Seeds the initial weights, the data order and which placeholders are filled.</summary>
    public long Seed { get; init; } = 7;

    /// <summary>Called after every step.</summary>
    public Action<PretrainingProgress>? OnProgress { get; init; }

    /// <summary>Throws when a value is out of range, naming it.</summary>
    public void Validate()
    {
        if (Steps < 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "steps must not be negative");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be at least 1");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be positive");
        if (WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "warm-up steps must not be negative");
        if (MaxLength < 2) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "max length must be at least 2");
    }
}

/// <summary>One step's figures.</summary>
public sealed record PretrainingProgress(int Step, int TotalSteps, double Loss, double LearningRate);
