namespace RecursiveMas.Tools;

/// <summary>
/// A tool the Deliberation pattern's tool-caller may call while it decodes its final answer
/// (PAPER §7.5): the model writes <c>&lt;name&gt;input&lt;/name&gt;</c>, decoding stops at the closing
/// tag, the tool's output is appended as <c>&lt;result&gt;…&lt;/result&gt;</c>, and decoding resumes.
/// Tools never throw for bad input: the model sees the error text as the result.
/// </summary>
public interface ITool
{
    /// <summary>The tag the model writes, e.g. "calculator".</summary>
    string Name { get; }

    /// <summary>One line the system prompt uses to describe the tool to the model.</summary>
    string Description { get; }

    /// <summary>Runs the tool on the text between the tags.</summary>
    string Invoke(string input);
}
