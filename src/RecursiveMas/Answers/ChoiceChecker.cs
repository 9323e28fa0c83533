namespace RecursiveMas.Answers;

/// <summary>
/// Scores multiple-choice answers: correct only when a letter can be extracted from the output and
/// it is the expected letter. Unparseable output is wrong, never silently "A".
/// </summary>
public static class ChoiceChecker
{
    /// <summary>True when the letter extracted from <paramref name="output"/> is <paramref name="expected"/>.</summary>
    public static bool IsCorrect(string output, char expected, int choiceCount = 4) =>
        AnswerExtractor.ExtractChoice(output, choiceCount) is char c && c == char.ToUpperInvariant(expected);
}
