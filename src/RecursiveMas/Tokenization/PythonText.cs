namespace RecursiveMas.Tokenization;

/// <summary>
/// Python's <c>str.strip()</c> family as Jinja's <c>trim</c> filter uses it. Python's idea of whitespace
/// differs from <see cref="char.IsWhiteSpace(char)"/> (it includes U+001C..U+001F), and the chat templates
/// must match Hugging Face's output byte for byte.
/// </summary>
internal static class PythonText
{
    public static bool IsWhiteSpace(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or ' ' => true,
        '\u001C' or '\u001D' or '\u001E' or '\u001F' or '\u0085' or '\u00A0' or '\u1680' => true,
        >= '\u2000' and <= '\u200A' => true,
        '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        _ => false,
    };

    /// <summary><c>s.strip()</c>.</summary>
    public static string Strip(string text)
    {
        var stripped = Strip(text.AsSpan());
        return stripped.Length == text.Length ? text : stripped.ToString();
    }

    /// <summary><c>s.strip()</c> as a part of <paramref name="text"/>, copying nothing.</summary>
    public static ReadOnlySpan<char> Strip(ReadOnlySpan<char> text)
    {
        int start = 0, end = text.Length;
        while (start < end && IsWhiteSpace(text[start]))
            start++;
        while (end > start && IsWhiteSpace(text[end - 1]))
            end--;
        return text[start..end];
    }

    /// <summary><c>s.split(separator)[0]</c>: the text before the first occurrence.</summary>
    public static string BeforeFirst(string text, string separator)
    {
        int index = text.IndexOf(separator, StringComparison.Ordinal);
        return index < 0 ? text : text[..index];
    }

    /// <summary><c>s.split(separator)[-1]</c>: the text after the last occurrence.</summary>
    public static string AfterLast(string text, string separator)
    {
        int index = text.LastIndexOf(separator, StringComparison.Ordinal);
        return index < 0 ? text : text[(index + separator.Length)..];
    }
}
