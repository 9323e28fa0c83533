using System.Globalization;
using System.Net;
using System.Text;
using RecursiveMas.Systems;

namespace RecursiveMas.Server.Page;

/// <summary>
/// The system's graph as inline SVG: agents left to right in run order (the decoder outlined), forward
/// links as arcs above, the loop-closing feedback link as a dashed arc below. Nodes carry
/// <c>id="agent-NAME"</c> so the page can light up the agent that is running.
/// </summary>
internal static class SystemGraphSvg
{
    const int NodeWidth = 150, NodeHeight = 56, Gap = 70, Margin = 30;

    public static string Render(SystemOverview system)
    {
        int n = system.Agents.Count;
        int width = Margin * 2 + n * NodeWidth + (n - 1) * Gap;
        int arc = 26 * Math.Max(1, n - 1);
        int top = Margin + arc, height = top + NodeHeight + arc + Margin;
        var x = system.Agents.Select((a, i) => (a.Name, X: Margin + i * (NodeWidth + Gap))).ToDictionary(p => p.Name, p => p.X);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"graph of {E(system.Name)}\">");
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>");
        foreach (var link in system.Links)
        {
            // Arcs leave and enter on the top (forward) or the bottom (feedback) of the nodes.
            double x1 = x[link.From] + NodeWidth * (link.IsFeedback ? 0.4 : 0.6), x2 = x[link.To] + NodeWidth * (link.IsFeedback ? 0.6 : 0.4);
            double y = link.IsFeedback ? top + NodeHeight : top;
            double lift = (link.IsFeedback ? 1 : -1) * (20 + 0.35 * Math.Abs(x2 - x1) / (NodeWidth + Gap) * 26);
            string path = F($"M{x1},{y} C{x1},{y + lift} {x2},{y + lift} {x2},{y}");
            string dash = link.IsFeedback ? " stroke-dasharray=\"6 4\"" : "";
            svg.Append(CultureInfo.InvariantCulture,
                $"<path class=\"link\" d=\"{path}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\"{dash} marker-end=\"url(#arrow)\"><title>{E(link.From)} → {E(link.To)}: {link.FromHiddenSize}→{link.ToHiddenSize}, {link.Parameters:N0} parameters{(link.IsFeedback ? " (feedback)" : "")}</title></path>");
        }
        foreach (var a in system.Agents)
        {
            int left = x[a.Name];
            string stroke = a.IsDecoder ? "#1f5fbf\" stroke-width=\"3" : "#333\" stroke-width=\"1.5";
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"agent\" id=\"agent-{E(a.Name)}\">");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{NodeWidth}\" height=\"{NodeHeight}\" rx=\"8\" fill=\"#f4f6fa\" stroke=\"{stroke}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + NodeWidth / 2}\" y=\"{top + 22}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\" font-weight=\"bold\">{E(a.Name)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + NodeWidth / 2}\" y=\"{top + 42}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#555\">{E(a.Family)} · d={a.HiddenSize} · m={a.LatentSteps}</text>");
            svg.Append("</g>");
        }
        return svg.Append("</svg>").ToString();
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    static string E(string text) => WebUtility.HtmlEncode(text);
}
