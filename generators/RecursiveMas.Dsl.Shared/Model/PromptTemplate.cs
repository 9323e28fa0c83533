using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RecursiveMas.Dsl;

/// <summary>
/// A parsed prompt template: literal text and the three kinds of slot. The syntax is exact:
/// <c>{question}</c>, <c>{feedback}</c> and <c>{from:Name}</c> (Name a C# identifier) are slots, and
/// <c>{round}</c> is the round number (<see cref="RoundPlaceholder"/>); every other character is literal, braces included, so <c>\boxed{}</c>, <c>\frac{a}{b}</c>, <c>{1}</c> and
/// JSON examples stay as written.
/// </summary>
/// <remarks>
/// Besides the slots, the parser collects <see cref="UnknownPlaceholders"/>: brace groups that are
/// still literal text but look like a mistyped slot (<c>{Question}</c>, <c>{feedbak}</c>,
/// <c>{from Planner}</c>, <c>{from:}</c>, <c>{ question }</c>). A group counts when it is not the
/// argument of a LaTeX command or of <c>^</c>/<c>_</c> (<c>\text{from}</c>, <c>x_{i}</c> are literal)
/// and its content is an identifier, an identifier and a colon with at most one name-like word after
/// it, or two identifiers separated by spaces. Exact slots count wherever they appear, and so does a <c>{from:</c>
/// that is not one (its brace never closes, or its name is not an identifier: <c>{from:critic-2}</c>).
/// It also collects <see cref="DoubleBracedPlaceholders"/>: a slot or <c>{round}</c> written in the double braces of
/// Jinja, Mustache or Semantic Kernel (<c>{{question}}</c>), which fills the slot and keeps the outer braces as text
/// (unless they are a LaTeX command's argument: <c>\boxed{{question}}</c>).
/// </remarks>
/// <param name="Text">The template as written.</param>
/// <param name="Parts">The template split into literal text and slots, in order; adjacent text is merged.</param>
/// <param name="UnknownPlaceholders">Brace groups (braces included) that look like mistyped slots, in order.</param>
/// <param name="DoubleBracedPlaceholders">Placeholders written between a second pair of braces (all four braces included), in order.</param>
internal sealed record PromptTemplate(string Text, EquatableArray<TemplatePart> Parts, EquatableArray<string> UnknownPlaceholders, EquatableArray<string> DoubleBracedPlaceholders)
{
    /// <summary>The question slot as written in templates.</summary>
    public const string QuestionPlaceholder = "{question}";

    /// <summary>The loop-closing message slot as written in templates.</summary>
    public const string FeedbackPlaceholder = "{feedback}";

    /// <summary>
    /// The round number, as text. Not a slot: the runtime writes the number in before it parses a prompt
    /// (AgentPrompt.ForRound), so here it is literal text that is not reported as unknown.
    /// </summary>
    public const string RoundPlaceholder = "{round}";

    /// <summary>The prefix of a message slot, <c>{from:</c>.</summary>
    public const string FromPrefix = "{from:";

    /// <summary>Whether the template has a <c>{feedback}</c> slot.</summary>
    public bool HasFeedback => Parts.Any(s => s.Kind == TemplatePartKind.Feedback);

    /// <summary>Whether the template has a <c>{question}</c> slot.</summary>
    public bool HasQuestion => Parts.Any(s => s.Kind == TemplatePartKind.Question);

    /// <summary>The agent names of the <c>{from:Name}</c> slots, in order, each once.</summary>
    public IEnumerable<string> FromAgents =>
        Parts.Where(s => s.Kind == TemplatePartKind.From).Select(s => s.Value).Distinct();

    /// <summary>Parses <paramref name="text"/>; never fails (anything that is not a slot is text).</summary>
    public static PromptTemplate Parse(string text)
    {
        var parts = new List<TemplatePart>();
        var unknown = new List<string>();
        var doubleBraced = new List<string>();
        var literal = new StringBuilder();

        // A brace group right after a LaTeX command's argument (the {b} of \frac{a}{b}) is an argument too.
        var latexGroupEnd = -1;
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '{')
            {
                literal.Append(text[i]);
                i++;
                continue;
            }

            var slot = MatchSlot(text, i, out var length);
            if (slot is not null)
            {
                if (literal.Length > 0)
                {
                    parts.Add(TemplatePart.Text(literal.ToString()));
                    literal.Clear();
                }

                parts.Add(slot);
                AddIfDoubleBraced(text, i, length, latexGroupEnd, doubleBraced);
                i += length;
                continue;
            }

            var close = text.IndexOf('}', i + 1);
            var nestedOpen = text.IndexOf('{', i + 1);
            var isGroup = close > i && (nestedOpen < 0 || nestedOpen > close);
            var isLatexArgument = IsAfterLatexCommand(text, i) || i == latexGroupEnd + 1;
            if (isGroup)
            {
                var group = text.Substring(i, close - i + 1);
                if (!isLatexArgument && group != RoundPlaceholder && LooksLikePlaceholder(group.Substring(1, group.Length - 2)))
                {
                    unknown.Add(group);
                }
                else if (IsUnfinishedFromSlot(text, i))
                {
                    unknown.Add(FromSlotFragment(text, i));
                }

                if (group == RoundPlaceholder)
                {
                    AddIfDoubleBraced(text, i, group.Length, latexGroupEnd, doubleBraced);
                }

                if (isLatexArgument)
                {
                    latexGroupEnd = close;
                }

                literal.Append(group);
                i = close + 1;
                continue;
            }

            if (IsUnfinishedFromSlot(text, i))
            {
                unknown.Add(FromSlotFragment(text, i));
            }

            literal.Append('{');
            i++;
        }

        if (literal.Length > 0)
        {
            parts.Add(TemplatePart.Text(literal.ToString()));
        }

        return new PromptTemplate(text, parts.ToEquatableArray(), unknown.ToEquatableArray(), doubleBraced.ToEquatableArray());
    }

    // {{question}}: the placeholder at start, of the given length, with a brace right before and right after it; not when
    // the outer braces are a LaTeX command's argument (\boxed{{question}} boxes the question).
    static void AddIfDoubleBraced(string text, int start, int length, int latexGroupEnd, List<string> doubleBraced)
    {
        var end = start + length;
        if (start > 0 && text[start - 1] == '{' && end < text.Length && text[end] == '}'
            && !IsAfterLatexCommand(text, start - 1) && start - 1 != latexGroupEnd + 1)
        {
            doubleBraced.Add(text.Substring(start - 1, length + 2));
        }
    }

    static TemplatePart? MatchSlot(string text, int start, out int length)
    {
        length = 0;
        if (string.CompareOrdinal(text, start, QuestionPlaceholder, 0, QuestionPlaceholder.Length) == 0)
        {
            length = QuestionPlaceholder.Length;
            return TemplatePart.Question;
        }

        if (string.CompareOrdinal(text, start, FeedbackPlaceholder, 0, FeedbackPlaceholder.Length) == 0)
        {
            length = FeedbackPlaceholder.Length;
            return TemplatePart.Feedback;
        }

        if (string.CompareOrdinal(text, start, FromPrefix, 0, FromPrefix.Length) == 0)
        {
            var nameStart = start + FromPrefix.Length;
            var close = text.IndexOf('}', nameStart);
            if (close > nameStart && IsIdentifier(text, nameStart, close - nameStart))
            {
                length = close - start + 1;
                return TemplatePart.From(text.Substring(nameStart, close - nameStart));
            }
        }

        return null;
    }

    // "{from:" that did not match a slot: its name is not an identifier, or its brace never closes ("{from:Critic Question: ...").
    static bool IsUnfinishedFromSlot(string text, int start) =>
        string.CompareOrdinal(text, start, FromPrefix, 0, FromPrefix.Length) == 0;

    // "{from:" and the name-like run after it, with its closing brace when one follows at once: what a message names.
    static string FromSlotFragment(string text, int start)
    {
        var end = start + FromPrefix.Length;
        while (end < text.Length && text[end] != '}' && text[end] != '{' && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        if (end < text.Length && text[end] == '}')
        {
            end++;
        }

        return text.Substring(start, end - start);
    }

    // \cmd{ ... }, x^{ ... }, x_{ ... }
    static bool IsAfterLatexCommand(string text, int brace)
    {
        if (brace == 0)
        {
            return false;
        }

        var previous = text[brace - 1];
        if (previous is '^' or '_')
        {
            return true;
        }

        var j = brace - 1;
        while (j >= 0 && char.IsLetter(text[j]))
        {
            j--;
        }

        return j < brace - 1 && j >= 0 && text[j] == '\\';
    }

    static bool LooksLikePlaceholder(string content)
    {
        var words = new List<string>();
        var colon = -1;
        var i = 0;
        while (i < content.Length)
        {
            var c = content[i];
            if (c == ' ' || c == '\t')
            {
                i++;
            }
            else if (c == ':' && colon < 0 && words.Count == 1)
            {
                colon = words.Count;
                i++;
            }
            else if (IsIdentifierStart(c))
            {
                var start = i;
                while (i < content.Length && (IsIdentifierPart(content[i]) || (colon >= 0 && content[i] == '.')))
                {
                    i++;
                }

                words.Add(content.Substring(start, i - start));
            }
            else
            {
                return false;
            }
        }

        // A colon is only taken after the first word, so this is: identifier | identifier ':' [name] | identifier identifier.
        return words.Count is 1 or 2;
    }

    static bool IsIdentifier(string text, int start, int length)
    {
        if (length == 0 || !IsIdentifierStart(text[start]))
        {
            return false;
        }

        for (var i = start + 1; i < start + length; i++)
        {
            if (!IsIdentifierPart(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    // C#'s identifier characters (the spec's letter-character and identifier-part-character classes, as Roslyn's
    // SyntaxFacts has them; this file cannot use Roslyn, the runtime shares it), so that every agent class can be named in
    // {from:…}: letters and letter numbers (Nl) start a name; digits, connectors (Pc), combining marks (Mn, Mc) may follow.
    // Formatting characters (Cf) are left out: C# drops them from a name, so a slot holding one would not name the class.
    static bool IsIdentifierStart(char c) => c == '_' || char.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber => true,
        _ => false,
    };

    static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || char.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark => true,
        _ => false,
    };
}
