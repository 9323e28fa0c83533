using System.Text;
using System.Text.Json;

namespace RecursiveMas.Server.OpenAi;

/// <summary>The answer a client reads from a chat completion response body: the message of a plain one, the concatenated deltas of a stream.</summary>
public static class ChatCompletionText
{
    /// <summary>The assistant's text in <paramref name="body"/> (a <c>chat.completion</c> object, or SSE <c>data:</c> lines of chunks).</summary>
    public static string Of(string body)
    {
        if (!body.StartsWith("data:", StringComparison.Ordinal) && !body.StartsWith("event:", StringComparison.Ordinal))
            return JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? "";
        var text = new StringBuilder();
        foreach (var line in body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)))
        {
            using var chunk = JsonDocument.Parse(line["data: ".Length..]);
            if (!chunk.RootElement.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0)
                continue;
            if (choices[0].GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                text.Append(content.GetString());
        }
        return text.ToString();
    }
}
