using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace RecursiveMas.IO;

/// <summary>
/// A key that appears twice in one JSON object: readers disagree on which one wins (System.Text.Json's
/// <c>JsonElement</c> gives the first to one call and the last to another, Python's json the last), so such a file
/// means different things to different tools. Every reader of JSON input refuses one, naming it: the files' readers
/// and the server's request bodies (<c>rmas serve</c>'s 400).
/// </summary>
public static class DuplicateJsonKeys
{
    /// <summary>What every refusal says of the key <see cref="Find"/> names (a file's field, a request's <c>param</c>).</summary>
    public const string Reason = "the key appears more than once in the same object";

    /// <summary>The dotted path (<c>agents[0].name</c>) of the first key that appears twice in one object under <paramref name="element"/>; null when none does.</summary>
    public static string? Find(JsonElement element, string at = "")
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                string name = NameOf(property);
                string field = at.Length == 0 ? name : $"{at}.{name}";
                if (!seen.Add(name))
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

    /// <summary>
    /// The key's text; for a key holding a lone surrogate escape (<c>"\udc00"</c>), which is no text and which
    /// <see cref="JsonProperty.Name"/> throws on, the key as written: the search must not crash where the field's own
    /// reader refuses it with its message.
    /// </summary>
    static string NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8PropertyName(property));
        }
    }
}
