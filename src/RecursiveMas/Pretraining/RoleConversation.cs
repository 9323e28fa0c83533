namespace RecursiveMas.Pretraining;

/// <summary>
/// One training conversation of an agent: <see cref="Prompt"/> is the chat-formatted prompt exactly as the
/// runtime renders it (generation prompt included), <see cref="Target"/> the assistant text the agent
/// should write, end-of-turn token included. Loss is taken on the target only.
/// </summary>
public sealed record RoleConversation(string Prompt, string Target);
