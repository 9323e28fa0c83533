using System.Text.Json.Nodes;
using RecursiveMas.Tokenization;
using static RecursiveMas.Tests.Tokenization.TinyTokenizerJson;

namespace RecursiveMas.Tests.Tokenization;

public class TokenizerJsonTests
{
    static ModelTokenizer LoadTiny(TempDirectory directory, JsonObject? tokenizer = null)
    {
        Write(directory, tokenizer ?? Create());
        return ModelTokenizer.Load(directory.Path);
    }

    [Fact]
    public void MergesInBothSpellingsAreApplied()
    {
        using var directory = new TempDirectory();
        var tokenizer = LoadTiny(directory);
        Assert.Equal([Hello, World], tokenizer.Encode("hello world"));
        Assert.Equal("hello world", tokenizer.Decode([Hello, World]));
        // Unmerged text falls back to one id per byte (id = byte value here).
        Assert.Equal([(int)'h', (int)'i'], tokenizer.Encode("hi"));
    }

    [Fact]
    public void SpecialAndAddedTokensInsideTextAreSingleIds()
    {
        using var directory = new TempDirectory();
        var tokenizer = LoadTiny(directory);
        var ids = tokenizer.Encode("<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n<think>\nhi</think>\n\nhello world<|im_end|>");
        int[] expected =
        [
            ImStart, 'u', 's', 'e', 'r', '\n', Hello, ImEnd, '\n',
            ImStart, 'a', 's', 's', 'i', 's', 't', 'a', 'n', 't', '\n',
            Think, '\n', 'h', 'i', EndThink, '\n', '\n', Hello, World, ImEnd,
        ];
        Assert.Equal(expected, ids);
        // Special tokens are skipped by default; non-special added tokens (<think>) are text.
        Assert.Equal("user\nhello\nassistant\n<think>\nhi</think>\n\nhello world", tokenizer.Decode(ids));
        Assert.Equal("<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n<think>\nhi</think>\n\nhello world<|im_end|>",
            tokenizer.Decode(ids, skipSpecialTokens: false));
        Assert.True(tokenizer.IsSpecial(ImStart));
        Assert.False(tokenizer.IsSpecial(Think));
        Assert.Equal(305, tokenizer.VocabularySize);
    }

    [Fact]
    public void TheLongestAddedTokenWinsAndPartialMarkersStayText()
    {
        using var directory = new TempDirectory();
        var tokenizer = LoadTiny(directory);
        Assert.Equal([EndThink], tokenizer.Encode("</think>"));
        Assert.Equal(['<', '|', 'i', 'm'], tokenizer.Encode("<|im").Take(4));
        Assert.Equal("<|im_start", tokenizer.Decode(tokenizer.Encode("<|im_start")));
    }

    [Fact]
    public void TheSplitRegexIsHonoured()
    {
        using var qwen = new TempDirectory();
        using var gpt2 = new TempDirectory();
        // Qwen's pattern isolates single digits, so the "12" merge cannot apply...
        Assert.Equal(['1', '2'], LoadTiny(qwen).Encode("12"));
        // ...while GPT-2's keeps digit runs together.
        Assert.Equal([Twelve], LoadTiny(gpt2, Create(Gpt2PreTokenizer())).Encode("12"));
    }

    [Fact]
    public void NfcNormalizationComposesBeforeBpe()
    {
        using var directory = new TempDirectory();
        var tokenizer = LoadTiny(directory);
        Assert.Equal([0xC3, 0xA9], tokenizer.Encode("e\u0301"));
        Assert.Equal(tokenizer.Encode("\u00E9"), tokenizer.Encode("e\u0301"));
    }

    [Fact]
    public void IgnoreMergesTakesWholeVocabularyEntries()
    {
        using var plain = new TempDirectory();
        using var ignoring = new TempDirectory();
        // Without ignore_merges " xyz" stays bytes (ids = byte values), as no merge builds "Ġxyz".
        Assert.Equal([' ', 'x', 'y', 'z'], LoadTiny(plain).Encode(" xyz"));
        Assert.Equal([Xyz], LoadTiny(ignoring, Create(ignoreMerges: true)).Encode(" xyz"));
    }

    [Theory]
    [MemberData(nameof(Gpt2TokenizerTests.Samples), MemberType = typeof(Gpt2TokenizerTests))]
    public void ArbitraryTextRoundTrips(string text)
    {
        using var directory = new TempDirectory();
        var tokenizer = LoadTiny(directory, Create(Gpt2PreTokenizer()));
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void ConfigsSupplySpecialTokensStopsAndTemplate()
    {
        using var directory = new TempDirectory();
        Write(directory, Create());
        directory.Write("tokenizer_config.json", """
            {
              "add_bos_token": false,
              "bos_token": null,
              "eos_token": {"__type": "AddedToken", "content": "<|im_end|>", "special": true},
              "pad_token": "<|endoftext|>",
              "unk_token": null,
              "chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}...{% endfor %}<think>",
              "added_tokens_decoder": {
                "301": {"content": "<|im_start|>", "special": true},
                "305": {"content": "<tool_call>", "special": false}
              }
            }
            """);
        directory.Write("generation_config.json", """{"eos_token_id": [302, 300], "bos_token_id": 300}""");
        directory.Write("config.json", """{"model_type": "qwen3", "bos_token_id": 300, "eos_token_id": 302}""");
        var tokenizer = ModelTokenizer.Load(directory.Path);

        // "bos_token": null wins over config.json's bos_token_id, as in Hugging Face.
        Assert.Null(tokenizer.BosTokenId);
        Assert.Null(tokenizer.BosToken);
        Assert.Equal(ImEnd, tokenizer.EosTokenId);
        Assert.Equal("<|im_end|>", tokenizer.EosToken);
        Assert.Equal(EndOfText, tokenizer.PadTokenId);
        Assert.Equal([EndOfText, ImEnd], tokenizer.StopTokenIds.Order());
        Assert.False(tokenizer.AddBosToken);
        Assert.Equal(ChatTemplateKind.Qwen3, tokenizer.ChatTemplate.Kind);
        // A token only tokenizer_config declares is still matched, and counts toward the vocabulary size.
        Assert.Equal([305], tokenizer.Encode("<tool_call>"));
        Assert.Equal(306, tokenizer.VocabularySize);
        Assert.Equal(tokenizer.Encode("hi"), tokenizer.Encode("hi", addBos: true));
    }

    [Fact]
    public void Llama3StyleBosIsAddedOnceAndEndOfTurnTokensStop()
    {
        using var directory = new TempDirectory();
        var json = Create();
        var added = json["added_tokens"]!.AsArray();
        added.Add(new JsonObject { ["id"] = 310, ["content"] = "<|begin_of_text|>", ["special"] = true });
        added.Add(new JsonObject { ["id"] = 311, ["content"] = "<|eot_id|>", ["special"] = true });
        added.Add(new JsonObject { ["id"] = 312, ["content"] = "<|eom_id|>", ["special"] = true });
        added.Add(new JsonObject { ["id"] = 313, ["content"] = "<|start_header_id|>", ["special"] = true });
        json["post_processor"] = new JsonObject
        {
            ["type"] = "TemplateProcessing",
            ["single"] = new JsonArray(
                new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<|begin_of_text|>", ["type_id"] = 0 } },
                new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
        };
        Write(directory, json);
        directory.Write("tokenizer_config.json", """{"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}""");
        directory.Write("config.json", """{"model_type": "llama", "eos_token_id": [300, 312, 311]}""");
        var tokenizer = ModelTokenizer.Load(directory.Path);

        Assert.Equal(310, tokenizer.BosTokenId);
        Assert.True(tokenizer.AddBosToken);
        Assert.Equal([310, Hello], tokenizer.Encode("hello", addBos: true));
        Assert.Equal([310, Hello], tokenizer.Encode("<|begin_of_text|>hello", addBos: true));
        Assert.Equal([EndOfText, ImEnd, 311, 312], tokenizer.StopTokenIds.Order());
        // No Jinja template: model_type decides, and the vocabulary has Llama 3's header tokens.
        Assert.Equal(ChatTemplateKind.Llama3, tokenizer.ChatTemplate.Kind);
        Assert.Equal("<|begin_of_text|>", tokenizer.ChatTemplate.BosToken);
    }

    [Fact]
    public void AModelTypeWhoseChatTokensTheVocabularyLacksFallsBackToPlain()
    {
        using var directory = new TempDirectory();
        Write(directory, Create());
        directory.Write("config.json", """{"model_type": "llama"}""");
        Assert.Equal(ChatTemplateKind.Plain, ModelTokenizer.Load(directory.Path).ChatTemplate.Kind);
    }

    [Fact]
    public void ChatTemplateJinjaFileIsPreferred()
    {
        using var directory = new TempDirectory();
        Write(directory, Create());
        directory.Write("tokenizer_config.json", """{"chat_template": "[INST] {{ x }} [/INST]"}""");
        directory.Write("chat_template.jinja", "<|im_start|>{{ role }} You are a helpful assistant.");
        var tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.Equal(ChatTemplateKind.ChatMl, tokenizer.ChatTemplate.Kind);
        Assert.Equal(ChatTemplate.Qwen2DefaultSystemPrompt, tokenizer.ChatTemplate.DefaultSystemPrompt);
        Assert.StartsWith("<|im_start|>", tokenizer.JinjaChatTemplate);
    }

    [Fact]
    public void InnerTokenizerAloneIsolatesAddedTokens()
    {
        using var directory = new TempDirectory();
        var tokenizer = LoadTiny(directory);
        Assert.Equal([ImStart, Hello, ImEnd], tokenizer.Inner.EncodeToIds("<|im_start|>hello<|im_end|>"));
    }
}
