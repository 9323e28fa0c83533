using System.Text.Json;

namespace RecursiveMas.Training;

/// <summary>
/// Reads training data as JSONL, one example per line:
/// <c>{"question": "...", "roles": {"Planner": "...", "Critic": "..."}, "answer": "..."}</c>.
/// Blank lines are skipped; anything else malformed is an error naming the file and the line.
/// </summary>
public static class TrainingData
{
    public static IReadOnlyList<TrainingExample> Load(string jsonlPath)
    {
        string path = Path.GetFullPath(jsonlPath);
        if (!File.Exists(path))
            throw new ModelFileException(path, null, "training data not found");
        var examples = new List<TrainingExample>();
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            examples.Add(Parse(line, path, number));
        }
        if (examples.Count == 0)
            throw new ModelFileException(path, null, "training data has no examples");
        return examples;
    }

    static TrainingExample Parse(string line, string path, int number)
    {
        string where = $"line {number}";
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(line);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, where, $"not valid JSON: {e.Message}", e);
        }
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

        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("roles", out var rolesElement))
        {
            if (rolesElement.ValueKind != JsonValueKind.Object)
                throw new ModelFileException(path, where, "\"roles\" must be an object mapping agent names to their target texts");
            foreach (var role in rolesElement.EnumerateObject())
            {
                if (role.Value.ValueKind != JsonValueKind.String)
                    throw new ModelFileException(path, where, $"\"roles\".\"{role.Name}\" must be a string");
                roles[role.Name] = role.Value.GetString()!;
            }
        }
        string question = Text("question");
        string answer = Text("answer");
        if (answer.Length == 0)
            throw new ModelFileException(path, where, "\"answer\" is empty");
        return new TrainingExample(question, roles, answer) { Source = $"{path}:{number}" };
    }
}
