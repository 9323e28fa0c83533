namespace RecursiveMas.Systems;

/// <summary>
/// The one loop every method that runs a system's rounds shares: the turns of
/// <see cref="RoundSchedule"/>, each reading its messages from a <see cref="MessageBoard{TMessage}"/>
/// and either thinking (posting what it sends) or, for the decoder in the last round, decoding. A method
/// supplies only what differs — what a message is (latent vectors, text) and how a turn thinks and
/// decodes: <see cref="RecursiveRunner"/>, the Recursive-TextMAS and LatentMAS baselines and the outer
/// training objective. Generated code unrolls the same schedule at compile time and calls the same
/// turn operations (<see cref="RunContext"/>).
/// </summary>
public static class TurnLoop
{
    /// <summary>Runs <paramref name="rounds"/> rounds of <paramref name="system"/> and returns what the final decode returned.</summary>
    /// <param name="think">A thinking turn: from its messages (by slot name) to the messages it sends, each with its edge.</param>
    /// <param name="decode">The decoder's final turn: from its messages to the run's answer.</param>
    public static TAnswer Run<TMessage, TAnswer>(RecursiveSystem system, int rounds,
        Func<AgentTurn, IReadOnlyDictionary<string, TMessage>, IEnumerable<(SystemEdge Edge, TMessage Message)>> think,
        Func<AgentTurn, IReadOnlyDictionary<string, TMessage>, TAnswer> decode)
    {
        var board = new MessageBoard<TMessage>();
        foreach (var turn in RoundSchedule.Turns(system.Plan, rounds))
        {
            var messages = board.For(turn.Agent, turn.Round);
            if (turn.IsFinalDecode)
                return decode(turn, messages);
            foreach (var (edge, message) in think(turn, messages))
                board.Post(edge, turn.Round, message);
        }
        throw new InvalidOperationException($"system {system.Description.Name}: the decoder {system.Plan.Decoder} never ran");
    }
}
