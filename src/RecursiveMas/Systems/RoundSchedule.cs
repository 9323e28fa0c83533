using RecursiveMas.Dsl;

namespace RecursiveMas.Systems;

/// <summary>One agent's turn in a run.</summary>
/// <param name="Round">1-based round.</param>
/// <param name="Agent">The agent.</param>
/// <param name="IsFinalDecode">The decoder's text decode in the last round (the run ends after it).</param>
/// <param name="Outgoing">
/// Edges whose messages this turn must produce: forward edges, plus loop-closing edges in every
/// round but the last (their messages are read in the next round). Empty for the final decode.
/// </param>
public sealed record AgentTurn(int Round, string Agent, bool IsFinalDecode, IReadOnlyList<SystemEdge> Outgoing);

/// <summary>
/// The order of work in a recursive system (PAPER §3.4), shared by the latent runner, the
/// Recursive-TextMAS and LatentMAS baselines, and generated code: in each round, agents in plan
/// order; an agent whose turn produces nothing anyone reads is skipped; in the last round only
/// agents that reach the decoder run, and the decoder decodes instead of thinking.
/// </summary>
public static class RoundSchedule
{
    /// <summary>The turns of a run of <paramref name="rounds"/> rounds.</summary>
    /// <remarks>The schedule itself is the DSL's <see cref="TurnSchedule"/>, which the source generator unrolls at compile time.</remarks>
    public static IEnumerable<AgentTurn> Turns(SystemPlan plan, int rounds) =>
        TurnSchedule.Turns(plan.Topology, rounds).Select(t =>
            new AgentTurn(t.Round, t.Agent, t.IsFinalDecode, [.. t.Outgoing.Select(e => new SystemEdge(e.From, e.To, e.IsFeedback))]));
}
