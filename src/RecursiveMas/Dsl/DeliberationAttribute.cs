namespace RecursiveMas;

/// <summary>
/// The <b>deliberation</b> pattern: a reflector thinks about the question and sends its message to a
/// tool caller; the tool caller's message goes back to the reflector for the next round, and in the
/// last round the tool caller decodes, calling tools as it writes.
/// </summary>
/// <remarks>
/// Edges: forward reflector → tool caller; loop-closing (feedback) tool caller → reflector; decoder
/// tool caller.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DeliberationAttribute : Attribute
{
    /// <summary>Declares the reflector and the tool caller.</summary>
    /// <param name="reflector">The <c>[Agent]</c> type that reflects.</param>
    /// <param name="toolCaller">The <c>[Agent]</c> type that acts with tools and decodes.</param>
    public DeliberationAttribute(Type reflector, Type toolCaller)
    {
        Reflector = reflector;
        ToolCaller = toolCaller;
    }

    /// <summary>The agent that reflects.</summary>
    public Type Reflector { get; }

    /// <summary>The agent that acts with tools and decodes the answer.</summary>
    public Type ToolCaller { get; }

    /// <summary>
    /// The local corpus the tool caller's <c>&lt;search&gt;</c> tool reads (the runtime's <c>toolCorpus</c>),
    /// relative to the model root given at load time, or absolute; null (the default) offers no search tool.
    /// One document per blank-line-separated block, its first line the title; or JSONL with
    /// <c>title</c> and <c>text</c> (see <c>CorpusSearchTool</c>).
    /// </summary>
    public string? SearchCorpus { get; set; }
}
