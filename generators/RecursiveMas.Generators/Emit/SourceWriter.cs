using System.Text;

namespace RecursiveMas.Generators.Emit;

/// <summary>
/// Builds C# source line by line with four-space indentation and <c>\n</c> line ends on every machine,
/// so the same spec always prints the same bytes.
/// </summary>
internal sealed class SourceWriter
{
    readonly StringBuilder text = new();
    int indentation;

    /// <summary>Writes one line at the current indentation (an empty line stays empty).</summary>
    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            text.Append(' ', indentation * 4).Append(line);
        }

        text.Append('\n');
        return this;
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public SourceWriter Open()
    {
        Line("{");
        indentation++;
        return this;
    }

    /// <summary>Unindents and writes <c>}</c> plus <paramref name="suffix"/>.</summary>
    public SourceWriter Close(string suffix = "")
    {
        // No blank line before a closing brace.
        if (text.Length >= 2 && text[text.Length - 1] == '\n' && text[text.Length - 2] == '\n')
        {
            text.Length--;
        }

        indentation--;
        return Line("}" + suffix);
    }

    /// <summary>Writes a <c>/// &lt;summary&gt;</c> doc comment (the text is XML-escaped).</summary>
    public SourceWriter Summary(string summary) => Line("/// <summary>" + Xml(summary) + "</summary>");

    /// <summary>Escapes text for an XML doc comment.</summary>
    public static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <inheritdoc/>
    public override string ToString() => text.ToString();
}
