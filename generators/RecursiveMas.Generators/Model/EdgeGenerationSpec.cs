namespace RecursiveMas.Generators.Model;

/// <summary>An outer link of the system with its static dims and the names the emitter gives it.</summary>
/// <param name="From">The sender's name.</param>
/// <param name="To">The receiver's name.</param>
/// <param name="FromType">The sender's <c>global::</c> type name (the first type argument of its typed messages).</param>
/// <param name="ToType">The receiver's <c>global::</c> type name.</param>
/// <param name="IsFeedback">Whether the edge closes the loop (its message is read in the next round through <c>{feedback}</c>).</param>
/// <param name="FromHiddenSize">d_from, the link's input width; 0 when unknown at compile time.</param>
/// <param name="ToHiddenSize">d_to, the link's output width; 0 when unknown at compile time.</param>
/// <param name="Property">The property of the typed link (<c>PlannerToCritic</c>).</param>
/// <param name="PropertyModifier">Its accessibility: <c>public</c>, or narrower where an agent type is (an <c>internal</c> agent).</param>
internal sealed record EdgeGenerationSpec(
    string From,
    string To,
    string FromType,
    string ToType,
    bool IsFeedback,
    int FromHiddenSize,
    int ToHiddenSize,
    string Property,
    string PropertyModifier = "public");

/// <summary>A <c>[Link]</c> of a custom graph as declared (SYSTEM.json keeps declared dims and repeats).</summary>
/// <param name="From">The sender's name.</param>
/// <param name="To">The receiver's name.</param>
/// <param name="FromHiddenSize">The declared input width; 0 when not declared.</param>
/// <param name="ToHiddenSize">The declared output width; 0 when not declared.</param>
internal sealed record DeclaredLinkSpec(string From, string To, int FromHiddenSize, int ToHiddenSize);
