namespace RecursiveMas.Answers;

/// <summary>
/// One evaluation question: the text a system is asked, and how its answer is graded. Implemented by the task
/// examples (math or multiple choice) and by the published benchmarks (math, multiple choice, code run against tests).
/// </summary>
public interface IGradedQuestion
{
    /// <summary>The question as the system sees it (options included for multiple choice).</summary>
    string Prompt { get; }

    /// <summary>What a benchmark calls the question (its id, else its place in the file); null where it has no name.</summary>
    string? Id => null;

    /// <summary>Whether <paramref name="generated"/> (the final agent's whole text) is a correct answer by <paramref name="checker"/>.</summary>
    bool IsAnsweredBy(string? generated, AnswerChecker checker);
}

/// <summary>Prompt text shared by the multiple-choice questions.</summary>
public static class ChoicePrompt
{
    /// <summary>
    /// "question\n\nA. first\nB. second…" — the options under the question, each after its letter, as the
    /// multiple-choice prompts of the released code present them.
    /// </summary>
    public static string Format(string question, IReadOnlyList<string> choices)
    {
        if (choices.Count is < 2 or > 26)
            throw new ArgumentException("a multiple-choice question has 2 to 26 options", nameof(choices));
        return question.TrimEnd() + "\n\n" + string.Join("\n", choices.Select((c, i) => $"{(char)('A' + i)}. {c.Trim()}"));
    }
}
