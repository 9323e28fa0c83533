namespace RecursiveMas;

/// <summary>
/// A prompt template of an <see cref="AgentAttribute">agent</see>: the text the agent reads before it
/// thinks, with slots where latent messages from other agents are inserted. Repeat the attribute to
/// give different prompts for the first round, later rounds and the final decode (see
/// <see cref="When"/>).
/// </summary>
/// <remarks>
/// <para>Placeholders, written exactly like this:</para>
/// <list type="table">
/// <item><term><c>{question}</c></term><description>the question being solved, as text.</description></item>
/// <item><term><c>{from:AgentClassName}</c></term><description>the latent message (m vectors) from that
/// agent, for example <c>{from:Planner}</c>. A prompt must have exactly one such slot for each agent
/// that sends this agent a message within a round.</description></item>
/// <item><term><c>{feedback}</c></term><description>the loop-closing message that arrives from the
/// previous round; only in prompts used in rounds 2 and later (<see cref="PromptUse.LaterRounds"/>) of
/// an agent that receives one.</description></item>
/// <item><term><c>{round}</c></term><description>the number of the round the prompt is read in (1, 2, …),
/// as text: the released prompts say "This is round 2." to later rounds.</description></item>
/// </list>
/// <para>
/// Every other character is literal, braces included: <c>"put the final answer in \boxed{}"</c> stays
/// as written. Write templates as verbatim or raw strings (<c>@"...\boxed{}..."</c>) so that the
/// backslash survives.
/// </para>
/// <code>
/// [Prompt(@"Refined plan: {from:Critic} Question: {question} Put the final answer in \boxed{}.")]
/// </code>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PromptAttribute : Attribute
{
    /// <summary>Declares a prompt template.</summary>
    /// <param name="template">The template text with <c>{question}</c>, <c>{from:Agent}</c>, <c>{feedback}</c> and <c>{round}</c> placeholders.</param>
    public PromptAttribute(string template) => Template = template;

    /// <summary>The template text.</summary>
    public string Template { get; }

    /// <summary>When the agent uses this prompt; <see cref="PromptUse.Always"/> by default.</summary>
    public PromptUse When { get; set; } = PromptUse.Always;
}
