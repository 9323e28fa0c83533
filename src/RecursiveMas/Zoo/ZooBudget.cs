namespace RecursiveMas.Zoo;

/// <summary>
/// How much data and training the zoo gets. <see cref="Shipped"/> is what examples/zoo was built with
/// (about 5 CPU-minutes of pre-training plus 2.5 of link training); <see cref="Tiny"/> is for tests (seconds).
/// </summary>
public sealed record ZooBudget
{
    /// <summary>Training examples per task.</summary>
    public int TrainPerTask { get; init; } = 3000;

    /// <summary>Validation examples per task.</summary>
    public int ValidationPerTask { get; init; } = 50;

    /// <summary>Test examples per task.</summary>
    public int TestPerTask { get; init; } = 100;

    /// <summary>Pre-training steps per agent.</summary>
    public int Steps { get; init; } = 600;

    /// <summary>Conversations per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Decoder layers of every agent.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Upper bound on each tokenizer's vocabulary.</summary>
    public int VocabSize { get; init; } = 640;

    /// <summary>Tokens each agent may write per message in the Recursive-TextMAS baseline.</summary>
    public int TextMessageTokens { get; init; } = 64;

    /// <summary>Link-training steps per stage (inner, then outer) per system; 0 = leave the links untrained.</summary>
    public int LinkSteps { get; init; } = 300;

    /// <summary>Examples per link-training step.</summary>
    public int LinkBatchSize { get; init; } = 4;

    /// <summary>Peak learning rate of link training.</summary>
    public double LinkLearningRate { get; init; } = 2e-3;

    /// <summary>Training examples per task the links train on.</summary>
    public int LinkExamplesPerTask { get; init; } = 500;

    public static ZooBudget Shipped { get; } = new();

    public static ZooBudget Tiny { get; } = new()
    {
        TrainPerTask = 40, ValidationPerTask = 4, TestPerTask = 6, Steps = 3, BatchSize = 4, Layers = 1, VocabSize = 320, TextMessageTokens = 4,
        LinkSteps = 2, LinkBatchSize = 2, LinkExamplesPerTask = 4,
    };
}
