using System;
using System.Collections.Generic;
using System.Linq;

namespace RecursiveMas.Dsl;

/// <summary>
/// The graph a system runs: its edges (forward or loop-closing), its first agent, its decoder and the
/// order in which its agents run within a round. Built from the declaration by <see cref="Build"/>;
/// the generator emits this, the validator checks it.
/// </summary>
/// <remarks>
/// <para>Edges per pattern:</para>
/// <list type="bullet">
/// <item><c>Sequential(A1…Ak)</c>: forward A1 → A2 → … → Ak, feedback Ak → A1, decoder Ak, first A1.</item>
/// <item><c>Mixture(S, E1…Ek)</c>: forward Ei → S, feedback S → Ei for each i, decoder S, first E1.</item>
/// <item><c>Distillation(E, L)</c>: forward E → L, feedback L → E, decoder L, first E.</item>
/// <item><c>Deliberation(R, T)</c>: forward R → T, feedback T → R, decoder T, first R.</item>
/// <item>Custom: the <c>[Link]</c>s; the first agent is the source of the first link; an edge is
/// feedback iff it points to an agent on the stack of a depth-first walk from the first agent that
/// follows each agent's links in declaration order (agents the walk misses are walked afterwards, in
/// order of first mention, so every edge is classified). Forward edges therefore never form a cycle.
/// A repeated link counts once.</item>
/// </list>
/// <para>
/// In every round each agent runs once, in <see cref="Order"/>: a topological order of the forward
/// edges that prefers agents mentioned earlier. A feedback message produced in round r is read in
/// round r + 1.
/// </para>
/// </remarks>
/// <param name="Pattern">The pattern.</param>
/// <param name="First">The first agent (where the loop closes).</param>
/// <param name="Decoder">The decoding agent; null for a custom graph without exactly one decoder that is in its links.</param>
/// <param name="Order">Every agent of the graph, in run order within a round.</param>
/// <param name="Edges">The edges, in declaration order (for the built-in patterns: forward edges, then feedback edges).</param>
/// <param name="Unreachable">Agents that no path of edges leads to from <see cref="First"/> (only ever non-empty for a custom graph).</param>
internal sealed record Topology(
    PatternKind Pattern,
    string First,
    string? Decoder,
    EquatableArray<string> Order,
    EquatableArray<EdgeSpec> Edges,
    EquatableArray<string> Unreachable)
{
    /// <summary>The senders of the forward edges into <paramref name="agent"/>, in edge order: its <c>{from:X}</c> slots.</summary>
    public IEnumerable<string> ForwardSources(string agent) =>
        Edges.Where(e => !e.IsFeedback && e.To == agent).Select(e => e.From);

    /// <summary>The feedback edges into <paramref name="agent"/>, in edge order (a valid graph has at most one).</summary>
    public IEnumerable<EdgeSpec> FeedbackInto(string agent) =>
        Edges.Where(e => e.IsFeedback && e.To == agent);

    /// <summary>Whether some path of edges (of either kind, possibly empty) leads from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public bool HasPath(string from, string to) => Reaches(from, to, forwardOnly: false);

    /// <summary>Whether a path of forward edges only (possibly empty) leads from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public bool ReachesForward(string from, string to) => Reaches(from, to, forwardOnly: true);

    bool Reaches(string from, string to, bool forwardOnly)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { from };
        var pending = new Stack<string>();
        pending.Push(from);
        while (pending.Count > 0)
        {
            var agent = pending.Pop();
            if (agent == to)
            {
                return true;
            }

            foreach (var edge in Edges.Where(e => e.From == agent && !(forwardOnly && e.IsFeedback) && seen.Add(e.To)))
            {
                pending.Push(edge.To);
            }
        }

        return false;
    }

    /// <summary>
    /// The topology of <paramref name="system"/>; null when the system does not declare exactly one
    /// pattern, or its pattern has too few agents or an unresolvable one (the validator reports those).
    /// </summary>
    public static Topology? Build(SystemSpec system)
    {
        if (system.PatternCount != 1)
        {
            return null;
        }

        if (system.HasCustomGraph)
        {
            return BuildCustom(system);
        }

        var pattern = system.Patterns[0];
        var agents = pattern.Agents;
        if (agents.Count < MinimumAgents(pattern.Kind) || agents.Any(string.IsNullOrEmpty))
        {
            return null;
        }

        var edges = new List<EdgeSpec>();
        string first, decoder;
        switch (pattern.Kind)
        {
            case PatternKind.Sequential:
                for (var i = 0; i + 1 < agents.Count; i++)
                {
                    edges.Add(new EdgeSpec(agents[i], agents[i + 1], IsFeedback: false));
                }

                edges.Add(new EdgeSpec(agents[agents.Count - 1], agents[0], IsFeedback: true));
                (first, decoder) = (agents[0], agents[agents.Count - 1]);
                break;
            case PatternKind.Mixture:
                var experts = agents.Skip(1).ToArray();
                edges.AddRange(experts.Select(e => new EdgeSpec(e, agents[0], IsFeedback: false)));
                edges.AddRange(experts.Select(e => new EdgeSpec(agents[0], e, IsFeedback: true)));
                (first, decoder) = (experts[0], agents[0]);
                break;
            default:
                // Distillation(expert, learner) and Deliberation(reflector, toolCaller): the second decodes.
                edges.Add(new EdgeSpec(agents[0], agents[1], IsFeedback: false));
                edges.Add(new EdgeSpec(agents[1], agents[0], IsFeedback: true));
                (first, decoder) = (agents[0], agents[1]);
                break;
        }

        edges = edges.Distinct().ToList();
        return new Topology(pattern.Kind, first, decoder, RunOrder(edges), edges.ToEquatableArray(), EquatableArray<string>.Empty);
    }

    /// <summary>The fewest agents a built-in pattern takes: two (for a mixture, a summarizer and two experts).</summary>
    public static int MinimumAgents(PatternKind kind) => kind == PatternKind.Mixture ? 3 : 2;

    static Topology? BuildCustom(SystemSpec system)
    {
        var links = system.Links
            .Select((link, index) => (link, index))
            .Where(l => l.link.From.Length > 0 && l.link.To.Length > 0)
            .GroupBy(l => (l.link.From, l.link.To))
            .Select(g => g.First())
            .ToList();
        if (links.Count == 0 || links[0].index != 0)
        {
            return null;
        }

        var agents = links.SelectMany(l => new[] { l.link.From, l.link.To }).Distinct().ToList();
        var first = agents[0];
        var state = agents.ToDictionary(a => a, _ => Unvisited, StringComparer.Ordinal);
        var feedback = new HashSet<int>();
        Walk(first, links, state, feedback);
        var unreachable = agents.Where(a => state[a] == Unvisited).ToList();
        foreach (var agent in unreachable.Where(a => state[a] == Unvisited))
        {
            Walk(agent, links, state, feedback);
        }

        var edges = links
            .Select(l => new EdgeSpec(l.link.From, l.link.To, feedback.Contains(l.index), l.index))
            .ToList();
        var decoder = system.Decoders.Count == 1 && agents.Contains(system.Decoders[0].Agent) ? system.Decoders[0].Agent : null;
        return new Topology(PatternKind.Custom, first, decoder, RunOrder(edges), edges.ToEquatableArray(), unreachable.ToEquatableArray());
    }

    const int Unvisited = 0;
    const int OnStack = 1;
    const int Done = 2;

    // Depth-first walk in link declaration order; an edge to an agent on the stack closes a loop.
    static void Walk(string agent, List<(LinkSpec link, int index)> links, Dictionary<string, int> state, HashSet<int> feedback)
    {
        state[agent] = OnStack;
        foreach (var (link, index) in links.Where(l => l.link.From == agent))
        {
            if (state[link.To] == OnStack)
            {
                feedback.Add(index);
            }
            else if (state[link.To] == Unvisited)
            {
                Walk(link.To, links, state, feedback);
            }
        }

        state[agent] = Done;
    }

    // Kahn's algorithm over the forward edges, taking the earliest-mentioned ready agent each time.
    // Agents left on a forward cycle (only in declarations the validator rejects) come last, in mention order.
    static EquatableArray<string> RunOrder(List<EdgeSpec> edges)
    {
        var agents = edges.SelectMany(e => new[] { e.From, e.To }).Distinct().ToList();
        var forward = edges.Where(e => !e.IsFeedback && e.From != e.To).ToList();
        var indegree = agents.ToDictionary(a => a, a => forward.Count(e => e.To == a), StringComparer.Ordinal);
        var order = new List<string>();
        while (order.Count < agents.Count)
        {
            var next = agents.FirstOrDefault(a => indegree[a] == 0 && !order.Contains(a))
                ?? agents.First(a => !order.Contains(a));
            order.Add(next);
            foreach (var edge in forward.Where(e => e.From == next))
            {
                indegree[edge.To]--;
            }
        }

        return order.ToEquatableArray();
    }
}
