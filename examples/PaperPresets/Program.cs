using PaperPresetsExample;
using RecursiveMas.Systems;

// Usage: dotnet run --project examples/PaperPresets -- [--dot]
// Prints the static graph of each declared system (agents, hidden sizes, links with their widths), as the
// compiler knew them; --dot prints Graphviz DOT instead. Nothing is loaded: no models are needed.
bool dot = args.Contains("--dot");
foreach (var graph in Systems.All)
{
    if (dot)
    {
        Console.WriteLine(graph.ToDot());
        continue;
    }
    Console.WriteLine($"{graph.Name} · {graph.Pattern} · {graph.Rounds} rounds · decoder {graph.Decoder}");
    foreach (var a in graph.Agents)
        Console.WriteLine($"  {a.Name,-11} {a.Model,-52} d={(a.HiddenSize == 0 ? "from config.json" : a.HiddenSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),-5} m={a.LatentSteps}");
    foreach (var e in graph.Edges)
        Console.WriteLine($"  {e.From} → {e.To}{(e.IsFeedback ? " (feedback)" : "")}: {Width(e.FromHiddenSize)} → {Width(e.ToHiddenSize)}");
}
return 0;

static string Width(int size) => size == 0 ? "?" : size.ToString(System.Globalization.CultureInfo.InvariantCulture);

namespace PaperPresetsExample
{
    /// <summary>The graphs of every system declared in this project.</summary>
    public static class Systems
    {
        public static IReadOnlyList<SystemGraph> All =>
        [
            SequentialLightAgents.SequentialLight.Graph,
            SequentialScaledAgents.SequentialScaled.Graph,
            MixtureAgents.Mixture.Graph,
            DistillationAgents.Distillation.Graph,
            DeliberationAgents.Deliberation.Graph,
            TinyScaled.TinyScaledTeam.Graph,
        ];
    }
}
