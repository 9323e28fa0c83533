using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace RecursiveMas.Dsl;

/// <summary>
/// Reads the few fields of a Hugging Face <c>config.json</c> that compile-time checks need
/// (<c>hidden_size</c>, <c>model_type</c>, <c>vocab_size</c>, where the runtime reads them, and refusing the files it refuses for their <c>model_type</c>), without System.Text.Json: analyzers and
/// generators must not carry package dependencies into the compiler (they fail to load).
/// </summary>
/// <remarks>
/// The reader is strict about JSON syntax (a truncated or malformed file is reported, not guessed at)
/// and tolerant about content: unknown fields are skipped whatever their value. The hidden size is the one
/// the runtime loads (<see cref="TextModelRules"/>): a multimodal wrapper's (Gemma 3, Qwen3.5)
/// <c>text_config.hidden_size</c>, whatever its top level says, else the top-level <c>hidden_size</c>; a family's
/// default where the file leaves it out or null. Other names (GPT-2's <c>n_embd</c>, <c>d_model</c>) are not
/// read: the runtime does not read them either.
/// </remarks>
internal static class ConfigJsonReader
{
    /// <summary>Reads <paramref name="json"/>, the content of the file at <paramref name="path"/>.</summary>
    public static ConfigJsonFacts Read(string path, string json)
    {
        var parser = new Parser(json);
        Dictionary<string, object?> root;
        try
        {
            parser.SkipWhitespace();
            if (parser.Peek() != '{')
            {
                return ConfigJsonFacts.Invalid(path, "the file is not a JSON object");
            }

            root = parser.ReadObject(depth: 0);
            parser.SkipWhitespace();
            if (!parser.AtEnd)
            {
                return ConfigJsonFacts.Invalid(path, $"unexpected text after the JSON object at offset {parser.Position}");
            }
        }
        catch (JsonSyntaxException e)
        {
            return ConfigJsonFacts.Invalid(path, e.Message);
        }

        // The runtime reads the architecture from model_type alone and refuses a file without one (or with one it does not
        // load, below) before it reads any size: a hidden_size beside it was read and checked as if the model would load.
        root.TryGetValue("model_type", out var type);
        if (type is not string wrapperType)
        {
            return ConfigJsonFacts.Invalid(path, type is not null ? $"its model_type is {Describe(type)}, not a string"
                : root.ContainsKey("model_type") ? "its model_type is null, not the name of an architecture"
                : "it has no model_type field, which the runtime requires");
        }

        // The language model's fields, where the runtime's ModelConfig reads them (TextModelRules): a multimodal
        // wrapper's text_config, whatever sizes its top level holds beside it; else the top level.
        var text = root;
        var prefix = "";
        var textType = wrapperType;
        if (TextModelRules.IsMultimodalWrapper(wrapperType))
        {
            if (!root.TryGetValue("text_config", out var nested) || nested is not Dictionary<string, object?> textConfig)
            {
                return ConfigJsonFacts.Invalid(path, $"a multimodal \"{wrapperType}\" config.json needs a text_config object");
            }

            (text, prefix) = (textConfig, "text_config.");
            textConfig.TryGetValue("model_type", out var nestedType);
            if (nestedType is not null and not string)
            {
                return ConfigJsonFacts.Invalid(path, $"its text_config.model_type is {Describe(nestedType)}, not a string");
            }

            textType = TextModelRules.TextModelType(wrapperType, nestedType as string);
        }

        if (TextModelRules.WhyUnsupported(textType) is { } unsupported)
        {
            return ConfigJsonFacts.Invalid(path, unsupported);
        }

        // A null hidden_size is no hidden_size, as the runtime reads it.
        text.TryGetValue("hidden_size", out var hidden);
        long size;
        if (hidden is null)
        {
            if (TextModelRules.DefaultHiddenSize(textType) is not { } defaultSize)
            {
                return ConfigJsonFacts.Invalid(path, text.ContainsKey("hidden_size")
                    ? $"its {prefix}hidden_size is null, not a positive integer"
                    : $"it has no {prefix}hidden_size field");
            }

            size = defaultSize;
        }
        else if (!Whole(hidden, out size) || size <= 0)
        {
            return ConfigJsonFacts.Invalid(path, $"its {prefix}hidden_size is {Describe(hidden)}, not a positive integer");
        }
        else if (size > TextModelRules.MaxHiddenSize)
        {
            return ConfigJsonFacts.Invalid(path, $"its {prefix}hidden_size is {size}, more than the {TextModelRules.MaxHiddenSize} the runtime accepts");
        }

        var vocab = text.TryGetValue("vocab_size", out var v) && Whole(v, out var vocabSize) && vocabSize is > 0 and <= int.MaxValue ? (int)vocabSize : 0;
        return new ConfigJsonFacts(ConfigJsonStatus.Valid, path, (int)size, wrapperType, vocab, null);
    }

    /// <summary>
    /// The value of an integer field: an integer, or a number with a fraction or an exponent whose value is whole, as
    /// some exporters write sizes (<c>64.0</c> is 64; <c>64.5</c> is no integer). The runtime's <c>ModelConfig</c> reads
    /// integer fields by the same rule.
    /// </summary>
    static bool Whole(object? value, out long whole)
    {
        switch (value)
        {
            case long integer:
                whole = integer;
                return true;
            case double number when number == System.Math.Floor(number) && number >= long.MinValue && number < long.MaxValue:
                whole = (long)number;
                return true;
            default:
                whole = 0;
                return false;
        }
    }

    static string Describe(object? value) => value switch
    {
        null => "null",
        string s => "the string \"" + s + "\"",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        Dictionary<string, object?> => "an object",
        _ => "an array",
    };

    sealed class JsonSyntaxException(string message) : System.Exception(message);

    // Values: objects as dictionaries (only down to the depth needed), strings, longs for integers,
    // doubles for other numbers, bools, null; arrays and deeper objects are skipped and read as a marker.
    sealed class Parser(string text)
    {
        const int KeptDepth = 1;
        static readonly object SkippedArray = new();

        int position;

        public int Position => position;

        public bool AtEnd => position >= text.Length;

        public char Peek() => position < text.Length ? text[position] : '\0';

        public void SkipWhitespace()
        {
            while (position < text.Length && text[position] is ' ' or '\t' or '\r' or '\n')
            {
                position++;
            }
        }

        public Dictionary<string, object?> ReadObject(int depth)
        {
            Expect('{');
            var result = new Dictionary<string, object?>(System.StringComparer.Ordinal);
            SkipWhitespace();
            if (Peek() == '}')
            {
                position++;
                return result;
            }

            while (true)
            {
                SkipWhitespace();
                var key = ReadString();
                SkipWhitespace();
                Expect(':');
                var value = ReadValue(depth + 1);
                result[key] = value;
                SkipWhitespace();
                if (Peek() == ',')
                {
                    position++;
                    continue;
                }

                Expect('}');
                return result;
            }
        }

        object? ReadValue(int depth)
        {
            SkipWhitespace();
            if (depth > 64)
            {
                throw Error("nesting is too deep");
            }

            switch (Peek())
            {
                case '{':
                    var obj = ReadObject(depth);
                    return depth <= KeptDepth ? obj : null;
                case '[':
                    ReadArray(depth);
                    return SkippedArray;
                case '"':
                    return ReadString();
                case 't':
                    ExpectWord("true");
                    return true;
                case 'f':
                    ExpectWord("false");
                    return false;
                case 'n':
                    ExpectWord("null");
                    return null;
                default:
                    return ReadNumber();
            }
        }

        void ReadArray(int depth)
        {
            Expect('[');
            SkipWhitespace();
            if (Peek() == ']')
            {
                position++;
                return;
            }

            while (true)
            {
                ReadValue(depth + 1);
                SkipWhitespace();
                if (Peek() == ',')
                {
                    position++;
                    continue;
                }

                Expect(']');
                return;
            }
        }

        string ReadString()
        {
            Expect('"');
            var builder = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("a string is not closed");
                }

                var c = text[position++];
                if (c == '"')
                {
                    return builder.ToString();
                }

                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }

                var escape = AtEnd ? '\0' : text[position++];
                switch (escape)
                {
                    case '"':
                        builder.Append('"');
                        break;
                    case '\\':
                        builder.Append('\\');
                        break;
                    case '/':
                        builder.Append('/');
                        break;
                    case 'b':
                        builder.Append('\b');
                        break;
                    case 'f':
                        builder.Append('\f');
                        break;
                    case 'n':
                        builder.Append('\n');
                        break;
                    case 'r':
                        builder.Append('\r');
                        break;
                    case 't':
                        builder.Append('\t');
                        break;
                    case 'u' when position + 4 <= text.Length
                        && int.TryParse(text.Substring(position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                        builder.Append((char)code);
                        position += 4;
                        break;
                    default:
                        throw Error("a string has an invalid escape");
                }
            }
        }

        object ReadNumber()
        {
            var start = position;
            if (Peek() == '-')
            {
                position++;
            }

            var isInteger = true;
            while (!AtEnd && (char.IsDigit(text[position]) || text[position] is '.' or 'e' or 'E' or '+' or '-'))
            {
                isInteger &= char.IsDigit(text[position]);
                position++;
            }

            var token = text.Substring(start, position - start);
            if (isInteger && long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return integer;
            }

            if (token.Length > 0 && double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }

            throw Error("a value is not valid JSON");
        }

        void Expect(char c)
        {
            SkipWhitespace();
            if (Peek() != c)
            {
                throw Error(AtEnd ? $"the file ends where '{c}' was expected" : $"'{c}' was expected");
            }

            position++;
        }

        void ExpectWord(string word)
        {
            if (string.CompareOrdinal(text, position, word, 0, word.Length) != 0)
            {
                throw Error("a value is not valid JSON");
            }

            position += word.Length;
        }

        JsonSyntaxException Error(string what) =>
            new($"it is not valid JSON: {what} (offset {position})");
    }
}
