namespace RecursiveMas;

/// <summary>
/// Names the agent of a custom <see cref="LinkAttribute"/> graph that decodes the answer as text at the
/// end of the last round. The built-in patterns name their decoder themselves, so this attribute is
/// only for custom graphs.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DecoderAttribute : Attribute
{
    /// <summary>Declares <paramref name="agent"/> as the decoder.</summary>
    /// <param name="agent">An <c>[Agent]</c> type that appears in the system's links.</param>
    public DecoderAttribute(Type agent) => Agent = agent;

    /// <summary>The decoding agent.</summary>
    public Type Agent { get; }
}
