namespace RecursiveMas.Tokenization;

/// <summary>
/// A piece of a rendered prompt: either text to tokenize or a named slot where the caller splices
/// vectors (e.g. latent thoughts) instead of token embeddings. See <see cref="ChatTemplate.RenderSegments"/>.
/// </summary>
/// <param name="Text">The text; empty for a slot.</param>
/// <param name="SlotName">The slot's name, or null for text.</param>
public sealed record PromptSegment(string Text, string? SlotName)
{
    /// <summary>Whether this segment is a slot rather than text.</summary>
    public bool IsSlot => SlotName is not null;

    public static PromptSegment OfText(string text) => new(text, null);

    public static PromptSegment OfSlot(string name) => new("", name);
}
