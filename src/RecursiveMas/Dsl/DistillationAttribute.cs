namespace RecursiveMas;

/// <summary>
/// The <b>distillation</b> pattern: a larger expert plans and sends its message to a smaller learner;
/// the learner's message goes back to the expert for the next round, and the learner decodes.
/// </summary>
/// <remarks>
/// Edges: forward expert → learner; loop-closing (feedback) learner → expert; decoder learner.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DistillationAttribute : Attribute
{
    /// <summary>Declares the expert and the learner.</summary>
    /// <param name="expert">The <c>[Agent]</c> type that guides.</param>
    /// <param name="learner">The <c>[Agent]</c> type that learns from the expert and decodes.</param>
    public DistillationAttribute(Type expert, Type learner)
    {
        Expert = expert;
        Learner = learner;
    }

    /// <summary>The agent that guides.</summary>
    public Type Expert { get; }

    /// <summary>The agent that follows the expert's guidance and decodes the answer.</summary>
    public Type Learner { get; }
}
