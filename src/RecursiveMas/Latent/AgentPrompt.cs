using RecursiveMas.Dsl;
using RecursiveMas.Tokenization;
using ChatSegment = RecursiveMas.Tokenization.PromptSegment;

namespace RecursiveMas.Latent;

/// <summary>
/// One prompt template of one agent (e.g. the Critic's round prompt), bound to that agent's chat
/// format. Placeholders are the DSL's: <c>{question}</c>, <c>{from:Agent}</c> (a latent message from
/// that agent), <c>{feedback}</c> (the loop-closing message) and <c>{round}</c> (the 1-based round
/// number, filled by <see cref="ForRound"/>: the released prompts tell later rounds which round they
/// are); all other text is literal, braces included. Rendering puts the question text in place and turns the message placeholders into slots
/// of the chat-formatted prompt, where <see cref="PromptAssembler"/> splices the vectors.
/// </summary>
public sealed class AgentPrompt
{
    /// <summary>The slot name of the message from <paramref name="agent"/>.</summary>
    public static string FromSlot(string agent) => "from." + agent;

    /// <summary>The slot name of the loop-closing message.</summary>
    public const string FeedbackSlot = "feedback";

    const string SlotMarkerStart = "<<SLOT:";

    /// <summary>The placeholder <see cref="ForRound"/> fills with the round number.</summary>
    public const string RoundPlaceholder = "{round}";

    // One instance per round, so a prompt's identity (batching keys, prefix caches) is stable per round.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, AgentPrompt> _rounds = new();

    private readonly PromptTemplate _template;

    public AgentPrompt(string template, ChatTemplate chat, string? systemPrompt = null, bool enableThinking = false)
    {
        Template = template;
        _template = PromptTemplate.Parse(template);
        _questionHead = new Lazy<string?>(FindQuestionHead);
        Chat = chat;
        SystemPrompt = systemPrompt;
        EnableThinking = enableThinking;
    }

    /// <summary>The template as written.</summary>
    public string Template { get; }

    /// <summary>The agent's chat format.</summary>
    public ChatTemplate Chat { get; }

    /// <summary>A system message; null keeps the chat format's default.</summary>
    public string? SystemPrompt { get; }

    /// <summary>Qwen3 thinking mode; RecursiveMAS renders with it off, as the released code does.</summary>
    public bool EnableThinking { get; }

    /// <summary>
    /// This prompt as it reads in <paramref name="round"/> (1-based): <c>{round}</c> replaced by the number.
    /// A prompt without the placeholder is returned as it is, so calling this again changes nothing.
    /// </summary>
    public AgentPrompt ForRound(int round)
    {
        if (!Template.Contains(RoundPlaceholder, StringComparison.Ordinal))
            return this;
        if (round < 1)
            throw new ArgumentOutOfRangeException(nameof(round), round, "rounds count from 1");
        return _rounds.GetOrAdd(round, r => new AgentPrompt(
            Template.Replace(RoundPlaceholder, r.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
            Chat, SystemPrompt, EnableThinking));
    }

    /// <summary>Names of the slots this prompt has, distinct, in order of first appearance (e.g. "from.Planner", "feedback").</summary>
    public IReadOnlyList<string> Slots => [.. SlotUses.Distinct()];

    /// <summary>Whether the template has a <c>{question}</c>: the question is written into the prompt.</summary>
    public bool ReadsQuestion => _template.Parts.Any(p => p.Kind == TemplatePartKind.Question);

    /// <summary>The slot of each message placeholder in template order, repeats kept: what a rendered prompt's slot segments are.</summary>
    public IEnumerable<string> SlotUses => _template.Parts.Where(s => s.Kind is TemplatePartKind.From or TemplatePartKind.Feedback)
        .Select(s => s.Kind == TemplatePartKind.Feedback ? FeedbackSlot : FromSlot(s.Value));

    /// <summary>Whether <paramref name="text"/> holds the reserved start of a slot marker ("&lt;&lt;SLOT:"), which a question may not.</summary>
    public static bool HasSlotMarker(string text) => text.Contains(SlotMarkerStart, StringComparison.Ordinal);

    /// <summary>
    /// Messages given positionally, one per entry of <see cref="Slots"/>, keyed by slot name — the form
    /// generated code passes to <see cref="Systems.SystemAgent.Think"/> and <see cref="Systems.SystemAgent.Decode"/>.
    /// </summary>
    public IReadOnlyDictionary<string, TorchSharp.torch.Tensor> BySlot(params TorchSharp.torch.Tensor[] messages)
    {
        var slots = Slots;
        if (slots.Count != messages.Length)
            throw new ArgumentException($"the prompt has {slots.Count} slot(s) ({string.Join(", ", slots)}) but {messages.Length} message(s) were given", nameof(messages));
        return slots.Select((slot, i) => (slot, messages[i])).ToDictionary(p => p.slot, p => p.Item2);
    }

    /// <summary>
    /// The same prompt with every message placeholder removed: what the agent reads when it works alone
    /// (the "each agent alone" baseline).
    /// </summary>
    public AgentPrompt WithoutMessages() => new(
        string.Concat(_template.Parts.Select(s => s.Kind switch
        {
            TemplatePartKind.Text => s.Value,
            TemplatePartKind.Question => "{question}",
            _ => "",
        })),
        Chat, SystemPrompt, EnableThinking);

    /// <summary>The user turn with the question filled in and each message placeholder replaced by <paramref name="message"/>(slot).</summary>
    public string UserText(string question, Func<string, string> message)
    {
        if (HasSlotMarker(question))
            throw new ArgumentException($"the question contains the reserved marker \"{SlotMarkerStart}\"", nameof(question));
        var text = new System.Text.StringBuilder();
        foreach (var segment in _template.Parts)
        {
            text.Append(segment.Kind switch
            {
                TemplatePartKind.Text => segment.Value,
                TemplatePartKind.Question => question,
                TemplatePartKind.From => message(FromSlot(segment.Value)),
                TemplatePartKind.Feedback => message(FeedbackSlot),
                _ => throw new InvalidOperationException($"unknown prompt segment {segment.Kind}"),
            });
        }
        return text.ToString();
    }

    /// <summary>
    /// The chat-formatted text before the question — the same for every question — where the question comes
    /// before the first message slot (or the prompt has none); null where it comes after a slot (the text before the
    /// slot is then the same for every question already) or the template has no <c>{question}</c>.
    /// </summary>
    public string? QuestionHead => _questionHead.Value;

    private readonly Lazy<string?> _questionHead;

    string? FindQuestionHead()
    {
        if (!ReadsQuestion)
            return null;
        // A private-use character no chat format writes: where it lands is where the question starts.
        const string Marker = "\uE000";
        string rendered = RenderText(UserText(Marker, ChatTemplate.Slot), null);
        int question = rendered.IndexOf(Marker, StringComparison.Ordinal);
        int slot = rendered.IndexOf(SlotMarkerStart, StringComparison.Ordinal);
        return question <= 0 || (slot >= 0 && slot < question) ? null : rendered[..question];
    }

    /// <summary>The chat-formatted prompt for <paramref name="question"/>, cut into text and slot segments.</summary>
    public IReadOnlyList<ChatSegment> Render(string question, string? assistantPrefix = null) =>
        ChatTemplate.SplitSlots(RenderText(UserText(question, ChatTemplate.Slot), assistantPrefix));

    /// <summary>The chat-formatted prompt with every message placeholder replaced by text (the text baseline).</summary>
    public string RenderWithText(string question, Func<string, string> messageText, string? assistantPrefix = null) =>
        RenderText(UserText(question, messageText), assistantPrefix);

    string RenderText(string user, string? assistantPrefix)
    {
        var messages = new List<ChatMessage>(2);
        if (SystemPrompt is not null)
            messages.Add(ChatMessage.FromSystem(SystemPrompt));
        messages.Add(ChatMessage.FromUser(user));
        // The generation prompt opens the assistant turn; text already generated continues it.
        return Chat.Render(messages, addGenerationPrompt: true, EnableThinking) + (assistantPrefix ?? "");
    }
}
