using System.Text.RegularExpressions;

namespace RecursiveMas.Answers;

/// <summary>Where an extracted answer came from.</summary>
public enum AnswerSource
{
    /// <summary>Nothing answer-like was found.</summary>
    None,

    /// <summary>The content of the last <c>\boxed{...}</c> (or <c>\fbox{...}</c>).</summary>
    Boxed,

    /// <summary>The rest of the last "Final Answer:" (or "Final Choice:") line.</summary>
    FinalAnswerLine,
}

/// <summary>An answer pulled out of generated text.</summary>
public sealed record ExtractedAnswer(string? Value, AnswerSource Source)
{
    public static ExtractedAnswer None { get; } = new(null, AnswerSource.None);

    public bool Found => Value is not null;
}

/// <summary>
/// Pulls the final answer out of a model's text: the last <c>\boxed{...}</c> with braces matched
/// properly (so <c>\boxed{\frac{1}{2}}</c> gives <c>\frac{1}{2}</c>, where the released code's regex
/// falls back to a greedy match), else the last "Final Answer:" line. Unlike the released scorer it
/// never returns the whole text as "the answer": no answer is <see cref="ExtractedAnswer.None"/>.
/// </summary>
public static partial class AnswerExtractor
{
    /// <summary>The boxed answer, else the "Final Answer:" line, else none.</summary>
    public static ExtractedAnswer Extract(string text)
    {
        if (LastBoxed(text) is { } boxed)
            return new ExtractedAnswer(boxed, AnswerSource.Boxed);
        if (FinalAnswerLine(text) is { } line)
            return new ExtractedAnswer(line, AnswerSource.FinalAnswerLine);
        return ExtractedAnswer.None;
    }

    /// <summary>Content of the last complete <c>\boxed{...}</c> / <c>\fbox{...}</c>, braces matched; null if none.</summary>
    public static string? LastBoxed(string text)
    {
        string? found = null;
        foreach (Match m in BoxedStart().Matches(text))
        {
            int open = m.Index + m.Length - 1; // the '{'
            int depth = 0;
            for (int i = open; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\\' && i + 1 < text.Length && (text[i + 1] == '{' || text[i + 1] == '}'))
                {
                    i++; // an escaped brace is literal
                    continue;
                }
                if (c == '{')
                    depth++;
                else if (c == '}' && --depth == 0)
                {
                    found = text[(open + 1)..i].Trim();
                    break;
                }
            }
        }
        return found;
    }

    /// <summary>The rest of the last "Final Answer:" / "Final Choice:" line (its boxed content when boxed); null if none.</summary>
    public static string? FinalAnswerLine(string text)
    {
        var matches = FinalAnswer().Matches(text);
        if (matches.Count == 0)
            return null;
        string rest = matches[^1].Groups[1].Value.Trim();
        if (LastBoxed(rest) is { } boxed)
            return boxed;
        rest = rest.TrimEnd('.').Trim();
        return rest.Length == 0 ? null : rest;
    }

    /// <summary>
    /// A multiple-choice letter among the first <paramref name="choiceCount"/> letters: from the boxed
    /// answer, a "Final Choice/Answer:" line, or an "answer is (X)" phrase. Null when none is clear —
    /// never a default letter (the released scorer defaults to "A", which rewards unparseable output).
    /// </summary>
    public static char? ExtractChoice(string text, int choiceCount = 4)
    {
        if (choiceCount is < 1 or > 26)
            throw new ArgumentOutOfRangeException(nameof(choiceCount));
        char last = (char)('A' + choiceCount - 1);
        foreach (var candidate in new[] { LastBoxed(text), FinalAnswerLine(text) })
        {
            if (candidate is not null && ChoiceIn(candidate, last) is char c)
                return c;
        }
        var phrases = AnswerIsPhrase().Matches(text);
        for (int i = phrases.Count - 1; i >= 0; i--)
        {
            char c = char.ToUpperInvariant(phrases[i].Groups[1].Value[0]);
            if (c <= last)
                return c;
        }
        return null;
    }

    /// <summary>A lone letter ("B", "(B)", "B.", "B) text", "\text{B}") at the start of an answer.</summary>
    static char? ChoiceIn(string answer, char last)
    {
        var m = LeadingChoice().Match(answer);
        if (!m.Success)
            return null;
        char c = char.ToUpperInvariant(m.Groups[1].Value[0]);
        return c <= last ? c : null;
    }

    [GeneratedRegex(@"\\(?:boxed|fbox)\s*\{")]
    private static partial Regex BoxedStart();

    [GeneratedRegex(@"Final\s+(?:Answer|Choice)\s*:\s*(.*)", RegexOptions.IgnoreCase)]
    private static partial Regex FinalAnswer();

    [GeneratedRegex(@"^\s*(?:\\text\{\s*)?\(?\s*([A-Z])\s*\)?(?:\s*\})?(?=$|[\s.,:;)]|\s)")]
    private static partial Regex LeadingChoice();

    [GeneratedRegex(@"answer\s+is\s*:?\s*\(?\s*([A-Z])\b\)?")]
    private static partial Regex AnswerIsPhrase();
}
