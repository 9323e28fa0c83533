using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace RecursiveMas.Answers;

/// <summary>
/// A strict checker for math answers: two answers are equivalent when, after normalising notation
/// (spacing commands, <c>\dfrac</c>, <c>\left/\right</c>, trailing units in <c>\text{}</c>, degrees,
/// percent, thousands separators, a leading "x ="), they are the same string, the same exact
/// rational number (<c>0.5</c> = <c>\frac{1}{2}</c> = <c>1/2</c>), the same exact value of an expression in
/// rationals, square roots and π (<see cref="ExactExpression"/>: <c>\frac{\sqrt2}{2}</c> = <c>\frac{1}{\sqrt2}</c>),
/// or tuples/intervals of equivalent parts. A percent sign is dropped, not divided out (<c>50\%</c> = <c>50</c>,
/// not <c>0.5</c>), as in the released scorer. There is deliberately no integer-part comparison: the released scorer counts
/// <c>14/3</c> as <c>4</c>, which inflates accuracy (PAPER §7.3, §10.14).
/// </summary>
public static partial class MathEquivalence
{
    /// <summary>True when both answers are present and equivalent.</summary>
    public static bool AreEquivalent(string? predicted, string? expected)
    {
        if (predicted is null || expected is null)
            return false;
        string a = Normalize(predicted), b = Normalize(expected);
        if (a.Length == 0 || b.Length == 0)
            return false;
        if (a == b)
            return true;
        if (TryParseRational(a, out var x) && TryParseRational(b, out var y))
            return x == y;
        // Exact symbolic values: \frac{\sqrt2}{2} = \frac{1}{\sqrt2}, 2\sqrt{8} = 4\sqrt2, \frac{\pi}{2} = 0.5\pi.
        if (ExactExpression.TryEvaluate(a) is { } u && ExactExpression.TryEvaluate(b) is { } v)
            return u.Equals(v);
        if (SplitTuple(a) is { } left && SplitTuple(b) is { } right && left.Open == right.Open && left.Close == right.Close
            && left.Parts.Count == right.Parts.Count)
            return left.Parts.Zip(right.Parts).All(p => AreEquivalent(p.First, p.Second));
        return false;
    }

    /// <summary>The notation-normalised form compared by <see cref="AreEquivalent"/>.</summary>
    public static string Normalize(string answer)
    {
        string s = answer.Trim();
        s = s.Trim('$');
        s = s.Replace("\\left", "", StringComparison.Ordinal).Replace("\\right", "", StringComparison.Ordinal);
        s = s.Replace("\\displaystyle", "", StringComparison.Ordinal);
        foreach (var spacing in new[] { "\\!", "\\,", "\\;", "\\:", "\\ " })
            s = s.Replace(spacing, "", StringComparison.Ordinal);
        s = s.Replace("\\dfrac", "\\frac", StringComparison.Ordinal).Replace("\\tfrac", "\\frac", StringComparison.Ordinal);
        s = TrailingUnits().Replace(s, "");                 // "10\text{ cm}" → "10"
        s = TextWrapper().Replace(s, "$1");                 // "\text{odd}" → "odd"
        s = Degrees().Replace(s, "");
        s = s.Replace("\\%", "", StringComparison.Ordinal).Replace("%", "", StringComparison.Ordinal).Replace("\\$", "", StringComparison.Ordinal);
        s = Whitespace().Replace(s, "");
        s = VariablePrefix().Replace(s, "");                // "x=5" → "5"
        s = FracShorthand().Replace(s, "\\frac{$1}{$2}");   // "\frac12" → "\frac{1}{2}"
        s = SqrtShorthand().Replace(s, "\\sqrt{$1}");       // "\sqrt2" → "\sqrt{2}"
        if (ThousandsSeparated().IsMatch(s))
            s = s.Replace(",", "", StringComparison.Ordinal);
        if (s.StartsWith('.'))
            s = "0" + s;
        if (s.StartsWith("-.", StringComparison.Ordinal))
            s = "-0" + s[1..];
        s = s.TrimEnd('.');
        return s;
    }

    /// <summary>Parses an exact rational: integers, decimals, a/b, \frac{a}{b} (nested), with a sign.</summary>
    public static bool TryParseRational(string s, out (BigInteger Numerator, BigInteger Denominator) value)
    {
        value = default;
        if (s.Length == 0)
            return false;
        bool negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
            if (s.Length == 0)
                return false;
        }
        (BigInteger, BigInteger) r;
        if (Decimal().IsMatch(s))
            r = FromDecimal(s);
        else if (SlashFraction().Match(s) is { Success: true } slash)
            r = (BigInteger.Parse(slash.Groups[1].Value, CultureInfo.InvariantCulture), BigInteger.Parse(slash.Groups[2].Value, CultureInfo.InvariantCulture));
        else if (s.StartsWith("\\frac{", StringComparison.Ordinal) && SplitFrac(s) is { } frac
            && TryParseRational(frac.Numerator, out var n) && TryParseRational(frac.Denominator, out var d))
            r = (n.Numerator * d.Denominator, n.Denominator * d.Numerator);
        else
            return false;
        if (r.Item2.IsZero)
            return false;
        var gcd = BigInteger.GreatestCommonDivisor(r.Item1, r.Item2);
        var (num, den) = (r.Item1 / gcd, r.Item2 / gcd);
        if (den.Sign < 0)
            (num, den) = (-num, -den);
        value = (negative ? -num : num, den);
        return true;
    }

    static (BigInteger, BigInteger) FromDecimal(string s)
    {
        int dot = s.IndexOf('.');
        if (dot < 0)
            return (BigInteger.Parse(s, CultureInfo.InvariantCulture), BigInteger.One);
        string digits = s.Remove(dot, 1);
        return (BigInteger.Parse(digits, CultureInfo.InvariantCulture), BigInteger.Pow(10, s.Length - dot - 1));
    }

    /// <summary>"\frac{A}{B}" covering the whole string → (A, B); braces matched.</summary>
    static (string Numerator, string Denominator)? SplitFrac(string s)
    {
        int i = "\\frac".Length;
        string? a = Group(s, ref i), b = Group(s, ref i);
        return a is not null && b is not null && i == s.Length ? (a, b) : null;
    }

    static string? Group(string s, ref int i)
    {
        if (i >= s.Length || s[i] != '{')
            return null;
        int depth = 0, start = i;
        for (; i < s.Length; i++)
        {
            if (s[i] == '{')
                depth++;
            else if (s[i] == '}' && --depth == 0)
            {
                i++;
                return s[(start + 1)..(i - 1)];
            }
        }
        return null;
    }

    /// <summary>"(a,b)", "[a,b)", "\{a,b\}" → brackets and top-level parts; null when not a tuple.</summary>
    static (char Open, char Close, IReadOnlyList<string> Parts)? SplitTuple(string s)
    {
        s = s.Replace("\\{", "{", StringComparison.Ordinal).Replace("\\}", "}", StringComparison.Ordinal);
        if (s.Length < 2 || "([{".IndexOf(s[0]) < 0 || ")]}".IndexOf(s[^1]) < 0)
            return null;
        var parts = new List<string>();
        var current = new StringBuilder();
        int depth = 0;
        for (int i = 1; i < s.Length - 1; i++)
        {
            char c = s[i];
            if ("([{".IndexOf(c) >= 0)
                depth++;
            if (")]}".IndexOf(c) >= 0)
                depth--;
            if (depth < 0)
                return null;
            if (c == ',' && depth == 0)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
                current.Append(c);
        }
        parts.Add(current.ToString());
        return parts.Count < 2 ? null : (s[0], s[^1], parts);
    }

    [GeneratedRegex(@"(?<=\S)\s*\\(?:text|mbox|mathrm)\{\s*[A-Za-z][A-Za-z\s^0-9]*\}\s*$")]
    private static partial Regex TrailingUnits();

    [GeneratedRegex(@"\\(?:text|mbox|mathrm|textbf)\{([^{}]*)\}")]
    private static partial Regex TextWrapper();

    [GeneratedRegex(@"\^\s*\{?\\circ\}?|°")]
    private static partial Regex Degrees();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^[A-Za-z]\w?=(?!=)")]
    private static partial Regex VariablePrefix();

    [GeneratedRegex(@"\\frac(\d)(\d)")]
    private static partial Regex FracShorthand();

    [GeneratedRegex(@"\\sqrt(\d+)")]
    private static partial Regex SqrtShorthand();

    [GeneratedRegex(@"^-?\d{1,3}(,\d{3})+(\.\d+)?$")]
    private static partial Regex ThousandsSeparated();

    [GeneratedRegex(@"^\d+(\.\d+)?$")]
    private static partial Regex Decimal();

    [GeneratedRegex(@"^(\d+)/(\d+)$")]
    private static partial Regex SlashFraction();
}
