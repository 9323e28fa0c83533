namespace RecursiveMas;

/// <summary>
/// When an agent uses a <see cref="PromptAttribute">prompt</see>. Each agent has at most one prompt
/// per value. Round 1 uses <see cref="FirstRound"/>, else <see cref="Always"/>; rounds 2 and later use
/// <see cref="LaterRounds"/>, else <see cref="Always"/>; the decoder's final text decode uses
/// <see cref="Decode"/>, else the prompt of its last round.
/// </summary>
public enum PromptUse
{
    /// <summary>Every round for which the agent has no more specific prompt. The default.</summary>
    Always = 0,

    /// <summary>Round 1 only, where no loop-closing <c>{feedback}</c> message exists yet.</summary>
    FirstRound = 1,

    /// <summary>Rounds 2 and later; the prompt that receives the loop-closing <c>{feedback}</c> message.</summary>
    LaterRounds = 2,

    /// <summary>The decoder agent's final text decode, in the last round.</summary>
    Decode = 3,
}
