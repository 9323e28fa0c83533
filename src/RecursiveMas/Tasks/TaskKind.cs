namespace RecursiveMas.Tasks;

/// <summary>The synthetic reasoning tasks (both need several dependent steps to answer).</summary>
public enum TaskKind
{
    /// <summary>Multi-step arithmetic word problems (GSM8K-like, small numbers, 2–4 operations).</summary>
    Arithmetic,

    /// <summary>The same word problems with long chains (5–8 dependent operations).</summary>
    ArithmeticLong,

    /// <summary>Graph reachability over "every X is a Y" rules with two candidate answers (ProsQA-like).</summary>
    Reachability,
}

/// <summary>Parsing and generator lookup for <see cref="TaskKind"/>.</summary>
public static class TaskKinds
{
    /// <summary>"arithmetic", "arithmetic-long" or "reachability" (case-insensitive).</summary>
    public static TaskKind Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "arithmetic" => TaskKind.Arithmetic,
        "arithmetic-long" => TaskKind.ArithmeticLong,
        "reachability" => TaskKind.Reachability,
        _ => throw new ArgumentException($"unknown task \"{name}\"; expected arithmetic, arithmetic-long or reachability", nameof(name)),
    };

    /// <summary>The lower-case name used on the command line and in file names.</summary>
    public static string Name(this TaskKind kind) => kind switch
    {
        TaskKind.ArithmeticLong => "arithmetic-long",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// Draws one example of <paramref name="kind"/> from <paramref name="random"/>; an arithmetic example's roles
    /// cover at most <paramref name="operationsPerRound"/> operations a round (see <see cref="ArithmeticWordProblems"/>).
    /// </summary>
    public static TaskExample Draw(this TaskKind kind, Random random, int? operationsPerRound = null) => kind switch
    {
        TaskKind.Arithmetic => ArithmeticWordProblems.Draw(random, ArithmeticWordProblems.ShortChains, operationsPerRound),
        TaskKind.ArithmeticLong => ArithmeticWordProblems.Draw(random, ArithmeticWordProblems.LongChains, operationsPerRound),
        TaskKind.Reachability when operationsPerRound is not null =>
            throw new ArgumentException("reachability has no operations to spread over rounds", nameof(operationsPerRound)),
        TaskKind.Reachability => ReachabilityProblems.Draw(random),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
