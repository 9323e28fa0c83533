using System.Collections.Generic;
using System.Linq;

namespace RecursiveMas.Dsl;

/// <summary>One agent's turn in a run of a system, as the schedule decides it.</summary>
/// <param name="Round">1-based round.</param>
/// <param name="Agent">The agent's name, as the topology names it.</param>
/// <param name="IsFinalDecode">The decoder's text decode in the last round (the run ends after it).</param>
/// <param name="Outgoing">
/// The edges whose messages this turn produces: forward edges, plus loop-closing edges in every round
/// but the last (their messages are read in the next round). Empty for the final decode.
/// </param>
internal sealed record TurnSpec(int Round, string Agent, bool IsFinalDecode, EquatableArray<EdgeSpec> Outgoing);

/// <summary>
/// The order of work in a recursive system (PAPER §3.4), the one schedule every executor follows —
/// the runtime's runner and baselines (through <c>RoundSchedule</c>) and the source generator, which
/// unrolls it at compile time: in each round, agents in <see cref="Topology.Order"/>; an agent whose
/// turn produces nothing anyone reads is skipped; in the last round only agents with a forward path
/// to the decoder run, and the decoder decodes instead of thinking.
/// </summary>
internal static class TurnSchedule
{
    /// <summary>The turns of a run of <paramref name="rounds"/> rounds over <paramref name="topology"/> (which must have a decoder).</summary>
    public static IEnumerable<TurnSpec> Turns(Topology topology, int rounds)
    {
        var decoder = topology.Decoder;
        for (var round = 1; round <= rounds; round++)
        {
            var last = round == rounds;
            foreach (var agent in topology.Order)
            {
                if (last && agent == decoder)
                {
                    yield return new TurnSpec(round, agent, IsFinalDecode: true, EquatableArray<EdgeSpec>.Empty);
                    yield break;
                }

                if (last && (decoder is null || !topology.ReachesForward(agent, decoder)))
                {
                    continue;
                }

                var outgoing = topology.Edges.Where(e => e.From == agent && (!e.IsFeedback || !last)).ToEquatableArray();
                if (outgoing.Count > 0)
                {
                    yield return new TurnSpec(round, agent, IsFinalDecode: false, outgoing);
                }
            }
        }
    }
}
