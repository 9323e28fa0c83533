using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using RecursiveMas.IO;

namespace RecursiveMas.Tasks;

/// <summary>
/// The training JSONL of the training contract: one <c>{"question", "roles": {agent: text}, "answer"}</c>
/// object per line (optionally <c>"later_rounds": [{agent: text}, …]</c> when the roles change by round — see
/// <see cref="RoleTextsJson"/> — and <c>"choices": [..]</c> for a multiple-choice question whose boxed answer is a letter), UTF-8, "\n" line ends. Written atomically and byte-for-byte deterministically (roles in
/// the dictionary's order, no escaping of '+', '&lt;' or '\'' so files stay readable).
/// </summary>
public static class TaskDataFile
{
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="examples"/> to <paramref name="path"/> (temp file, then rename).</summary>
    public static void Write(string path, IEnumerable<TaskExample> examples, CancellationToken cancellationToken = default) =>
        // Streamed line by line: a million long-chain examples are gigabytes, more than one string holds.
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
            foreach (var example in examples)
            {
                cancellationToken.ThrowIfCancellationRequested(); // AtomicFile removes the temporary
                writer.Write(ToJsonLine(example));
                writer.Write('\n');
            }
        });

    /// <summary>One example as a single JSON line (no line end).</summary>
    public static string ToJsonLine(TaskExample example)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("question", example.Question);
            RoleTextsJson.Write(json, example.Roles, example.LaterRounds);
            json.WriteString("answer", example.Answer);
            if (example.Choices is { } choices)
            {
                json.WriteStartArray("choices");
                foreach (var choice in choices)
                    json.WriteStringValue(choice);
                json.WriteEndArray();
            }
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
        var (roles, later) = RoleTextsJson.Read(root, path, where);
        var example = new TaskExample(Text("question"), roles, Text("answer")) { Choices = Choices(root, path, where), LaterRounds = later };
        if (string.IsNullOrWhiteSpace(example.Question))
            throw new ModelFileException(path, $"{where}, \"question\"", "is empty");
        if (Answers.AnswerExtractor.LastBoxed(example.Answer) is not { } gold)
            throw new ModelFileException(path, $"{where}, \"answer\"", "must end with a \\boxed{...} answer");
        if (string.IsNullOrWhiteSpace(gold))
            // Every answer would be graded against nothing: \boxed{} in the output would count as correct.
            throw new ModelFileException(path, $"{where}, \"answer\"", "its \\boxed{} answer is empty");
        if (example.Choices is { } choices && (gold.Trim().Length != 1 || gold.Trim()[0] is var letter && (letter < 'A' || letter >= 'A' + choices.Count)))
            throw new ModelFileException(path, $"{where}, \"answer\"", $"a question with {choices.Count} choices needs a boxed letter A–{(char)('A' + choices.Count - 1)}, got \"{gold}\"");
        return example;
    }

    /// <summary>The optional "choices": an array of 2 to 26 option texts (multiple choice).</summary>
    static IReadOnlyList<string>? Choices(JsonElement root, string path, string where)
    {
        if (!root.TryGetProperty("choices", out var element) || element.ValueKind == JsonValueKind.Null)
            return null;
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() is < 2 or > 26
            || element.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
            throw new ModelFileException(path, $"{where}, \"choices\"", "must be an array of 2 to 26 option strings");
        return [.. element.EnumerateArray().Select(c => c.GetString()!)];
    }
}
