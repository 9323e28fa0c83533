using System.Collections.Generic;
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
    /// <summary>
    /// A member's head and parameter list: on one line when it fits in <see cref="SignatureWidth"/>
    /// columns, else one parameter per line, indented once more than the head.
    /// </summary>
    public SourceWriter Signature(string head, IReadOnlyList<string> parameters, string tail = "")
    {
        var oneLine = head + "(" + string.Join(", ", parameters) + ")" + tail;
        if (indentation * 4 + oneLine.Length <= SignatureWidth || parameters.Count == 0)
        {
            return Line(oneLine);
        }

        Line(head + "(");
        indentation++;
        for (var i = 0; i < parameters.Count; i++)
        {
            Line(parameters[i] + (i < parameters.Count - 1 ? "," : ")" + tail));
        }

        indentation--;
        return this;
    }

    /// <summary>The widest signature written on one line (columns, indentation included).</summary>
    public const int SignatureWidth = 120;

    public SourceWriter Summary(string summary) => Line("/// <summary>" + Xml(summary) + "</summary>");

    /// <summary>Escapes text for an XML doc comment.</summary>
    public static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <inheritdoc/>
    public override string ToString() => text.ToString();
}
