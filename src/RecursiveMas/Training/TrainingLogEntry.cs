using System.Globalization;
using System.Text.Json;
using RecursiveMas.IO;

namespace RecursiveMas.Training;

/// <summary>
/// One line of <c>train-log.jsonl</c> as read back (see <see cref="Read"/>): the values a chart or a
/// report needs. Losses and norms are null where the run logged none (not measured, or not finite).
/// </summary>
/// <param name="Stage">"inner" or "outer".</param>
/// <param name="Step">1-based step within <paramref name="Stage"/>.</param>
/// <param name="RoundGradients">Outer, on diagnostic steps: each link's gradient from each round (null norms dropped).</param>
/// <param name="EvaluationAccuracy">Held-out accuracy when measured at this step.</param>
/// <param name="EvaluationLoss">The stage's loss on the held-out set when measured at this step (absent in older logs).</param>
public sealed record TrainingLogEntry(
    string Stage,
    int Step,
    int TotalSteps,
    double? Loss,
    double LearningRate,
    double? GradientNorm,
    IReadOnlyList<RoundGradient> RoundGradients,
    double? EvaluationAccuracy,
    double? EvaluationLoss = null)
{
    /// <summary>The log's name in a training run's output folder.</summary>
    public const string FileName = "train-log.jsonl";

    /// <summary>
    /// Reads a step log written by training. Blank lines are skipped; a line that is not a JSON object
    /// with the logged fields is a <see cref="ModelFileException"/> naming the file, the line and the
    /// field; a log with no steps is one too.
    /// </summary>
    public static IReadOnlyList<TrainingLogEntry> Read(string path) =>
        JsonLines.Read(path, "training log", "steps", (root, number) => Parse(root, path, JsonLines.Line(number)));

    static TrainingLogEntry Parse(JsonElement root, string path, string where)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new ModelFileException(path, where, "each line must be a JSON object with \"stage\", \"step\", \"loss\" and \"lr\" (a train-log.jsonl)");
        JsonElement Field(JsonElement parent, string key, bool nullable, JsonValueKind kind = JsonValueKind.Number)
        {
            if (!parent.TryGetProperty(key, out var value))
                throw new ModelFileException(path, where, $"missing \"{key}\"");
            if (value.ValueKind != kind && !(nullable && value.ValueKind == JsonValueKind.Null))
                throw new ModelFileException(path, where, string.Create(CultureInfo.InvariantCulture, $"\"{key}\" must be {kind}, got {value.ValueKind}"));
            return value;
        }
        static double? Optional(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();
        string stage = Field(root, "stage", false, JsonValueKind.String).GetString()!;
        if (!Field(root, "step", false).TryGetInt32(out int step) || step < 0)
            throw new ModelFileException(path, where, "\"step\" must be a non-negative integer");
        int total = Field(root, "total_steps", false).TryGetInt32(out int t) ? t : 0;
        var gradients = new List<RoundGradient>();
        if (root.TryGetProperty("round_grad_norms", out var norms) && norms.ValueKind == JsonValueKind.Array)
            foreach (var norm in norms.EnumerateArray())
            {
                if (norm.ValueKind != JsonValueKind.Object)
                    throw new ModelFileException(path, where, "\"round_grad_norms\" entries must be objects with \"link\", \"round\" and \"norm\"");
                if (!Field(norm, "round", false).TryGetInt32(out int round) || round < 1)
                    throw new ModelFileException(path, where, "\"round_grad_norms\" rounds must be integers from 1");
                if (Optional(Field(norm, "norm", true)) is double value)
                    gradients.Add(new RoundGradient(Field(norm, "link", false, JsonValueKind.String).GetString()!, round, value));
            }
        return new TrainingLogEntry(stage, step, total,
            Optional(Field(root, "loss", true)),
            Field(root, "lr", false).GetDouble(),
            Optional(Field(root, "grad_norm", true)),
            gradients,
            root.TryGetProperty("eval_accuracy", out var accuracy) && accuracy.ValueKind == JsonValueKind.Number ? accuracy.GetDouble() : null,
            root.TryGetProperty("eval_loss", out var heldOut) && heldOut.ValueKind == JsonValueKind.Number ? heldOut.GetDouble() : null);
    }
}
