using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using RecursiveMas.IO;

namespace RecursiveMas.Tasks;

/// <summary>
/// The training JSONL of the training contract: one <c>{"question", "roles": {agent: text}, "answer"}</c>
/// object per line, UTF-8, "\n" line ends. Written atomically and byte-for-byte deterministically (roles in
/// the dictionary's order, no escaping of '+', '&lt;' or '\'' so files stay readable).
/// </summary>
public static class TaskDataFile
{
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="examples"/> to <paramref name="path"/> (temp file, then rename).</summary>
    public static void Write(string path, IEnumerable<TaskExample> examples)
    {
        var text = new StringBuilder();
        foreach (var example in examples)
            text.Append(ToJsonLine(example)).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>One example as a single JSON line (no line end).</summary>
    public static string ToJsonLine(TaskExample example)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("question", example.Question);
            json.WriteStartObject("roles");
            foreach (var (role, text) in example.Roles)
                json.WriteString(role, text);
            json.WriteEndObject();
            json.WriteString("answer", example.Answer);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a JSONL file (<see cref="IO.JsonLines"/>); errors name the file and line. Blank lines are skipped.</summary>
    public static IReadOnlyList<TaskExample> Read(string path) =>
        IO.JsonLines.Read(path, "data file", "examples", (root, number) => Parse(root, path, number));

    static TaskExample Parse(JsonElement root, string path, int lineNumber)
    {
        string where = IO.JsonLines.Line(lineNumber);
        if (root.ValueKind != JsonValueKind.Object)
            throw new ModelFileException(path, where, "expected a JSON object");
        string Text(string field) =>
            root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new ModelFileException(path, $"{where}, \"{field}\"", "missing or not a string");
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("roles", out var rolesElement))
        {
            if (rolesElement.ValueKind != JsonValueKind.Object)
                throw new ModelFileException(path, $"{where}, \"roles\"", "must be an object of agent name → text");
            foreach (var role in rolesElement.EnumerateObject())
                roles[role.Name] = role.Value.ValueKind == JsonValueKind.String
                    ? role.Value.GetString()!
                    : throw new ModelFileException(path, $"{where}, \"roles.{role.Name}\"", "must be a string");
        }
        var example = new TaskExample(Text("question"), roles, Text("answer"));
        if (Answers.AnswerExtractor.LastBoxed(example.Answer) is null)
            throw new ModelFileException(path, $"{where}, \"answer\"", "must end with a \\boxed{...} answer");
        return example;
    }
}
