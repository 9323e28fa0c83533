namespace RecursiveMas;

/// <summary>
/// The <b>mixture</b> pattern (the paper's math, code and science specialists with a summarizer): the
/// experts think in parallel and each sends its message to the summarizer; the summarizer's message
/// goes back to every expert for the next round, and the summarizer decodes the answer.
/// </summary>
/// <remarks>
/// Edges for summarizer S and experts E1 … Ek: forward Ei → S; loop-closing (feedback) S → Ei for each
/// i; decoder S. So S's prompts need one <c>{from:Ei}</c> per expert, and each expert's later-rounds
/// prompt needs <c>{feedback}</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class MixtureAttribute : Attribute
{
    /// <summary>Declares the summarizer and its experts (at least two).</summary>
    /// <param name="summarizer">The <c>[Agent]</c> type that reads every expert and decodes.</param>
    /// <param name="experts">The expert <c>[Agent]</c> types, which run in parallel.</param>
    public MixtureAttribute(Type summarizer, params Type[] experts)
    {
        Summarizer = summarizer;
        Experts = experts;
    }

    /// <summary>The agent that reads every expert and decodes the answer.</summary>
    public Type Summarizer { get; }

    /// <summary>The expert agents.</summary>
    public Type[] Experts { get; }
}
