using System.Text;
using System.Text.RegularExpressions;

namespace RecursiveMas.Tokenization;

/// <summary>
/// Renders a conversation into the exact prompt string the model's official Hugging Face Jinja
/// template produces for plain text messages (no tools, no images), without a Jinja engine.
/// </summary>
/// <remarks>
/// <para>Reproduced templates, character for character:</para>
/// <list type="bullet">
/// <item><see cref="ChatTemplateKind.ChatMl"/>: Qwen2.5-Instruct (and Qwen2-Instruct, which differs only in
/// its default system message; <see cref="Detect"/> picks the one the template text holds).</item>
/// <item><see cref="ChatTemplateKind.Qwen3"/>: Qwen3, including how earlier assistant turns lose their
/// &lt;think&gt; block and the empty think block that <c>enable_thinking=False</c> adds.</item>
/// <item><see cref="ChatTemplateKind.Llama3"/>: Llama-3.2-Instruct (1B/3B), whose system block always
/// states "Cutting Knowledge Date: December 2023" and "Today Date: ...". Llama 3.1 writes the same text.
/// The date is <see cref="LlamaDateString"/>, by default "26 Jul 2024": the template's own fallback and
/// Llama 3.1's fixed value; recent transformers versions pass today's date into the 3.2 template instead,
/// which would make prompts change from day to day. With <see cref="LlamaDateHeader"/> false it renders the
/// original Llama-3-Instruct template, which has no system block.</item>
/// <item><see cref="ChatTemplateKind.Mistral"/>: Mistral-7B-Instruct-v0.3: "[INST] " + user + "[/INST]",
/// " " + assistant.strip() + "&lt;/s&gt;", roles must alternate, and a system message is prepended to the
/// <em>last</em> user message only (and dropped when the conversation ends with an assistant turn, as the
/// official template does). The template has no generation prompt: "[/INST]" is the cue to answer.</item>
/// <item><see cref="ChatTemplateKind.Gemma"/>: Gemma 3 instruct: BOS, then per turn "&lt;start_of_turn&gt;" + role
/// ("model" for the assistant) + "\n" + content.strip() + "&lt;end_of_turn&gt;\n"; a system message's text
/// and "\n\n" open the first user turn; roles must alternate; "&lt;start_of_turn&gt;model\n" is the prompt.</item>
/// <item><see cref="ChatTemplateKind.Plain"/>: "role: content" lines and "assistant:" as the prompt, for
/// tiny models whose vocabulary has no chat tokens.</item>
/// </list>
/// <para>BOS: the Llama 3 and Mistral renderings start with the BOS text (<see cref="BosToken"/>), which
/// <see cref="ModelTokenizer.Encode"/> maps to the BOS id; encode them with <c>addBos: false</c> (Encode
/// also refuses to add a second BOS in front of one).</para>
/// <para>Slots: a caller may put <see cref="Slot"/> markers ("&lt;&lt;SLOT:name&gt;&gt;") into message
/// contents; no template alters them (the only edits are trimming whitespace at the ends of a content and
/// Qwen3's moving of think blocks), and <see cref="RenderSegments"/> cuts the rendered prompt at them.</para>
/// </remarks>
public sealed partial class ChatTemplate
{
    /// <summary>Qwen2.5-Instruct's default system message.</summary>
    public const string QwenDefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    /// <summary>Qwen2-Instruct's default system message.</summary>
    public const string Qwen2DefaultSystemPrompt = "You are a helpful assistant.";

    /// <summary>The date the Llama 3.1/3.2 templates fall back to when none is passed.</summary>
    public const string DefaultLlamaDate = "26 Jul 2024";

    const string SlotPrefix = "<<SLOT:";
    const string SlotSuffix = ">>";

    /// <summary>A template of <paramref name="kind"/> with the official defaults.</summary>
    public ChatTemplate(ChatTemplateKind kind)
    {
        Kind = kind;
        DefaultSystemPrompt = kind == ChatTemplateKind.ChatMl ? QwenDefaultSystemPrompt : null;
        BosToken = kind switch
        {
            ChatTemplateKind.Llama3 => "<|begin_of_text|>",
            ChatTemplateKind.Mistral => "<s>",
            ChatTemplateKind.Gemma => "<bos>",
            _ => "",
        };
        EosToken = kind == ChatTemplateKind.Mistral ? "</s>" : "";
    }

    ChatTemplate(ChatTemplate other)
    {
        Kind = other.Kind;
        DefaultSystemPrompt = other.DefaultSystemPrompt;
        BosToken = other.BosToken;
        EosToken = other.EosToken;
        LlamaDateHeader = other.LlamaDateHeader;
        LlamaDateString = other.LlamaDateString;
    }

    /// <summary>The format.</summary>
    public ChatTemplateKind Kind { get; }

    /// <summary>
    /// The system message used when a conversation does not start with one; null for none. Defaults to
    /// Qwen2.5's for <see cref="ChatTemplateKind.ChatMl"/> and to null otherwise. Rendering behaves as if the
    /// conversation began with this system message, which for ChatML is exactly what the official template does.
    /// </summary>
    public string? DefaultSystemPrompt { get; init; }

    /// <summary>The BOS text the Llama 3 and Mistral templates start with ("&lt;|begin_of_text|&gt;", "&lt;s&gt;").</summary>
    public string BosToken { get; init; }

    /// <summary>The EOS text Mistral appends to assistant turns ("&lt;/s&gt;").</summary>
    public string EosToken { get; init; }

    /// <summary>Llama 3: whether to write the 3.1/3.2 system block with the knowledge and today dates (true) or render the original Llama 3 template (false).</summary>
    public bool LlamaDateHeader { get; init; } = true;

    /// <summary>Llama 3.1/3.2: the "Today Date" value, formatted as the template's strftime("%d %b %Y").</summary>
    public string LlamaDateString { get; init; } = DefaultLlamaDate;

    /// <summary>A template of <paramref name="kind"/> with the official defaults.</summary>
    public static ChatTemplate For(ChatTemplateKind kind) => new(kind);

    /// <summary>
    /// Recognises the format from the Hugging Face Jinja template's markers ("&lt;|im_start|&gt;" is ChatML,
    /// Qwen3 if it also mentions "&lt;think&gt;"; "&lt;|start_header_id|&gt;" is Llama 3; "[INST]" is Mistral;
    /// "&lt;start_of_turn&gt;" is Gemma), else from config.json's model_type (qwen2, qwen3, qwen3_5, llama,
    /// mistral, gemma3), else <see cref="ChatTemplateKind.Plain"/>.
    /// The template text also decides ChatML's default system message and Llama 3's system block.
    /// </summary>
    public static ChatTemplate Detect(string? jinjaTemplate, string? modelType)
    {
        ChatTemplateKind? kind = null;
        if (!string.IsNullOrEmpty(jinjaTemplate))
        {
            if (jinjaTemplate.Contains("<|im_start|>", StringComparison.Ordinal))
                kind = jinjaTemplate.Contains("<think>", StringComparison.Ordinal) ? ChatTemplateKind.Qwen3 : ChatTemplateKind.ChatMl;
            else if (jinjaTemplate.Contains("<|start_header_id|>", StringComparison.Ordinal))
                kind = ChatTemplateKind.Llama3;
            else if (jinjaTemplate.Contains("[INST]", StringComparison.Ordinal))
                kind = ChatTemplateKind.Mistral;
            else if (jinjaTemplate.Contains("<start_of_turn>", StringComparison.Ordinal))
                kind = ChatTemplateKind.Gemma;
        }
        kind ??= KindForModelType(modelType);
        var template = new ChatTemplate(kind.Value);
        if (string.IsNullOrEmpty(jinjaTemplate))
            return template;
        return kind switch
        {
            ChatTemplateKind.ChatMl => template.WithDefaultSystemPrompt(
                jinjaTemplate.Contains(QwenDefaultSystemPrompt, StringComparison.Ordinal) ? QwenDefaultSystemPrompt
                : jinjaTemplate.Contains(Qwen2DefaultSystemPrompt, StringComparison.Ordinal) ? Qwen2DefaultSystemPrompt
                : LiteralDefaultSystemPrompt(jinjaTemplate)),
            ChatTemplateKind.Llama3 => new ChatTemplate(template)
            {
                LlamaDateHeader = jinjaTemplate.Contains("Cutting Knowledge Date", StringComparison.Ordinal),
            },
            _ => template,
        };
    }

    /// <summary>The kind config.json's model_type implies, or Plain.</summary>
    public static ChatTemplateKind KindForModelType(string? modelType) => modelType?.ToLowerInvariant() switch
    {
        "qwen2" or "qwen2_moe" => ChatTemplateKind.ChatMl,
        "qwen3" or "qwen3_moe" or "qwen3_5" or "qwen3_5_text" => ChatTemplateKind.Qwen3,
        "gemma3" or "gemma3_text" => ChatTemplateKind.Gemma,
        "llama" => ChatTemplateKind.Llama3,
        "mistral" => ChatTemplateKind.Mistral,
        _ => ChatTemplateKind.Plain,
    };

    /// <summary>
    /// The system message a ChatML template writes itself when the conversation has none, read from its
    /// string literal <c>'&lt;|im_start|&gt;system\n…&lt;|im_end|&gt;'</c> (Qwen2.5-Math: "Please reason step by step,
    /// and put your final answer within \boxed{}."), so that turn is not silently dropped; null when the
    /// template has no such literal or builds it from variables.
    /// </summary>
    internal static string? LiteralDefaultSystemPrompt(string jinjaTemplate)
    {
        var match = System.Text.RegularExpressions.Regex.Match(jinjaTemplate,
            @"'<\|im_start\|>system\\n((?:[^'\\]|\\.)*?)<\|im_end\|>", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        if (!match.Success || match.Groups[1].Value.Contains("{{", StringComparison.Ordinal) || match.Groups[1].Value.Length == 0)
            return null;
        // Jinja string escapes: \n, \t, \', \\.
        var text = new System.Text.StringBuilder();
        string raw = match.Groups[1].Value;
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 1 < raw.Length)
            {
                char next = raw[++i];
                text.Append(next switch { 'n' => '\n', 't' => '\t', _ => next });
            }
            else
                text.Append(raw[i]);
        }
        return text.ToString();
    }

    /// <summary>
    /// What the template writes after an assistant message's content to close the turn (ChatML
    /// "&lt;|im_end|&gt;\n", Llama 3 "&lt;|eot_id|&gt;", Gemma "&lt;end_of_turn&gt;\n"): the tokens the released
    /// training code labels after the answer. Empty for a plain template.
    /// </summary>
    public string AssistantTurnEnd
    {
        get
        {
            const string Marker = "\u0001answer\u0001";
            string rendered = Render([ChatMessage.FromUser("q"), ChatMessage.FromAssistant(Marker)], addGenerationPrompt: false, enableThinking: false);
            int at = rendered.LastIndexOf(Marker, StringComparison.Ordinal);
            return at < 0 ? "" : rendered[(at + Marker.Length)..];
        }
    }

    /// <summary>This template with another default system message (null removes it).</summary>
    public ChatTemplate WithDefaultSystemPrompt(string? prompt) => new(this) { DefaultSystemPrompt = prompt };

    /// <summary>This template with the tokenizer's own BOS/EOS spellings (null keeps the current one).</summary>
    public ChatTemplate WithSpecialTokens(string? bosToken, string? eosToken) =>
        new(this) { BosToken = bosToken ?? BosToken, EosToken = eosToken ?? EosToken };

    /// <summary>
    /// The prompt string for <paramref name="messages"/>. Roles must be "system", "user" or "assistant".
    /// </summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="addGenerationPrompt">Append the opening of an assistant turn (Hugging Face's add_generation_prompt).</param>
    /// <param name="enableThinking">Qwen3 only: false appends an empty think block so the model answers directly.</param>
    /// <exception cref="ArgumentException">A role is unknown, or (Mistral) roles do not alternate.</exception>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true, bool enableThinking = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = new List<ChatMessage>(messages.Count + 1);
        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw new ArgumentException($"Message {i} is null.", nameof(messages));
            if (message.Role is not (ChatMessage.System or ChatMessage.User or ChatMessage.Assistant))
                throw new ArgumentException($"Message {i} has role '{message.Role}'; only system, user and assistant are supported.", nameof(messages));
            ArgumentNullException.ThrowIfNull(message.Content, $"{nameof(messages)}[{i}].Content");
            conversation.Add(message);
        }
        if (DefaultSystemPrompt is not null && (conversation.Count == 0 || conversation[0].Role != ChatMessage.System))
            conversation.Insert(0, ChatMessage.FromSystem(DefaultSystemPrompt));

        var output = new StringBuilder();
        switch (Kind)
        {
            case ChatTemplateKind.ChatMl:
                RenderChatMl(conversation, addGenerationPrompt, output);
                break;
            case ChatTemplateKind.Qwen3:
                RenderQwen3(conversation, addGenerationPrompt, enableThinking, output);
                break;
            case ChatTemplateKind.Llama3:
                RenderLlama3(conversation, addGenerationPrompt, output);
                break;
            case ChatTemplateKind.Mistral:
                RenderMistral(conversation, output);
                break;
            case ChatTemplateKind.Gemma:
                RenderGemma(conversation, addGenerationPrompt, output);
                break;
            default:
                RenderPlain(conversation, addGenerationPrompt, output);
                break;
        }
        return output.ToString();
    }

    /// <summary>
    /// <see cref="Render"/> cut at slot markers: text segments (never empty) and slot segments in order.
    /// Encode each text segment on its own and splice the slot's vectors between them.
    /// </summary>
    public IReadOnlyList<PromptSegment> RenderSegments(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true, bool enableThinking = true) =>
        SplitSlots(Render(messages, addGenerationPrompt, enableThinking));

    /// <summary>The marker for slot <paramref name="name"/> ("&lt;&lt;SLOT:name&gt;&gt;") to put into message content.</summary>
    /// <param name="name">Letters, digits, '_', '-' and '.'.</param>
    public static string Slot(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!SlotNamePattern().IsMatch(name))
            throw new ArgumentException($"Slot name '{name}' must be letters, digits, '_', '-' or '.'.", nameof(name));
        return SlotPrefix + name + SlotSuffix;
    }

    /// <summary>Cuts any string at slot markers (see <see cref="RenderSegments"/>).</summary>
    public static IReadOnlyList<PromptSegment> SplitSlots(string rendered)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        var segments = new List<PromptSegment>();
        int last = 0;
        foreach (Match match in SlotMarkerPattern().Matches(rendered))
        {
            if (match.Index > last)
                segments.Add(PromptSegment.OfText(rendered[last..match.Index]));
            segments.Add(PromptSegment.OfSlot(match.Groups[1].Value));
            last = match.Index + match.Length;
        }
        if (last < rendered.Length)
            segments.Add(PromptSegment.OfText(rendered[last..]));
        return segments;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+$")]
    private static partial Regex SlotNamePattern();

    [GeneratedRegex(@"<<SLOT:([A-Za-z0-9_.\-]+)>>")]
    private static partial Regex SlotMarkerPattern();

    /// <summary>Qwen2.5's template: a system turn first (the default one if needed), then every turn as ChatML.</summary>
    static void RenderChatMl(List<ChatMessage> messages, bool addGenerationPrompt, StringBuilder output)
    {
        foreach (var message in messages)
            output.Append("<|im_start|>").Append(message.Role).Append('\n').Append(message.Content).Append("<|im_end|>\n");
        if (addGenerationPrompt)
            output.Append("<|im_start|>assistant\n");
    }

    /// <summary>
    /// Qwen3's template. Assistant turns after the last user query keep (or, for the final turn, get) a
    /// think block; earlier ones are rendered with their reasoning removed, as the model saw them in training.
    /// </summary>
    static void RenderQwen3(List<ChatMessage> messages, bool addGenerationPrompt, bool enableThinking, StringBuilder output)
    {
        int lastQuery = messages.Count - 1;
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            var content = messages[i].Content;
            if (messages[i].Role == ChatMessage.User
                && !(content.StartsWith("<tool_response>", StringComparison.Ordinal) && content.EndsWith("</tool_response>", StringComparison.Ordinal)))
            {
                lastQuery = i;
                break;
            }
        }
        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role != ChatMessage.Assistant)
            {
                // The template writes a leading system turn before its loop and skips it inside; the
                // result is the same as writing it here.
                output.Append("<|im_start|>").Append(message.Role).Append('\n').Append(message.Content).Append("<|im_end|>\n");
                continue;
            }
            string content = message.Content;
            string reasoning = "";
            if (content.Contains("</think>", StringComparison.Ordinal))
            {
                reasoning = PythonText.AfterLast(PythonText.BeforeFirst(content, "</think>").TrimEnd('\n'), "<think>").TrimStart('\n');
                content = PythonText.AfterLast(content, "</think>").TrimStart('\n');
            }
            output.Append("<|im_start|>assistant\n");
            if (i > lastQuery && (i == messages.Count - 1 || reasoning.Length > 0))
                output.Append("<think>\n").Append(reasoning.Trim('\n')).Append("\n</think>\n\n").Append(content.TrimStart('\n'));
            else
                output.Append(content);
            output.Append("<|im_end|>\n");
        }
        if (addGenerationPrompt)
        {
            output.Append("<|im_start|>assistant\n");
            if (!enableThinking)
                output.Append("<think>\n\n</think>\n\n");
        }
    }

    void RenderLlama3(List<ChatMessage> messages, bool addGenerationPrompt, StringBuilder output)
    {
        if (LlamaDateHeader)
        {
            output.Append(BosToken);
            string system = "";
            int first = 0;
            if (messages.Count > 0 && messages[0].Role == ChatMessage.System)
            {
                system = PythonText.Strip(messages[0].Content);
                first = 1;
            }
            output.Append("<|start_header_id|>system<|end_header_id|>\n\n")
                .Append("Cutting Knowledge Date: December 2023\n")
                .Append("Today Date: ").Append(LlamaDateString).Append("\n\n")
                .Append(system).Append("<|eot_id|>");
            for (int i = first; i < messages.Count; i++)
                AppendLlamaTurn(messages[i], output);
        }
        else
        {
            // The original Llama-3-Instruct template: BOS goes in front of the first turn, whatever it is.
            for (int i = 0; i < messages.Count; i++)
            {
                if (i == 0)
                    output.Append(BosToken);
                AppendLlamaTurn(messages[i], output);
            }
        }
        if (addGenerationPrompt)
            output.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    static void AppendLlamaTurn(ChatMessage message, StringBuilder output) =>
        output.Append("<|start_header_id|>").Append(message.Role).Append("<|end_header_id|>\n\n")
            .Append(PythonText.Strip(message.Content)).Append("<|eot_id|>");

    void RenderMistral(List<ChatMessage> messages, StringBuilder output)
    {
        string? system = null;
        int first = 0;
        if (messages.Count > 0 && messages[0].Role == ChatMessage.System)
        {
            system = messages[0].Content;
            first = 1;
        }
        for (int i = first; i < messages.Count; i++)
        {
            if (messages[i].Role == ChatMessage.System)
                throw new ArgumentException(
                    "Only user and assistant roles are supported, with the exception of an initial optional system message!", nameof(messages));
            if ((messages[i].Role == ChatMessage.User) != ((i - first) % 2 == 0))
                throw new ArgumentException(
                    "After the optional system message, conversation roles must alternate user/assistant/user/assistant/...", nameof(messages));
        }
        output.Append(BosToken);
        for (int i = first; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role == ChatMessage.User)
            {
                output.Append("[INST] ");
                if (system is not null && i == messages.Count - 1)
                    output.Append(system).Append("\n\n");
                output.Append(message.Content).Append("[/INST]");
            }
            else
            {
                output.Append(' ').Append(PythonText.Strip(message.Content)).Append(EosToken);
            }
        }
    }

    void RenderGemma(List<ChatMessage> messages, bool addGenerationPrompt, StringBuilder output)
    {
        string firstUserPrefix = "";
        int first = 0;
        if (messages.Count > 0 && messages[0].Role == ChatMessage.System)
        {
            firstUserPrefix = messages[0].Content + "\n\n";
            first = 1;
        }
        output.Append(BosToken);
        for (int i = first; i < messages.Count; i++)
        {
            var message = messages[i];
            if ((message.Role == ChatMessage.User) != ((i - first) % 2 == 0))
                throw new ArgumentException("Conversation roles must alternate user/assistant/user/assistant/...", nameof(messages));
            output.Append("<start_of_turn>").Append(message.Role == ChatMessage.Assistant ? "model" : message.Role).Append('\n');
            if (i == first)
                output.Append(firstUserPrefix);
            output.Append(PythonText.Strip(message.Content)).Append("<end_of_turn>\n");
        }
        if (addGenerationPrompt)
            output.Append("<start_of_turn>model\n");
    }

    static void RenderPlain(List<ChatMessage> messages, bool addGenerationPrompt, StringBuilder output)
    {
        foreach (var message in messages)
            output.Append(message.Role).Append(": ").Append(message.Content).Append('\n');
        if (addGenerationPrompt)
            output.Append("assistant:");
    }
}
