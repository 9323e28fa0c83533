using System.Text.Json;
using RecursiveMas.IO;

namespace RecursiveMas.Training;

/// <summary>
/// Reads training data as JSONL, one example per line:
/// <c>{"question": "...", "roles": {"Planner": "...", "Critic": "..."}, "answer": "..."}</c>, optionally
/// with <c>"later_rounds"</c> (<see cref="RoleTextsJson"/>).
/// Blank lines are skipped; anything else malformed is an error naming the file and the line.
/// </summary>
public static class TrainingData
{
    public static IReadOnlyList<TrainingExample> Load(string jsonlPath)
    {
        string path = Path.GetFullPath(jsonlPath);
        return JsonLines.Read(path, "training data", "examples", (root, number) => Parse(root, path, number));
    }

    static TrainingExample Parse(JsonElement root, string path, int number)
    {
        string where = JsonLines.Line(number);
        if (root.ValueKind != JsonValueKind.Object)
            throw new ModelFileException(path, where, "each line must be a JSON object with \"question\", \"roles\" and \"answer\"");

        string Text(string key)
        {
            if (!root.TryGetProperty(key, out var value))
                throw new ModelFileException(path, where, $"missing \"{key}\"");
            if (value.ValueKind != JsonValueKind.String)
                throw new ModelFileException(path, where, $"\"{key}\" must be a string, got {value.ValueKind}");
            return value.GetString()!;
        }

        var (roles, later) = RoleTextsJson.Read(root, path, where);
        string question = Text("question");
        string answer = Text("answer");
        if (string.IsNullOrWhiteSpace(question))
            throw new ModelFileException(path, where, "\"question\" is empty");
        if (answer.Length == 0)
            throw new ModelFileException(path, where, "\"answer\" is empty");
        return new TrainingExample(question, roles, answer) { Source = $"{path}:{number}", LaterRoundTargets = later };
    }
}
