using RecursiveMas.Answers;

namespace RecursiveMas.Tasks;

/// <summary>
/// One generated question with the text each role should write for it, as one line of the training
/// JSONL (<c>{"question", "roles": {agent: text}, "answer"}</c>). <see cref="Answer"/> is the decoder's
/// full target and ends with <c>\boxed{...}</c>, so the strict checker reads the gold answer from it.
/// With <see cref="Choices"/> the question is multiple choice: the options are shown under the question and
/// the boxed gold is the letter of the right one.
/// </summary>
public sealed record TaskExample(string Question, IReadOnlyDictionary<string, string> Roles, string Answer) : IGradedQuestion
{
    /// <summary>
    /// The role texts of rounds 2, 3, … where an agent's part changes from round to round (a long chain
    /// worked through a few operations a round); a round past the list reads its last entry. Empty = every
    /// round's texts are <see cref="Roles"/>.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> LaterRounds { get; init; } = [];

    /// <summary>What each role writes in <paramref name="round"/> (1-based).</summary>
    public IReadOnlyDictionary<string, string> RolesIn(int round) => IO.RoleTextsJson.InRound(Roles, LaterRounds, round);

    /// <summary>The options of a multiple-choice question (A, B, … in order); null for a free-form answer.</summary>
    public IReadOnlyList<string>? Choices { get; init; }

    /// <summary>The question, with its lettered options when it has <see cref="Choices"/>.</summary>
    public string Prompt => Choices is null ? Question : ChoicePrompt.Format(Question, Choices);

    /// <summary>The boxed value of <see cref="Answer"/> (what a prediction is compared with).</summary>
    public string Gold => AnswerExtractor.LastBoxed(Answer)
        ?? throw new InvalidOperationException($"the answer of \"{Question}\" has no \\boxed{{}} value");

    /// <summary>Whether <paramref name="generated"/> holds the gold answer by the strict checker (PAPER §7.3).</summary>
    public bool IsAnsweredBy(string? generated) => IsAnsweredBy(generated, AnswerChecker.Strict);

    /// <summary>Whether <paramref name="generated"/> holds the gold answer (the gold letter for multiple choice) by <paramref name="checker"/>.</summary>
    public bool IsAnsweredBy(string? generated, AnswerChecker checker) => Choices is null
        ? checker.IsMathCorrect(generated, Gold)
        : checker.IsChoiceCorrect(generated, Gold.Trim()[0], Choices.Count);
}
