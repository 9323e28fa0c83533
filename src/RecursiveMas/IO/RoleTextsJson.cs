using System.Text.Json;

namespace RecursiveMas.IO;

/// <summary>
/// The role texts of one line of task or training JSONL: <c>"roles": {agent: text}</c> (what each agent
/// writes in round 1, and in every round unless said otherwise) and the optional
/// <c>"later_rounds": [{agent: text}, …]</c> (rounds 2, 3, …, where an agent's part changes from round to
/// round — e.g. a long chain worked through a few operations a round; a round past the list reads its
/// last entry). One reader for both files, so they accept and refuse the same lines.
/// </summary>
public static class RoleTextsJson
{
    /// <summary>The field of the later rounds' texts.</summary>
    public const string LaterRoundsField = "later_rounds";

    /// <summary>
    /// The texts of <paramref name="round"/> (1-based): <paramref name="first"/> in round 1 or when there are no later
    /// rounds, else the round's entry of <paramref name="later"/>, the last one standing for every round after it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> InRound(IReadOnlyDictionary<string, string> first,
        IReadOnlyList<IReadOnlyDictionary<string, string>> later, int round) =>
        round <= 1 || later.Count == 0 ? first : later[Math.Min(round, later.Count + 1) - 2];

    /// <summary>Reads both fields of <paramref name="root"/> (each optional); errors name the file, the line and the field.</summary>
    public static (Dictionary<string, string> Roles, IReadOnlyList<IReadOnlyDictionary<string, string>> LaterRounds) Read(
        JsonElement root, string path, string where)
    {
        var roles = root.TryGetProperty("roles", out var element)
            ? Texts(element, path, where, "roles")
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var later = new List<IReadOnlyDictionary<string, string>>();
        if (root.TryGetProperty(LaterRoundsField, out var rounds) && rounds.ValueKind != JsonValueKind.Null)
        {
            if (rounds.ValueKind != JsonValueKind.Array)
                throw new ModelFileException(path, $"{where}, \"{LaterRoundsField}\"", "must be an array of objects of agent name → text (rounds 2, 3, …)");
            int round = 2;
            foreach (var entry in rounds.EnumerateArray())
                later.Add(Texts(entry, path, where, $"{LaterRoundsField}[{round++ - 2}]"));
        }
        return (roles, later);
    }

    static Dictionary<string, string> Texts(JsonElement element, string path, string where, string field)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new ModelFileException(path, $"{where}, \"{field}\"", "must be an object of agent name → text");
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var role in element.EnumerateObject())
            texts[role.Name] = role.Value.ValueKind == JsonValueKind.String
                ? role.Value.GetString()!
                : throw new ModelFileException(path, $"{where}, \"{field}.{role.Name}\"", "must be a string");
        return texts;
    }

    /// <summary>Writes <c>"roles"</c> and, when there are any, <c>"later_rounds"</c>.</summary>
    public static void Write(Utf8JsonWriter json, IReadOnlyDictionary<string, string> roles, IReadOnlyList<IReadOnlyDictionary<string, string>> laterRounds)
    {
        WriteTexts(json, "roles", roles);
        if (laterRounds.Count == 0)
            return;
        json.WriteStartArray(LaterRoundsField);
        foreach (var round in laterRounds)
            WriteTexts(json, null, round);
        json.WriteEndArray();
    }

    static void WriteTexts(Utf8JsonWriter json, string? name, IReadOnlyDictionary<string, string> texts)
    {
        if (name is null)
            json.WriteStartObject();
        else
            json.WriteStartObject(name);
        foreach (var (role, text) in texts)
            json.WriteString(role, text);
        json.WriteEndObject();
    }
}
