namespace RecursiveMas.Tokenization;

/// <summary>One turn of a conversation for <see cref="ChatTemplate.Render"/>.</summary>
/// <param name="Role">"system", "user" or "assistant".</param>
/// <param name="Content">The text of the turn, which may hold slot markers (<see cref="ChatTemplate.Slot"/>).</param>
public sealed record ChatMessage(string Role, string Content)
{
    public const string System = "system";
    public const string User = "user";
    public const string Assistant = "assistant";

    public static ChatMessage FromSystem(string content) => new(System, content);

    public static ChatMessage FromUser(string content) => new(User, content);

    public static ChatMessage FromAssistant(string content) => new(Assistant, content);
}
