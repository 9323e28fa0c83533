using System.Globalization;

namespace RecursiveMas.Tools;

/// <summary>
/// An arithmetic calculator: numbers, + − × ÷ % ^, parentheses, unary signs, the constants pi and e
/// and a fixed set of functions (sqrt, abs, min, max, round, floor, ceil, exp, ln, log, log10, log2,
/// sin, cos, tan, factorial). It is a hand-written parser over that grammar and nothing else: no
/// reflection, no dynamic compilation, no names outside the list, so a model cannot use it to read
/// files, start processes or reach .NET APIs. (The official Python tool runs arbitrary code in a
/// subprocess; an expression evaluator is the offline, safe equivalent our tasks need.)
/// </summary>
public sealed class CalculatorTool : ITool
{
    /// <summary>Inputs longer than this are refused.</summary>
    public const int MaxInputLength = 2000;

    const int MaxDepth = 64;

    public string Name => "calculator";

    public string Description => "<calculator>expression</calculator> evaluates arithmetic, e.g. <calculator>(17*23 + 4)/5</calculator>.";

    public string Invoke(string input)
    {
        try
        {
            return Format(Evaluate(input));
        }
        catch (CalculatorException e)
        {
            return "error: " + e.Message;
        }
    }

    /// <summary>Evaluates <paramref name="expression"/>; throws <see cref="CalculatorException"/> on anything else.</summary>
    public static double Evaluate(string expression)
    {
        if (expression.Length > MaxInputLength)
            throw new CalculatorException($"expression longer than {MaxInputLength} characters");
        var parser = new Parser(expression);
        double value = parser.ParseExpression(0);
        parser.SkipSpaces();
        if (!parser.AtEnd)
            throw new CalculatorException($"unexpected '{parser.Current}' at position {parser.Position + 1}");
        if (double.IsNaN(value) || double.IsInfinity(value))
            throw new CalculatorException("the result is not a finite number");
        return value;
    }

    /// <summary>Shortest round-trip text, integers without a decimal point.</summary>
    public static string Format(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);

    sealed class Parser(string text)
    {
        int _pos;

        public int Position => _pos;
        public bool AtEnd => _pos >= text.Length;
        public char Current => text[_pos];

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(Current))
                _pos++;
        }

        bool Accept(char c)
        {
            SkipSpaces();
            if (!AtEnd && Current == c)
            {
                _pos++;
                return true;
            }
            return false;
        }

        bool AcceptDoubleStar()
        {
            SkipSpaces();
            if (_pos + 1 < text.Length && text[_pos] == '*' && text[_pos + 1] == '*')
            {
                _pos += 2;
                return true;
            }
            return false;
        }

        // expression := term (('+' | '-') term)*
        public double ParseExpression(int depth)
        {
            if (depth > MaxDepth)
                throw new CalculatorException("expression nested too deeply");
            double value = ParseTerm(depth);
            while (true)
            {
                if (Accept('+'))
                    value += ParseTerm(depth);
                else if (Accept('-') || Accept('−'))
                    value -= ParseTerm(depth);
                else
                    return value;
            }
        }

        // term := power (('*' | '/' | '%' | '×' | '÷') power)*
        double ParseTerm(int depth)
        {
            double value = ParseUnary(depth);
            while (true)
            {
                if (Accept('*') || Accept('×'))
                    value *= ParseUnary(depth);
                else if (Accept('/') || Accept('÷'))
                {
                    double divisor = ParseUnary(depth);
                    if (divisor == 0)
                        throw new CalculatorException("division by zero");
                    value /= divisor;
                }
                else if (Accept('%'))
                {
                    double divisor = ParseUnary(depth);
                    if (divisor == 0)
                        throw new CalculatorException("modulo by zero");
                    value %= divisor;
                }
                else
                    return value;
            }
        }

        // unary := ('-' | '+') unary | power
        double ParseUnary(int depth)
        {
            if (Accept('-') || Accept('−'))
                return -ParseUnary(depth + 1);
            if (Accept('+'))
                return ParseUnary(depth + 1);
            return ParsePower(depth);
        }

        // power := postfix ('^' unary)?   (right-associative, binds tighter than unary minus on its left)
        double ParsePower(int depth)
        {
            double value = ParsePostfix(depth);
            if (Accept('^') || AcceptDoubleStar())
                value = Math.Pow(value, ParseUnary(depth + 1));
            return value;
        }

        // postfix := primary '!'*
        double ParsePostfix(int depth)
        {
            double value = ParsePrimary(depth);
            while (Accept('!'))
                value = Factorial(value);
            return value;
        }

        double ParsePrimary(int depth)
        {
            SkipSpaces();
            if (AtEnd)
                throw new CalculatorException("expression ends too early");
            if (Accept('('))
            {
                double inner = ParseExpression(depth + 1);
                if (!Accept(')'))
                    throw new CalculatorException("missing ')'");
                return inner;
            }
            if (char.IsDigit(Current) || Current == '.')
                return ParseNumber();
            if (char.IsLetter(Current))
                return ParseName(depth);
            throw new CalculatorException($"unexpected '{Current}' at position {_pos + 1}");
        }

        double ParseNumber()
        {
            int start = _pos;
            while (!AtEnd && (char.IsDigit(Current) || Current == '.' || Current == '_'))
                _pos++;
            if (!AtEnd && (Current == 'e' || Current == 'E') && _pos + 1 < text.Length
                && (char.IsDigit(text[_pos + 1]) || (text[_pos + 1] is '-' or '+' && _pos + 2 < text.Length && char.IsDigit(text[_pos + 2]))))
            {
                _pos += 2;
                while (!AtEnd && char.IsDigit(Current))
                    _pos++;
            }
            // No thousands commas: "max(1,234)" must stay two arguments.
            string literal = text[start.._pos].Replace("_", "", StringComparison.Ordinal);
            if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw new CalculatorException($"'{text[start.._pos]}' is not a number");
            return value;
        }

        double ParseName(int depth)
        {
            int start = _pos;
            while (!AtEnd && (char.IsLetterOrDigit(Current) || Current == '_'))
                _pos++;
            string raw = text[start.._pos];
            string name = raw.ToLowerInvariant();
            switch (name)
            {
                case "pi":
                    return Math.PI;
                case "e":
                    return Math.E;
            }
            if (!Accept('('))
                throw new CalculatorException($"unknown name '{raw}'");
            var args = new List<double>();
            if (!Accept(')'))
            {
                do
                    args.Add(ParseExpression(depth + 1));
                while (Accept(','));
                if (!Accept(')'))
                    throw new CalculatorException($"missing ')' after the arguments of {name}");
            }
            return Call(name, args);
        }

        static double Call(string name, List<double> a)
        {
            double One()
            {
                if (a.Count != 1)
                    throw new CalculatorException($"{name} takes one argument, got {a.Count}");
                return a[0];
            }
            return name switch
            {
                "sqrt" => One() < 0 ? throw new CalculatorException("sqrt of a negative number") : Math.Sqrt(a[0]),
                "abs" => Math.Abs(One()),
                "floor" => Math.Floor(One()),
                "ceil" => Math.Ceiling(One()),
                "exp" => Math.Exp(One()),
                "ln" => Math.Log(One()),
                "log" => a.Count == 2 ? Math.Log(a[0], a[1]) : Math.Log10(One()),
                "log10" => Math.Log10(One()),
                "log2" => Math.Log2(One()),
                "sin" => Math.Sin(One()),
                "cos" => Math.Cos(One()),
                "tan" => Math.Tan(One()),
                "factorial" => Factorial(One()),
                "round" => a.Count == 2 ? Math.Round(a[0], (int)a[1], MidpointRounding.AwayFromZero) : Math.Round(One(), MidpointRounding.AwayFromZero),
                "min" when a.Count > 0 => a.Min(),
                "max" when a.Count > 0 => a.Max(),
                _ => throw new CalculatorException($"unknown function '{name}'"),
            };
        }

        static double Factorial(double n)
        {
            if (n < 0 || n != Math.Floor(n) || n > 170)
                throw new CalculatorException("factorial needs an integer from 0 to 170");
            double r = 1;
            for (int i = 2; i <= n; i++)
                r *= i;
            return r;
        }
    }
}

/// <summary>The calculator could not evaluate its input; the message says why.</summary>
public sealed class CalculatorException(string message) : Exception(message);
