namespace RecursiveMas.Dsl;

/// <summary>
/// Mirror of the runtime's <c>RecursiveMas.PromptUse</c> (same names, same values): analyzers and
/// generators do not reference the runtime assembly, so they read the attribute's integer value into
/// this enum. A test keeps the two in step.
/// </summary>
internal enum PromptUseKind
{
    /// <summary>Every round with no more specific prompt.</summary>
    Always = 0,

    /// <summary>Round 1 only.</summary>
    FirstRound = 1,

    /// <summary>Rounds 2 and later.</summary>
    LaterRounds = 2,

    /// <summary>The decoder's final text decode.</summary>
    Decode = 3,
}
