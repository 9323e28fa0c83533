using RecursiveMas.Links;

namespace RecursiveMas.Systems;

/// <summary>One agent as a system overview shows it.</summary>
/// <param name="Model">The model folder, as the description names it.</param>
/// <param name="Family">The model's family (config.json <c>model_type</c>).</param>
/// <param name="InnerLinkParameters">Parameters of the agent's inner link.</param>
/// <param name="InnerLinkTrained">True when the inner link was loaded from a file (false: untrained initialization).</param>
public sealed record AgentOverview(string Name, string Model, string Family, int HiddenSize, int Layers, int LatentSteps, bool IsDecoder,
    long ModelParameters, long InnerLinkParameters, bool InnerLinkTrained);

/// <summary>One outer link (an edge of the graph).</summary>
/// <param name="IsFeedback">True for the loop-closing edge that carries messages into the next round.</param>
public sealed record LinkOverview(string From, string To, bool IsFeedback, int FromHiddenSize, int ToHiddenSize, long Parameters, bool Trained);

/// <summary>
/// What a loaded system is, for people: agents with their families, hidden sizes and inner links, the
/// outer links with their parameter counts, rounds and pattern. <c>rmas inspect</c> prints it and writes
/// it as Graphviz DOT; <c>rmas serve</c> draws it on its page.
/// </summary>
public sealed record SystemOverview(string Name, string Pattern, int Rounds, string Decoder, IReadOnlyList<AgentOverview> Agents,
    IReadOnlyList<LinkOverview> Links)
{
    /// <summary>Link parameters in total (inner and outer): what training changes.</summary>
    public long LinkParameters => Agents.Sum(a => a.InnerLinkParameters) + Links.Sum(l => l.Parameters);

    /// <summary>The overview of <paramref name="system"/>; agents in run order within a round.</summary>
    public static SystemOverview Of(RecursiveSystem system)
    {
        var plan = system.Plan;
        bool Trained(string id) => File.Exists(Path.Combine(system.LinksDirectory, id + ".json")) || system.ImportedLinkIds.Contains(id);
        var agents = plan.Order.Select(system.Agent).Select(a => new AgentOverview(
            a.Name, a.Description.Model, a.Model.Config.ModelType, a.HiddenSize, a.Model.Config.LayerCount,
            a.LatentSteps, a.Name == plan.Decoder, Count(a.Model), Count(a.InnerLink), Trained(a.InnerLink.Id))).ToList();
        var links = plan.Edges.Select(e =>
        {
            var link = system.Link(e.From, e.To);
            return new LinkOverview(e.From, e.To, e.IsFeedback, link.InDim, link.OutDim, Count(link), Trained(OuterLink.IdOf(e.From, e.To)));
        }).ToList();
        string pattern = system.Description.Pattern.Kind.ToString().ToLowerInvariant();
        return new SystemOverview(system.Description.Name, pattern, plan.Rounds, plan.Decoder, agents, links);
    }

    static long Count(TorchSharp.torch.nn.Module module) => module.parameters().Sum(p => p.numel());
}
