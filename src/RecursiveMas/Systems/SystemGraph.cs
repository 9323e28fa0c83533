using System.Globalization;
using System.Text;

namespace RecursiveMas.Systems;

/// <summary>An agent of a <see cref="SystemGraph"/>: its model folder and static sizes.</summary>
/// <param name="Name">The agent's name (the class name of an <c>[Agent]</c>).</param>
/// <param name="Model">The model folder, relative to the model root.</param>
/// <param name="HiddenSize">d, declared or read from config.json at compile time; 0 when unknown.</param>
/// <param name="LatentSteps">m, latent thoughts per rollout.</param>
/// <param name="Role">The role name.</param>
public sealed record GraphAgent(string Name, string Model, int HiddenSize, int LatentSteps, string Role);

/// <summary>An edge (outer link) of a <see cref="SystemGraph"/> with its static dims, d_from → d_to.</summary>
/// <param name="From">The sender.</param>
/// <param name="To">The receiver.</param>
/// <param name="IsFeedback">Whether the edge closes the loop (its message is read in the next round).</param>
/// <param name="FromHiddenSize">The link's input width (the sender's d); 0 when unknown.</param>
/// <param name="ToHiddenSize">The link's output width (the receiver's d); 0 when unknown.</param>
public sealed record GraphEdge(string From, string To, bool IsFeedback, int FromHiddenSize, int ToHiddenSize);

/// <summary>
/// The static recursion graph of a system declared in C#: agents, edges with their dims, the decoder
/// and the round count, as the source generator saw them. <see cref="ToDot"/> draws it (Graphviz);
/// <see cref="ToSystemJson"/> gives the runtime's SYSTEM.json of the same system.
/// </summary>
/// <param name="Name">The system's name.</param>
/// <param name="Pattern">The collaboration pattern.</param>
/// <param name="Rounds">n.</param>
/// <param name="Decoder">The agent that decodes the answer in the last round.</param>
/// <param name="Agents">The agents, in order of first mention.</param>
/// <param name="Edges">The edges: forward ones, then loop-closing ones for the built-in patterns; declaration order for a custom graph.</param>
/// <param name="Description">The system as data, with model root "." and links folder "links".</param>
public sealed record SystemGraph(
    string Name,
    CollaborationPattern Pattern,
    int Rounds,
    string Decoder,
    IReadOnlyList<GraphAgent> Agents,
    IReadOnlyList<GraphEdge> Edges,
    SystemDescription Description)
{
    /// <summary>
    /// The graph in Graphviz DOT: one node per agent (name, model, d, m; the decoder doubly outlined),
    /// one arrow per edge labelled with its dims, loop-closing edges dashed.
    /// </summary>
    public string ToDot()
    {
        var dot = new StringBuilder();
        dot.Append("digraph ").Append(Quote(Name)).Append(" {\n");
        dot.Append("  label=").Append(Quote($"{Name}: {Pattern}, {Rounds} round{(Rounds == 1 ? "" : "s")}")).Append(";\n");
        dot.Append("  rankdir=LR;\n  node [shape=box];\n");
        foreach (var agent in Agents)
        {
            // Graphviz's "\n" line breaks between escaped pieces.
            string label = string.Join("\\n", Escape(agent.Name), Escape(agent.Model),
                $"d={Size(agent.HiddenSize)}, m={agent.LatentSteps.ToString(CultureInfo.InvariantCulture)}");
            dot.Append("  ").Append(Quote(agent.Name)).Append(" [label=\"").Append(label).Append('"');
            if (agent.Name == Decoder)
                dot.Append(", peripheries=2");
            dot.Append("];\n");
        }
        foreach (var edge in Edges)
        {
            dot.Append("  ").Append(Quote(edge.From)).Append(" -> ").Append(Quote(edge.To))
                .Append(" [label=").Append(Quote($"{Size(edge.FromHiddenSize)}→{Size(edge.ToHiddenSize)}"));
            if (edge.IsFeedback)
                dot.Append(", style=dashed");
            dot.Append("];\n");
        }
        dot.Append("}\n");
        return dot.ToString();
    }

    /// <summary>The runtime's SYSTEM.json text of this system (<see cref="SystemDescription.ToJson"/>).</summary>
    public string ToSystemJson() => Description.ToJson();

    static string Size(int size) => size > 0 ? size.ToString(CultureInfo.InvariantCulture) : "?";

    static string Quote(string text) => "\"" + Escape(text) + "\"";

    static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
