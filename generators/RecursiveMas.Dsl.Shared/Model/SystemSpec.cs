using System.Collections.Generic;
using System.Linq;

namespace RecursiveMas.Dsl;

/// <summary>
/// A <c>[RecursiveSystem]</c> class as declared: its pattern attributes, links and decoders exactly
/// as written (so the validator can point at the one at fault) and every agent they name. Use
/// <see cref="Dsl.Topology.Build"/> for the edges, the decoder and the run order, and
/// <see cref="SystemValidator"/> for what is wrong with it.
/// </summary>
/// <param name="Type">The system class.</param>
/// <param name="Rounds">n, the number of recursion rounds.</param>
/// <param name="SystemAttributeIndex">The position of <c>[RecursiveSystem]</c> among the class's attributes; -1 when absent (a pattern without it).</param>
/// <param name="Patterns">The built-in pattern attributes, in declaration order (one, in a valid system that uses one).</param>
/// <param name="Links">The <c>[Link]</c>s, in declaration order.</param>
/// <param name="Decoders">The <c>[Decoder]</c>s (one in a valid custom graph).</param>
/// <param name="Agents">Every distinct <c>[Agent]</c> type named by the attributes above, in order of first mention.</param>
/// <param name="NonAgents">Full names of the types named by the attributes above that are not <c>[Agent]</c>s.</param>
internal sealed record SystemSpec(
    TypeRef Type,
    int Rounds,
    int SystemAttributeIndex,
    EquatableArray<PatternSpec> Patterns,
    EquatableArray<LinkSpec> Links,
    EquatableArray<DecoderSpec> Decoders,
    EquatableArray<AgentSpec> Agents,
    EquatableArray<string> NonAgents)
{
    /// <summary>The default of <c>[RecursiveSystem(Rounds = ...)]</c>.</summary>
    public const int DefaultRounds = 3;

    /// <summary>The class name.</summary>
    public string Name => Type.Name;

    /// <summary>Whether the system declares a custom graph (any <c>[Link]</c> or <c>[Decoder]</c>).</summary>
    public bool HasCustomGraph => Links.Count > 0 || Decoders.Count > 0;

    /// <summary>How many patterns the system declares; a valid system declares exactly one.</summary>
    public int PatternCount => Patterns.Count + (HasCustomGraph ? 1 : 0);

    /// <summary>The agent with full name <paramref name="fullName"/>, or null when it is not one of <see cref="Agents"/>.</summary>
    public AgentSpec? FindAgent(string fullName) => Agents.FirstOrDefault(a => a.FullName == fullName);

    /// <summary>
    /// Every type argument of the pattern, link and decoder attributes with the site of that argument,
    /// in declaration order (empty names, for arguments that are not resolvable types, included).
    /// </summary>
    public IEnumerable<(string Type, Site Site)> Mentions()
    {
        var owner = Type.FullName;
        var mentions = new List<(string Type, Site Site)>();
        foreach (var pattern in Patterns)
        {
            mentions.AddRange(pattern.Agents.Select((agent, i) => (agent, Site.Argument(owner, pattern.AttributeIndex, i))));
        }

        foreach (var link in Links)
        {
            mentions.Add((link.From, Site.Argument(owner, link.AttributeIndex, 0)));
            mentions.Add((link.To, Site.Argument(owner, link.AttributeIndex, 1)));
        }

        mentions.AddRange(Decoders.Select(d => (d.Agent, Site.Argument(owner, d.AttributeIndex, 0))));
        return mentions.OrderBy(m => m.Site.Index).ThenBy(m => m.Site.Position);
    }
}
