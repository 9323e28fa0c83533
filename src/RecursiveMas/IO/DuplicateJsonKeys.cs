using System.Text.Json;

namespace RecursiveMas.IO;

/// <summary>
/// A key that appears twice in one JSON object: readers disagree on which one wins (System.Text.Json's
/// <c>JsonElement</c> gives the first to one call and the last to another, Python's json the last), so such a file
/// means different things to different tools. Every reader of JSON input refuses one, naming it.
/// </summary>
public static class DuplicateJsonKeys
{
    /// <summary>The dotted path (<c>agents[0].name</c>) of the first key that appears twice in one object under <paramref name="element"/>; null when none does.</summary>
    public static string? Find(JsonElement element, string at = "")
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                string field = at.Length == 0 ? property.Name : $"{at}.{property.Name}";
                if (!seen.Add(property.Name))
                    return field;
                if (Find(property.Value, field) is { } inner)
                    return inner;
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var item in element.EnumerateArray())
                if (Find(item, $"{at}[{i++}]") is { } inner)
                    return inner;
        }
        return null;
    }
}
