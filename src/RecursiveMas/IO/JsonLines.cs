using System.Text.Json;

namespace RecursiveMas.IO;

/// <summary>
/// Reads a JSONL file one JSON value per non-blank line. A missing file, bytes that are not UTF-8 (<see cref="Utf8Text"/>), a line that is not JSON
/// or has a key twice in one object (<see cref="DuplicateJsonKeys"/>), a value the line's parser cannot read, or
/// a file with no lines is a <see cref="ModelFileException"/> naming the file (and the line, as
/// "line N"); what a line must hold is the caller's <c>parse</c>, which throws the same way.
/// </summary>
public static class JsonLines
{
    /// <param name="what">The file's kind in messages: "training data" → "training data not found".</param>
    /// <param name="items">What its lines are: "examples" → "training data has no examples".</param>
    /// <param name="parse">Turns one line's value into an item; gets the 1-based line number.</param>
    public static IReadOnlyList<T> Read<T>(string path, string what, string items, Func<JsonElement, int, T> parse)
    {
        if (!File.Exists(path))
            throw new ModelFileException(path, null, $"{what} not found");
        Utf8Text.Check(path);
        var result = new List<T>();
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new ModelFileException(path, Line(number), $"not valid JSON: {e.Message}", e);
            }
            using (document)
            {
                if (DuplicateJsonKeys.Find(document.RootElement) is { } twice)
                    throw new ModelFileException(path, Line(number), $"the key {twice} appears more than once in the same object");
                try
                {
                    result.Add(parse(document.RootElement, number));
                }
                catch (Exception e) when (e is InvalidOperationException or FormatException)
                {
                    // What JsonElement throws for a value it cannot give: a string with a lone surrogate escape
                    // ("\ud800"), a field read as a type it does not have, a number read as an integer it is not.
                    throw new ModelFileException(path, Line(number), e.Message, e);
                }
            }
        }
        if (result.Count == 0)
            throw new ModelFileException(path, null, $"{what} has no {items}");
        return result;
    }

    /// <summary>How messages name a line: "line 9".</summary>
    public static string Line(int number) => $"line {number}";
}
