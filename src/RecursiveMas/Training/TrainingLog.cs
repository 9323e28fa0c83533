using System.Text.Json;
using System.Text.Json.Nodes;
using RecursiveMas.IO;

namespace RecursiveMas.Training;

/// <summary>
/// The step log, <c>train-log.jsonl</c>: one JSON object per optimizer step (stage, step, loss, lr,
/// gradient norm, per-round losses and per-round gradient norms per link, evaluation accuracy when
/// measured). On resume, lines past the checkpoint's step (logged before the interruption) are dropped
/// so the log reads as one uninterrupted run.
/// </summary>
internal sealed class TrainingLog(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Keeps only the lines of other stages and of <paramref name="stage"/> up to <paramref name="step"/>.</summary>
    public void TruncateAfter(TrainingStage stage, int step)
    {
        if (!File.Exists(Path))
            return;
        string name = StageName(stage);
        var kept = File.ReadLines(Path).Where(line =>
        {
            try
            {
                var node = JsonNode.Parse(line);
                return node?["stage"]?.GetValue<string>() != name || node["step"]?.GetValue<int>() <= step;
            }
            catch (JsonException)
            {
                return false; // a line cut short by the interruption
            }
        }).ToList();
        AtomicFile.WriteAllText(Path, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    /// <summary>Removes the log (a fresh, non-resumed run).</summary>
    public void Reset()
    {
        if (File.Exists(Path))
            File.Delete(Path);
    }

    public void Append(TrainingProgress progress)
    {
        var line = new JsonObject
        {
            ["stage"] = StageName(progress.Stage),
            ["step"] = progress.Step,
            ["total_steps"] = progress.TotalSteps,
            ["loss"] = Number(progress.Loss),
            ["lr"] = progress.LearningRate,
            ["grad_norm"] = Number(progress.GradientNorm),
            ["skipped_steps"] = progress.SkippedSteps,
            ["round_losses"] = new JsonArray([.. progress.RoundLosses.Select(Number)]),
            ["round_grad_norms"] = new JsonArray([.. progress.RoundGradients.Select(g => (JsonNode)new JsonObject
            {
                ["link"] = g.Link,
                ["round"] = g.Round,
                ["norm"] = Number(g.Norm),
            })]),
            ["agent_losses"] = new JsonObject(progress.AgentLosses.Select(kv => KeyValuePair.Create(kv.Key, Number(kv.Value)))),
            ["eval_accuracy"] = progress.EvaluationAccuracy,
            ["eval_loss"] = progress.EvaluationLoss is double heldOut ? Number(heldOut) : null,
            ["elapsed_s"] = Math.Round(progress.Elapsed.TotalSeconds, 3),
        };
        RecursiveMas.IO.AtomicFile.CreateFolder(System.IO.Path.GetDirectoryName(Path)!);
        File.AppendAllText(Path, line.ToJsonString() + "\n");
    }

    static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    internal static string StageName(TrainingStage stage) => stage.ToString().ToLowerInvariant();
}
