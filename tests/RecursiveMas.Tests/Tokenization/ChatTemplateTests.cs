using RecursiveMas.Tokenization;
using static RecursiveMas.Tokenization.ChatMessage;

namespace RecursiveMas.Tests.Tokenization;

/// <summary>
/// Expected strings are what the official Hugging Face Jinja templates render (checked with Python's
/// jinja2 the way transformers runs them: sandboxed, trim_blocks and lstrip_blocks): Qwen2.5-Instruct,
/// Qwen3, Llama-3.2-Instruct (with the template's "26 Jul 2024" fallback date), the original
/// Llama-3-Instruct, and Mistral-7B-Instruct-v0.3.
/// </summary>
public class ChatTemplateTests
{
    static readonly ChatMessage[] OneQuestion = [FromUser("Hi there")];
    static readonly ChatMessage[] UntrimmedSystem = [FromSystem("  You are terse.  \n"), FromUser(" What is 2+2? \n")];
    static readonly ChatMessage[] MultiTurn = [FromSystem("Sys"), FromUser("Q1"), FromAssistant("  A1  "), FromUser("Q2 <<SLOT:latent>> end")];

    [Fact]
    public void Qwen25ChatMlAddsItsDefaultSystemMessage()
    {
        var template = ChatTemplate.For(ChatTemplateKind.ChatMl);
        Assert.Equal(
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
            template.Render(OneQuestion));
        Assert.Equal(
            "<|im_start|>system\n  You are terse.  \n<|im_end|>\n<|im_start|>user\n What is 2+2? \n<|im_end|>\n<|im_start|>assistant\n",
            template.Render(UntrimmedSystem));
        Assert.Equal(
            "<|im_start|>system\nSys<|im_end|>\n<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\n  A1  <|im_end|>\n<|im_start|>user\nQ2 <<SLOT:latent>> end<|im_end|>\n",
            template.Render(MultiTurn, addGenerationPrompt: false));
    }

    [Fact]
    public void TheDefaultSystemMessageCanBeReplacedOrRemoved()
    {
        var template = ChatTemplate.For(ChatTemplateKind.ChatMl);
        Assert.Equal("<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
            template.WithDefaultSystemPrompt(null).Render(OneQuestion));
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
            new ChatTemplate(ChatTemplateKind.ChatMl) { DefaultSystemPrompt = "Be brief." }.Render(OneQuestion));
    }

    [Fact]
    public void Qwen3ThinkingSwitch()
    {
        var template = ChatTemplate.For(ChatTemplateKind.Qwen3);
        Assert.Null(template.DefaultSystemPrompt);
        Assert.Equal("<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
            template.Render(OneQuestion, enableThinking: true));
        Assert.Equal("<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
            template.Render(OneQuestion, enableThinking: false));
        Assert.Equal(
            "<|im_start|>system\n  You are terse.  \n<|im_end|>\n<|im_start|>user\n What is 2+2? \n<|im_end|>\n<|im_start|>assistant\n",
            template.Render(UntrimmedSystem));
    }

    [Fact]
    public void Qwen3DropsReasoningBeforeTheLastQueryAndKeepsItAfter()
    {
        var template = ChatTemplate.For(ChatTemplateKind.Qwen3);
        ChatMessage[] history =
        [
            FromUser("Q1"), FromAssistant("<think>\nreason one\n</think>\n\nA1"),
            FromUser("Q2"), FromAssistant("<think>\nr2\n</think>\n\nA2"),
        ];
        Assert.Equal(
            "<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n<think>\nr2\n</think>\n\nA2<|im_end|>\n<|im_start|>assistant\n",
            template.Render(history));
        // A final answer without reasoning still gets an (empty) think block.
        Assert.Equal(
            "<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nplain answer<|im_end|>\n",
            template.Render([FromUser("Q1"), FromAssistant("A1"), FromUser("Q2"), FromAssistant("\n\nplain answer")], addGenerationPrompt: false));
        Assert.Equal(
            "<|im_start|>user\n<<SLOT:a>>\n\n\t<|im_end|>\n<|im_start|>assistant\ny<|im_end|>\n<|im_start|>user\nlast<|im_end|>\n<|im_start|>assistant\n",
            template.Render([FromUser("<<SLOT:a>>\n\n\t"), FromAssistant("x</think>y"), FromUser("last")]));
    }

    [Fact]
    public void Llama32AlwaysWritesItsSystemBlockAndTrimsContents()
    {
        var template = ChatTemplate.For(ChatTemplateKind.Llama3);
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Render(OneQuestion));
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nYou are terse.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>",
            template.Render(UntrimmedSystem, addGenerationPrompt: false));
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nSys<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nQ1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA1<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nQ2 <<SLOT:latent>> end<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Render(MultiTurn));
        Assert.Contains("Today Date: 01 Jan 2026\n\n",
            new ChatTemplate(ChatTemplateKind.Llama3) { LlamaDateString = "01 Jan 2026" }.Render(OneQuestion));
    }

    [Fact]
    public void OriginalLlama3TemplateHasNoSystemBlock()
    {
        var template = new ChatTemplate(ChatTemplateKind.Llama3) { LlamaDateHeader = false };
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Render(OneQuestion));
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Render(UntrimmedSystem));
    }

    [Fact]
    public void MistralV03PutsTheSystemMessageIntoTheLastUserTurn()
    {
        var template = ChatTemplate.For(ChatTemplateKind.Mistral);
        Assert.Equal("<s>[INST] Hi there[/INST]", template.Render(OneQuestion));
        Assert.Equal("<s>[INST]   You are terse.  \n\n\n What is 2+2? \n[/INST]", template.Render(UntrimmedSystem));
        Assert.Equal("<s>[INST] Q1[/INST] A1</s>[INST] Sys\n\nQ2 <<SLOT:latent>> end[/INST]", template.Render(MultiTurn));
        // As in the official template, a system message is dropped when no user turn comes last.
        Assert.Equal("<s>[INST] Q1[/INST] A1</s>", template.Render([FromSystem("S"), FromUser("Q1"), FromAssistant("A1")]));
    }

    [Fact]
    public void MistralRejectsRolesThatDoNotAlternate()
    {
        var template = ChatTemplate.For(ChatTemplateKind.Mistral);
        Assert.Throws<ArgumentException>(() => template.Render([FromUser("u"), FromUser("u2")]));
        Assert.Throws<ArgumentException>(() => template.Render([FromAssistant("a")]));
        Assert.Throws<ArgumentException>(() => template.Render([FromUser("u"), FromSystem("late")]));
    }

    [Fact]
    public void Gemma3FoldsTheSystemMessageIntoTheFirstUserTurnAndCallsTheAssistantModel()
    {
        var template = ChatTemplate.For(ChatTemplateKind.Gemma);
        Assert.Equal("<bos><start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\n", template.Render(OneQuestion));
        Assert.Equal("<bos><start_of_turn>user\n  You are terse.  \n\n\nWhat is 2+2?<end_of_turn>\n<start_of_turn>model\n", template.Render(UntrimmedSystem));
        Assert.Equal(
            "<bos><start_of_turn>user\nSys\n\nQ1<end_of_turn>\n<start_of_turn>model\nA1<end_of_turn>\n<start_of_turn>user\nQ2 <<SLOT:latent>> end<end_of_turn>\n",
            template.Render(MultiTurn, addGenerationPrompt: false));
        Assert.Throws<ArgumentException>(() => template.Render([FromUser("u"), FromUser("u2")]));
        Assert.Throws<ArgumentException>(() => template.Render([FromAssistant("a")]));
    }

    [Fact]
    public void PlainWritesRoleLines()
    {
        Assert.Equal("system: Sys\nuser: Q1\nassistant:   A1  \nuser: Q2 <<SLOT:latent>> end\nassistant:",
            ChatTemplate.For(ChatTemplateKind.Plain).Render(MultiTurn));
    }

    [Fact]
    public void UnknownRolesAreRejected()
    {
        foreach (var kind in Enum.GetValues<ChatTemplateKind>())
            Assert.Throws<ArgumentException>(() => ChatTemplate.For(kind).Render([new ChatMessage("tool", "x")]));
    }

    [Theory]
    [InlineData(ChatTemplateKind.ChatMl)]
    [InlineData(ChatTemplateKind.Qwen3)]
    [InlineData(ChatTemplateKind.Llama3)]
    [InlineData(ChatTemplateKind.Mistral)]
    [InlineData(ChatTemplateKind.Gemma)]
    [InlineData(ChatTemplateKind.Plain)]
    public void SlotMarkersSurviveEveryTemplate(ChatTemplateKind kind)
    {
        ChatMessage[] messages =
        [
            FromSystem(ChatTemplate.Slot("sys") + " rules"),
            FromUser("  see " + ChatTemplate.Slot("agent-1.latent") + "\n"),
            FromAssistant("ok " + ChatTemplate.Slot("answer_2")),
            FromUser(ChatTemplate.Slot("last")),
        ];
        var segments = ChatTemplate.For(kind).RenderSegments(messages);
        var slots = segments.Where(s => s.IsSlot).Select(s => s.SlotName).ToList();
        // Mistral moves the system message into the last user turn.
        string[] expected = kind == ChatTemplateKind.Mistral
            ? ["agent-1.latent", "answer_2", "sys", "last"]
            : ["sys", "agent-1.latent", "answer_2", "last"];
        Assert.Equal(expected, slots);
        Assert.All(segments, s => Assert.True(s.IsSlot ? s.Text.Length == 0 : s.Text.Length > 0));
        Assert.DoesNotContain(segments, s => !s.IsSlot && s.Text.Contains("<<SLOT:"));
    }

    [Fact]
    public void SplitSlotsCutsAtMarkers()
    {
        var segments = ChatTemplate.SplitSlots("a<<SLOT:x>><<SLOT:y>>b");
        Assert.Equal([PromptSegment.OfText("a"), PromptSegment.OfSlot("x"), PromptSegment.OfSlot("y"), PromptSegment.OfText("b")], segments);
        Assert.Throws<ArgumentException>(() => ChatTemplate.Slot("bad name"));
        Assert.Throws<ArgumentException>(() => ChatTemplate.Slot("x>>y"));
    }

    [Theory]
    [InlineData("{% for m in messages %}<|im_start|>{{ m.role }}{% endfor %}", null, ChatTemplateKind.ChatMl)]
    [InlineData("<|im_start|>... {%- if enable_thinking %}<think>{% endif %}", "llama", ChatTemplateKind.Qwen3)]
    [InlineData("<|start_header_id|>{{ role }}<|end_header_id|>", null, ChatTemplateKind.Llama3)]
    [InlineData("{{ bos_token }}[INST] {{ content }}[/INST]", null, ChatTemplateKind.Mistral)]
    [InlineData(null, "qwen2", ChatTemplateKind.ChatMl)]
    [InlineData(null, "qwen3", ChatTemplateKind.Qwen3)]
    [InlineData(null, "llama", ChatTemplateKind.Llama3)]
    [InlineData(null, "mistral", ChatTemplateKind.Mistral)]
    [InlineData("{{ bos_token }}<start_of_turn>{{ role }}", null, ChatTemplateKind.Gemma)]
    [InlineData(null, "gemma3", ChatTemplateKind.Gemma)]
    [InlineData(null, "gemma3_text", ChatTemplateKind.Gemma)]
    [InlineData(null, "qwen3_5", ChatTemplateKind.Qwen3)]
    [InlineData("{{ messages }}", "gpt2", ChatTemplateKind.Plain)]
    [InlineData(null, null, ChatTemplateKind.Plain)]
    public void DetectUsesTemplateMarkersThenModelType(string? jinja, string? modelType, ChatTemplateKind expected) =>
        Assert.Equal(expected, ChatTemplate.Detect(jinja, modelType).Kind);

    [Theory]
    [InlineData(ChatTemplateKind.ChatMl, "<|im_end|>\n")]
    [InlineData(ChatTemplateKind.Qwen3, "<|im_end|>\n")]
    [InlineData(ChatTemplateKind.Llama3, "<|eot_id|>")]
    [InlineData(ChatTemplateKind.Gemma, "<end_of_turn>\n")]
    public void TheTurnEndIsWhatTheTemplateWritesAfterAnAnswer(ChatTemplateKind kind, string end) =>
        Assert.Equal(end, ChatTemplate.For(kind).AssistantTurnEnd);

    [Fact]
    public void DetectReadsDefaultSystemMessageAndLlamaVariantFromTheTemplate()
    {
        Assert.Equal(ChatTemplate.QwenDefaultSystemPrompt,
            ChatTemplate.Detect("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.", null).DefaultSystemPrompt);
        Assert.Equal(ChatTemplate.Qwen2DefaultSystemPrompt,
            ChatTemplate.Detect("<|im_start|>system\nYou are a helpful assistant.<|im_end|>", null).DefaultSystemPrompt);
        Assert.Null(ChatTemplate.Detect("<|im_start|>{{ role }}", null).DefaultSystemPrompt);
        // Qwen2.5-Math writes its own system turn (a Jinja string literal with escapes): read, not dropped.
        const string math = "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
            + "{%- else %}{{- '<|im_start|>system\\nPlease reason step by step, and put your final answer within \\\\boxed{}.<|im_end|>\\n' }}{%- endif %}";
        var detected = ChatTemplate.Detect(math, null);
        Assert.Equal("Please reason step by step, and put your final answer within \\boxed{}.", detected.DefaultSystemPrompt);
        Assert.StartsWith("<|im_start|>system\nPlease reason step by step", detected.Render([ChatMessage.FromUser("1+1?")], addGenerationPrompt: true));
        Assert.Equal(ChatTemplate.QwenDefaultSystemPrompt, ChatTemplate.Detect(null, "qwen2").DefaultSystemPrompt);
        Assert.True(ChatTemplate.Detect("<|start_header_id|> Cutting Knowledge Date: December 2023", null).LlamaDateHeader);
        Assert.False(ChatTemplate.Detect("<|start_header_id|>{{ role }}<|end_header_id|>", null).LlamaDateHeader);
    }
}
