using System.Globalization;
using System.Text.RegularExpressions;

namespace RecursiveMas.Answers;

/// <summary>
/// The official scorer's leniency (released <c>inference_utils/answer_utils.py</c>), reproduced from its
/// description in PAPER.md §7.3 — the Python file itself was not available, so details the description
/// leaves open are marked "reading" below. Use it only to compare with the paper's numbers; the strict
/// checkers (<see cref="MathEquivalence"/>, <see cref="ChoiceChecker"/>) are the faithful ones.
/// <list type="bullet">
/// <item>Extraction: the last <c>\boxed{...}</c> without nested braces, else the greedy <c>\boxed{(.*)}</c>
/// (up to the last '}' of the text), else the rest of the last "Final Answer:" line, else the whole text.</item>
/// <item>Math: correct when ANY of four comparisons matches — (1) the integer part of the first number, after
/// <c>\frac{a}{b}</c> is replaced by the value a/b and <c>\text{}</c>, commas and degrees are stripped (so
/// <c>14/3</c> and <c>4</c> both give 4); (2) the LaTeX-stripped string without spaces; (3) the raw string
/// without spaces; (4) the integer part of the digits only (reading: the digits before the first '.').</item>
/// <item>Multiple choice: the letter of the boxed content, else of a "Final Choice/Answer:" line, else of the
/// whole text (by an "answer is X" phrase or a leading letter); an unparseable prediction counts as "A".</item>
/// </list>
/// </summary>
public static partial class LenientChecker
{
    /// <summary>The answer string the official extraction yields (never null: the whole text at worst).</summary>
    public static string Extract(string text)
    {
        var flat = FlatBoxed().Matches(text);
        if (flat.Count > 0)
            return flat[^1].Groups[1].Value.Trim();
        if (GreedyBoxed().Match(text) is { Success: true } greedy)
            return greedy.Groups[1].Value.Trim();
        if (AnswerExtractor.FinalAnswerLine(text) is { } line)
            return line;
        return text.Trim();
    }

    /// <summary>Whether <paramref name="generated"/> counts as <paramref name="gold"/> by the official math comparison.</summary>
    public static bool IsMathCorrect(string generated, string gold)
    {
        string predicted = Extract(generated);
        if (IntegerPartOfFirstNumber(predicted) is { } p && IntegerPartOfFirstNumber(gold) is { } g && p == g)
            return true;
        if (StripLatex(predicted) is { Length: > 0 } sp && sp == StripLatex(gold))
            return true;
        if (NoSpaces(predicted) is { Length: > 0 } rp && rp == NoSpaces(gold))
            return true;
        return DigitsIntegerPart(predicted) is { Length: > 0 } dp && dp == DigitsIntegerPart(gold);
    }

    /// <summary>The official multiple-choice letter: as <see cref="AnswerExtractor.ExtractChoice"/> but over the whole text too, and "A" when none.</summary>
    public static char ExtractChoice(string generated, int choiceCount = 4) =>
        AnswerExtractor.ExtractChoice(generated, choiceCount)
        ?? (LeadingLetter().Match(generated.Trim()) is { Success: true } m && m.Groups[1].Value[0] < 'A' + choiceCount ? m.Groups[1].Value[0] : 'A');

    /// <summary>Whether the official letter of <paramref name="generated"/> is <paramref name="expected"/>.</summary>
    public static bool IsChoiceCorrect(string generated, char expected, int choiceCount = 4) =>
        ExtractChoice(generated, choiceCount) == char.ToUpperInvariant(expected);

    /// <summary>Strategy (1): "\frac{14}{3}" → 4.666… → "4"; "3.9 cm" → "3"; null without a number.</summary>
    internal static string? IntegerPartOfFirstNumber(string answer)
    {
        string s = Frac().Replace(answer, m =>
        {
            double n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), d = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            return d == 0 ? m.Value : (n / d).ToString("R", CultureInfo.InvariantCulture);
        });
        s = TextCommand().Replace(s, "$1").Replace(",", "", StringComparison.Ordinal);
        s = Degrees().Replace(s, "");
        var number = FirstNumber().Match(s);
        if (!number.Success)
            return null;
        // Python's int(float(x)): truncation toward zero.
        double value = double.Parse(number.Value, CultureInfo.InvariantCulture);
        return Math.Truncate(value).ToString("0", CultureInfo.InvariantCulture);
    }

    /// <summary>Strategy (2), reading: without $, \left/\right, spacing commands, \text{} wrappers, degrees and spaces.</summary>
    internal static string StripLatex(string answer)
    {
        string s = answer.Replace("$", "", StringComparison.Ordinal).Replace("\\left", "", StringComparison.Ordinal).Replace("\\right", "", StringComparison.Ordinal);
        foreach (var spacing in new[] { "\\!", "\\,", "\\;", "\\:", "\\ " })
            s = s.Replace(spacing, "", StringComparison.Ordinal);
        s = TextCommand().Replace(s, "$1");
        s = Degrees().Replace(s, "");
        return NoSpaces(s);
    }

    static string NoSpaces(string s) => Spaces().Replace(s, "");

    /// <summary>Strategy (4): the digits of the part before the first '.'.</summary>
    internal static string DigitsIntegerPart(string answer)
    {
        int dot = answer.IndexOf('.');
        string whole = dot < 0 ? answer : answer[..dot];
        return string.Concat(whole.Where(char.IsAsciiDigit));
    }

    [GeneratedRegex(@"\\boxed\{([^{}]*)\}")]
    private static partial Regex FlatBoxed();

    [GeneratedRegex(@"\\boxed\{(.*)\}", RegexOptions.Singleline)]
    private static partial Regex GreedyBoxed();

    [GeneratedRegex(@"\\d?frac\{\s*(-?\d+(?:\.\d+)?)\s*\}\{\s*(-?\d+(?:\.\d+)?)\s*\}")]
    private static partial Regex Frac();

    [GeneratedRegex(@"\\(?:text|mbox|mathrm|textbf)\{([^{}]*)\}")]
    private static partial Regex TextCommand();

    [GeneratedRegex(@"\^\s*\{?\\circ\}?|°")]
    private static partial Regex Degrees();

    [GeneratedRegex(@"-?\d+(?:\.\d+)?")]
    private static partial Regex FirstNumber();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^\(?([A-Z])\b")]
    private static partial Regex LeadingLetter();
}

/// <summary>Which answer checker <c>rmas eval</c> scores with.</summary>
public enum AnswerChecker
{
    /// <summary>Exact equivalence (<see cref="MathEquivalence"/>) and letters only when parseable (<see cref="ChoiceChecker"/>).</summary>
    Strict,

    /// <summary>The official scorer's leniency (<see cref="LenientChecker"/>): integer-part matches, "A" by default.</summary>
    Lenient,
}

/// <summary>Scoring through the chosen <see cref="AnswerChecker"/>.</summary>
public static class AnswerCheck
{
    /// <summary>"strict" or "lenient" (case-insensitive).</summary>
    public static AnswerChecker Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "strict" => AnswerChecker.Strict,
        "lenient" => AnswerChecker.Lenient,
        _ => throw new ArgumentException($"unknown checker \"{name}\"; expected strict or lenient", nameof(name)),
    };

    /// <summary>Whether <paramref name="generated"/> answers a math question whose gold answer is <paramref name="gold"/>.</summary>
    public static bool IsMathCorrect(this AnswerChecker checker, string? generated, string gold) =>
        generated is not null && (checker == AnswerChecker.Lenient
            ? LenientChecker.IsMathCorrect(generated, gold)
            : MathEquivalence.AreEquivalent(AnswerExtractor.Extract(generated).Value, gold));

    /// <summary>Whether <paramref name="generated"/> picks <paramref name="expected"/> among <paramref name="choiceCount"/> options.</summary>
    public static bool IsChoiceCorrect(this AnswerChecker checker, string? generated, char expected, int choiceCount) =>
        generated is not null && (checker == AnswerChecker.Lenient
            ? LenientChecker.IsChoiceCorrect(generated, expected, choiceCount)
            : ChoiceChecker.IsCorrect(generated, expected, choiceCount));
}
