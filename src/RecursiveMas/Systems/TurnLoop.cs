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
        // Every turn completes synchronously, so this runs on the caller's thread from start to end
        // (torch's no-grad and autograd state are per thread).
        var run = RunAsync<TMessage, TAnswer>(system.Plan, system.Description.Name, rounds,
            (turn, messages) => ValueTask.FromResult(think(turn, messages)),
            (turn, messages) => ValueTask.FromResult(decode(turn, messages)));
        return run.IsCompletedSuccessfully ? run.Result : run.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// The same loop with turns that complete later: a turn run elsewhere (an agent on another machine of a
    /// cluster) is awaited before the next one reads its messages. Needs only the plan, not the loaded agents.
    /// </summary>
    /// <param name="systemName">For the error when the decoder never runs.</param>
    public static async ValueTask<TAnswer> RunAsync<TMessage, TAnswer>(SystemPlan plan, string systemName, int rounds,
        Func<AgentTurn, IReadOnlyDictionary<string, TMessage>, ValueTask<IEnumerable<(SystemEdge Edge, TMessage Message)>>> think,
        Func<AgentTurn, IReadOnlyDictionary<string, TMessage>, ValueTask<TAnswer>> decode)
    {
        var board = new MessageBoard<TMessage>();
        foreach (var turn in RoundSchedule.Turns(plan, rounds))
        {
            var messages = board.For(turn.Agent, turn.Round);
            if (turn.IsFinalDecode)
                return await decode(turn, messages).ConfigureAwait(false);
            foreach (var (edge, message) in await think(turn, messages).ConfigureAwait(false))
                board.Post(edge, turn.Round, message);
        }
        throw new InvalidOperationException($"system {systemName}: the decoder {plan.Decoder} never ran");
    }
}
