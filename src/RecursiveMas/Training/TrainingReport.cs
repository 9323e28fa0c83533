using System.Text.Json;
using System.Text.Json.Serialization;

namespace RecursiveMas.Training;

/// <summary>Per link and round, the gradient norms seen over the diagnostic steps of a stage.</summary>
public sealed record RoundGradientSummary(string Link, int Round, double Mean, double Min, double Max, double Last, int Samples);

/// <summary>How one stage (inner or outer) went.</summary>
public sealed record StageReport
{
    public required TrainingStage Stage { get; init; }

    /// <summary>Steps of the stage (including any done before a resume).</summary>
    public required int Steps { get; init; }

    /// <summary>The step the stage resumed from (0 = started fresh).</summary>
    public int ResumedFromStep { get; init; }

    /// <summary>Steps skipped because their loss or gradient was NaN or infinite (no update was made).</summary>
    public int SkippedSteps { get; init; }

    /// <summary>Loss of the first step run by this process (NaN if none ran).</summary>
    public double FirstLoss { get; init; } = double.NaN;

    /// <summary>Loss of the last step.</summary>
    public double FinalLoss { get; init; } = double.NaN;

    /// <summary>Outer: the decoder's loss per round at the last step (NaN where not computed).</summary>
    public IReadOnlyList<double> FinalRoundLosses { get; init; } = [];

    /// <summary>Inner: each agent's loss at the last step.</summary>
    public IReadOnlyDictionary<string, double> FinalAgentLosses { get; init; } = new Dictionary<string, double>();

    /// <summary>Outer: gradient per link and round over the diagnostic steps.</summary>
    public IReadOnlyList<RoundGradientSummary> RoundGradients { get; init; } = [];

    /// <summary>Held-out accuracy before this stage's first step (outer only; null without evaluation data).</summary>
    public double? InitialEvaluationAccuracy { get; init; }

    /// <summary>Held-out accuracy after the last step (outer only).</summary>
    public double? EvaluationAccuracy { get; init; }

    /// <summary>The stage's loss on the held-out set before its first step and after its last (null where not measured).</summary>
    public double? InitialEvaluationLoss { get; init; }

    /// <inheritdoc cref="InitialEvaluationLoss"/>
    public double? EvaluationLoss { get; init; }

    /// <summary>Wall time of this process's part of the stage.</summary>
    public double Seconds { get; init; }

    /// <summary>The checkpoint written last, if any.</summary>
    public string? CheckpointPath { get; init; }
}

/// <summary>The result of <see cref="LinkTrainer"/>: one <see cref="StageReport"/> per stage run, plus where things went.</summary>
public sealed record TrainingReport
{
    public required IReadOnlyList<StageReport> Stages { get; init; }

    /// <summary>The JSONL step log (null without an output directory).</summary>
    public string? LogPath { get; init; }

    /// <summary>Where the trained links were saved (null without an output directory).</summary>
    public string? LinksDirectory { get; init; }

    /// <summary>Loss of the last step of the last stage.</summary>
    public double FinalLoss => Stages.Count == 0 ? double.NaN : Stages[^1].FinalLoss;

    /// <summary>Held-out accuracy at the end (null without evaluation data).</summary>
    public double? EvaluationAccuracy => Stages.LastOrDefault(s => s.EvaluationAccuracy is not null)?.EvaluationAccuracy;

    /// <summary>Held-out accuracy before outer training (null without evaluation data).</summary>
    public double? InitialEvaluationAccuracy => Stages.FirstOrDefault(s => s.InitialEvaluationAccuracy is not null)?.InitialEvaluationAccuracy;

    /// <summary>
    /// What the numbers alone do not say, one sentence each: a stage some of whose steps were skipped (their loss or
    /// gradient NaN or infinite, no update made, as released). The text summary prints them and the JSON holds them
    /// (<c>warnings</c>): a run whose every step was skipped otherwise reads as a success in either.
    /// </summary>
    public IReadOnlyList<string> Warnings => [.. Stages.Where(s => s.SkippedSteps > 0).Select(SkippedStepsWarning)];

    static string SkippedStepsWarning(StageReport s)
    {
        int ran = s.Steps - s.ResumedFromStep;
        return $"{s.Stage.ToString().ToLowerInvariant()}: {s.SkippedSteps} of {ran} step(s) skipped, their loss or gradient NaN or infinite" +
            (s.SkippedSteps >= ran ? " — no step updated the links (check the loss weights and the data)" : "");
    }

    /// <summary>The report as indented JSON (snake_case; NaN written as null).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new FiniteDoubleConverter() },
    };

    /// <summary>JSON has no NaN: a value not computed is written as null.</summary>
    internal sealed class FiniteDoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
                writer.WriteNumberValue(value);
            else
                writer.WriteNullValue();
        }
    }
}
