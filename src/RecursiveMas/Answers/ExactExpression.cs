using System.Globalization;
using System.Numerics;

namespace RecursiveMas.Answers;

/// <summary>
/// Evaluates a small LaTeX arithmetic language exactly into an <see cref="ExactValue"/>: integers and decimals,
/// <c>+ - * / \cdot \times \div</c>, implicit multiplication (<c>2\sqrt{3}</c>, <c>3\pi</c>, <c>(1+\sqrt2)(1-\sqrt2)</c>),
/// <c>^</c> with integer exponents (or <c>^{1/2}</c>, a square root), <c>\frac{a}{b}</c> and <c>\frac12</c>
/// (also <c>\dfrac</c>, <c>\tfrac</c>), <c>\sqrt{x}</c> and <c>\sqrt2</c>, parentheses and braces, and
/// <c>\pi</c> as a symbol. It is not a CAS: anything else (variables, functions, <c>\sqrt[3]{}</c>, a number
/// written right before <c>\frac</c>, which could be a mixed number) is "not evaluable" and the checker
/// falls back to comparing strings.
/// </summary>
public static class ExactExpression
{
    /// <summary>Inputs longer than this are not evaluated.</summary>
    public const int MaxLength = 400;

    /// <summary>The exact value of <paramref name="latex"/>, or null when it is outside the language or not exact.</summary>
    public static ExactValue? TryEvaluate(string latex)
    {
        if (latex.Length == 0 || latex.Length > MaxLength)
            return null;
        var parser = new Parser(latex);
        var value = parser.Expression(0);
        parser.SkipSpaces();
        return parser.AtEnd ? value : null;
    }

    sealed class Parser(string text)
    {
        const int MaxDepth = 32;
        int _i;

        public bool AtEnd => _i >= text.Length;

        public void SkipSpaces()
        {
            while (_i < text.Length && (char.IsWhiteSpace(text[_i]) || Peek("\\,") || Peek("\\!") || Peek("\\;") || Peek("\\ ")))
                _i += char.IsWhiteSpace(text[_i]) ? 1 : 2;
            foreach (var ignored in new[] { "\\left", "\\right", "\\displaystyle" })
            {
                if (Peek(ignored))
                {
                    _i += ignored.Length;
                    SkipSpaces();
                    return;
                }
            }
        }

        bool Peek(string s) => string.CompareOrdinal(text, _i, s, 0, s.Length) == 0;

        /// <summary>A command name such as "\frac" at the cursor (not a prefix of a longer name).</summary>
        bool PeekCommand(string name) => Peek(name) && (_i + name.Length >= text.Length || !char.IsLetter(text[_i + name.Length]));

        bool Accept(string s)
        {
            SkipSpaces();
            if (s.StartsWith('\\') ? !PeekCommand(s) : !Peek(s))
                return false;
            _i += s.Length;
            return true;
        }

        // expression := term (('+' | '-') term)*
        public ExactValue? Expression(int depth)
        {
            if (depth > MaxDepth)
                return null;
            var value = Term(depth);
            while (value is not null)
            {
                if (Accept("+"))
                    value = Term(depth) is { } t ? ExactValue.Add(value, t) : null;
                else if (Accept("-"))
                    value = Term(depth) is { } t ? ExactValue.Subtract(value, t) : null;
                else
                    break;
            }
            return value;
        }

        // term := unary (('*' | '\cdot' | '\times' | '/' | '\div') unary | power)*   — juxtaposition multiplies
        ExactValue? Term(int depth)
        {
            var value = Unary(depth);
            while (value is not null)
            {
                if (Accept("*") || Accept("\\cdot") || Accept("\\times"))
                    value = Unary(depth) is { } f ? ExactValue.Multiply(value, f) : null;
                else if (Accept("/") || Accept("\\div") || Accept("÷"))
                    value = Unary(depth) is { } d ? ExactValue.Divide(value, d) : null;
                else if (StartsAtom())
                {
                    // "2\frac{1}{2}" may mean the mixed number 2½: ambiguous, so not evaluable.
                    if (PeekCommand("\\frac") || PeekCommand("\\dfrac") || PeekCommand("\\tfrac"))
                    {
                        if (_i > 0 && char.IsDigit(text[_i - 1]))
                            return null;
                    }
                    value = Power(depth) is { } f ? ExactValue.Multiply(value, f) : null;
                }
                else
                    break;
            }
            return value;
        }

        bool StartsAtom()
        {
            SkipSpaces();
            if (AtEnd)
                return false;
            char c = text[_i];
            return char.IsDigit(c) || c is '(' or '{' or '.' or 'π'
                || PeekCommand("\\frac") || PeekCommand("\\dfrac") || PeekCommand("\\tfrac") || PeekCommand("\\sqrt") || PeekCommand("\\pi");
        }

        // unary := ('-' | '+') unary | power
        ExactValue? Unary(int depth)
        {
            if (depth > MaxDepth)
                return null;
            if (Accept("-"))
                return Unary(depth + 1) is { } v ? ExactValue.Negate(v) : null;
            if (Accept("+"))
                return Unary(depth + 1);
            return Power(depth);
        }

        // power := atom ('^' exponent)?   — right-associative through the exponent's own power
        ExactValue? Power(int depth)
        {
            var b = Atom(depth);
            if (b is null || !Accept("^"))
                return b;
            var exponent = Exponent(depth + 1)?.AsRational;
            if (exponent is not Rational e)
                return null;
            if (e.Denominator.IsOne)
                return e.Numerator > 1000 || e.Numerator < -1000 ? null : ExactValue.Power(b, (int)e.Numerator);
            if (e.Denominator == 2 && e.Numerator > 0 && e.Numerator <= 1000)
                return ExactValue.Sqrt(b) is { } root ? ExactValue.Power(root, (int)e.Numerator) : null;
            return null;
        }

        ExactValue? Exponent(int depth)
        {
            SkipSpaces();
            if (AtEnd)
                return null;
            if (text[_i] == '{')
                return Atom(depth);
            if (Accept("-"))
                return Exponent(depth + 1) is { } v ? ExactValue.Negate(v) : null;
            if (char.IsDigit(text[_i]))
            {
                // TeX reads "2^10" as 2^1 followed by 0; a writer almost surely meant 2^{10}: not evaluable.
                return _i + 1 < text.Length && char.IsDigit(text[_i + 1]) ? null : Digit();
            }
            return Power(depth);
        }

        ExactValue? Atom(int depth)
        {
            SkipSpaces();
            if (AtEnd || depth > MaxDepth)
                return null;
            char c = text[_i];
            if (char.IsDigit(c) || c == '.')
                return Number();
            if (c is '(' or '{')
            {
                char close = c == '(' ? ')' : '}';
                _i++;
                var inner = Expression(depth + 1);
                return inner is not null && Accept(close.ToString()) ? inner : null;
            }
            if (c == 'π')
            { _i++; return ExactValue.Pi; }
            if (Accept("\\pi"))
                return ExactValue.Pi;
            if (Accept("\\frac") || Accept("\\dfrac") || Accept("\\tfrac"))
            {
                var numerator = Argument(depth + 1);
                var denominator = numerator is null ? null : Argument(depth + 1);
                return denominator is null ? null : ExactValue.Divide(numerator!, denominator);
            }
            if (Accept("\\sqrt"))
            {
                SkipSpaces();
                if (!AtEnd && text[_i] == '[')
                    return null;           // n-th roots are outside the language
                return Argument(depth + 1) is { } radicand ? ExactValue.Sqrt(radicand) : null;
            }
            return null;
        }

        /// <summary>A TeX argument: a braced group, or a single digit / command ("\frac12", "\sqrt2", "\frac\pi2").</summary>
        ExactValue? Argument(int depth)
        {
            SkipSpaces();
            if (AtEnd)
                return null;
            if (text[_i] == '{')
                return Atom(depth);
            if (char.IsDigit(text[_i]))
                return Digit();
            if (Accept("\\pi"))
                return ExactValue.Pi;
            return null;
        }

        ExactValue Digit() => ExactValue.Of(new Rational(text[_i++] - '0'));

        ExactValue? Number()
        {
            int start = _i;
            while (_i < text.Length && char.IsDigit(text[_i]))
                _i++;
            string whole = text[start.._i], fraction = "";
            if (_i < text.Length && text[_i] == '.')
            {
                int dot = ++_i;
                while (_i < text.Length && char.IsDigit(text[_i]))
                    _i++;
                fraction = text[dot.._i];
            }
            if (whole.Length + fraction.Length == 0 || whole.Length + fraction.Length > 300)
                return null;
            var digits = BigInteger.Parse(whole + fraction == "" ? "0" : whole + fraction, NumberStyles.None, CultureInfo.InvariantCulture);
            return ExactValue.Of(new Rational(digits, BigInteger.Pow(10, fraction.Length)));
        }
    }
}
