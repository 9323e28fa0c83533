using RecursiveMas.Answers;

namespace RecursiveMas.Tasks;

/// <summary>
/// One generated question with the text each role should write for it, as one line of the training
/// JSONL (<c>{"question", "roles": {agent: text}, "answer"}</c>). <see cref="Answer"/> is the decoder's
/// full target and ends with <c>\boxed{...}</c>, so the strict checker reads the gold answer from it.
/// </summary>
public sealed record TaskExample(string Question, IReadOnlyDictionary<string, string> Roles, string Answer)
{
    /// <summary>The boxed value of <see cref="Answer"/> (what a prediction is compared with).</summary>
    public string Gold => AnswerExtractor.LastBoxed(Answer)
        ?? throw new InvalidOperationException($"the answer of \"{Question}\" has no \\boxed{{}} value");

    /// <summary>Whether <paramref name="generated"/> holds the gold answer by the strict checker (PAPER §7.3).</summary>
    public bool IsAnsweredBy(string? generated) =>
        generated is not null && MathEquivalence.AreEquivalent(AnswerExtractor.Extract(generated).Value, Gold);
}
