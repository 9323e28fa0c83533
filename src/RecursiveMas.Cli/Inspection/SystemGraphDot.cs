using System.Globalization;
using System.Text;
using RecursiveMas.Systems;

namespace RecursiveMas.Cli.Inspection;

/// <summary>
/// A system's graph in Graphviz DOT: agents left to right (the decoder outlined in blue) labelled with
/// family, hidden size, layers and latent steps; outer links labelled with their dimensions and
/// parameter counts; the loop-closing feedback link dashed. Untrained links are drawn grey.
/// </summary>
static class SystemGraphDot
{
    public static string Write(SystemOverview system)
    {
        var dot = new StringBuilder();
        dot.AppendLine(CultureInfo.InvariantCulture, $"digraph {Q(system.Name)} {{");
        dot.AppendLine(CultureInfo.InvariantCulture,
            $"  graph [rankdir=LR, labelloc=t, fontname=\"Helvetica\", label={Q($"{system.Name} · {system.Pattern} · {system.Rounds} rounds · {system.LinkParameters.ToString("N0", CultureInfo.InvariantCulture)} link parameters")}];");
        dot.AppendLine("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f6fa\", fontname=\"Helvetica\"];");
        dot.AppendLine("  edge [fontname=\"Helvetica\", fontsize=10];");
        foreach (var a in system.Agents)
        {
            string label = $"{a.Name}\n{a.Family} · d={a.HiddenSize} · {a.Layers} layers\nm={a.LatentSteps} · inner link {N(a.InnerLinkParameters)}{(a.InnerLinkTrained ? "" : " (untrained)")}";
            string decoder = a.IsDecoder ? ", penwidth=3, color=\"#1f5fbf\"" : "";
            dot.AppendLine(CultureInfo.InvariantCulture, $"  {Q(a.Name)} [label={Q(label)}{decoder}];");
        }
        foreach (var l in system.Links)
        {
            string label = $"{l.FromHiddenSize}→{l.ToHiddenSize}\n{N(l.Parameters)}{(l.IsFeedback ? "\nfeedback" : "")}";
            string style = (l.IsFeedback ? ", style=dashed, constraint=false" : "") + (l.Trained ? "" : ", color=\"#888888\", fontcolor=\"#888888\"");
            dot.AppendLine(CultureInfo.InvariantCulture, $"  {Q(l.From)} -> {Q(l.To)} [label={Q(label)}{style}];");
        }
        return dot.AppendLine("}").ToString();
    }

    static string N(long parameters) => parameters.ToString("N0", CultureInfo.InvariantCulture) + " params";

    /// <summary>A DOT quoted string: backslashes and quotes escaped, new lines as \n.</summary>
    static string Q(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
