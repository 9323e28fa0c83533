using System.Net;
using System.Text.Json;
using RecursiveMas.Systems;

namespace RecursiveMas.Server.Page;

/// <summary>The page at <c>/</c>: the embedded <c>index.html</c> with the graph, the system and the model filled in.</summary>
internal static class PageHtml
{
    public static string Render(SystemOverview system, string modelId)
    {
        using var stream = typeof(PageHtml).Assembly.GetManifestResourceStream("RecursiveMas.Server.index.html")
            ?? throw new InvalidOperationException("the page (RecursiveMas.Server.index.html) is missing from the assembly");
        string template = new StreamReader(stream).ReadToEnd();
        var summary = new { rounds = system.Rounds, pattern = system.Pattern, agents = system.Agents.Select(a => a.Name), decoder = system.Decoder };
        return template
            .Replace("{{TITLE}}", WebUtility.HtmlEncode(system.Name), StringComparison.Ordinal)
            .Replace("{{SUBTITLE}}", WebUtility.HtmlEncode($"{system.Pattern} · {system.Agents.Count} agents · {system.Rounds} rounds · decoder {system.Decoder}"), StringComparison.Ordinal)
            .Replace("{{GRAPH}}", SystemGraphSvg.Render(system), StringComparison.Ordinal)
            // JSON inside <script>: "<" escaped so no text can close the script element.
            .Replace("{{SYSTEM_JSON}}", JsonSerializer.Serialize(summary).Replace("<", "\\u003c", StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace("{{MODEL_JSON}}", JsonSerializer.Serialize(modelId).Replace("<", "\\u003c", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
