using RecursiveMas.Latent;

namespace RecursiveMas.Systems;

/// <summary>
/// Where messages wait for their receivers during a run: forward messages for the current round,
/// loop-closing messages for the next. Works for latent messages (tensors) and text messages alike.
/// </summary>
public sealed class MessageBoard<TMessage>
{
    private readonly Dictionary<string, Dictionary<string, TMessage>> _thisRound = [];
    private Dictionary<string, TMessage> _feedback = [];
    private Dictionary<string, TMessage> _nextFeedback = [];
    private int _round = 1;

    /// <summary>Posts a message sent along <paramref name="edge"/> in <paramref name="round"/>.</summary>
    public void Post(SystemEdge edge, int round, TMessage message)
    {
        Advance(round);
        if (edge.IsFeedback)
        {
            _nextFeedback[edge.To] = message;
            return;
        }
        if (!_thisRound.TryGetValue(edge.To, out var slots))
            _thisRound[edge.To] = slots = [];
        slots[AgentPrompt.FromSlot(edge.From)] = message;
    }

    /// <summary>The messages <paramref name="agent"/> reads in <paramref name="round"/>, by slot name.</summary>
    public IReadOnlyDictionary<string, TMessage> For(string agent, int round)
    {
        Advance(round);
        var slots = _thisRound.TryGetValue(agent, out var forward) ? new Dictionary<string, TMessage>(forward) : [];
        if (round > 1 && _feedback.TryGetValue(agent, out var feedback))
            slots[AgentPrompt.FeedbackSlot] = feedback;
        return slots;
    }

    void Advance(int round)
    {
        while (_round < round)
        {
            _thisRound.Clear();
            _feedback = _nextFeedback;
            _nextFeedback = [];
            _round++;
        }
    }
}
