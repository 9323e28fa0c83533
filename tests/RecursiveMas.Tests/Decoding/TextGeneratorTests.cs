using RecursiveMas.Cli;
using RecursiveMas.Decoding;
using RecursiveMas.Models;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Decoding;

public sealed class TextGeneratorTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-textgen-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("qwen3", ChatTemplateKind.Qwen3, "<|im_start|>")]
    [InlineData("qwen2", ChatTemplateKind.ChatMl, "<|im_start|>")]
    [InlineData("llama", ChatTemplateKind.Llama3, "<|start_header_id|>")]
    [InlineData("mistral", ChatTemplateKind.Mistral, "[INST]")]
    [InlineData("gemma3", ChatTemplateKind.Gemma, "<start_of_turn>")]
    [InlineData("qwen3_5", ChatTemplateKind.Qwen3, "<|im_start|>")]
    public void ChatPromptsUseTheFamilyTemplateAndBatchesMatchSingleRuns(string family, ChatTemplateKind kind, string marker)
    {
        using var written = TinyCheckpoints.Write(_dir, TinyCheckpoints.Config(family, 32));
        using var model = CausalLM.FromPretrained(_dir);
        var tokenizer = ModelTokenizer.Load(_dir);
        Assert.Equal(kind, tokenizer.ChatTemplate.Kind);
        var generator = new TextGenerator(model, tokenizer);

        var ids = generator.EncodePrompt("What is 12 plus 30?", new TextGenerator.PromptFormat());
        Assert.Contains(tokenizer.TokenToId(marker)!.Value, ids);
        Assert.Contains(model.Config.EosTokenIds[0], generator.StopTokenIds);

        var options = new SamplingOptions { MaxNewTokens = 8 };
        string[] prompts = ["What is 12 plus 30?", "Plan the steps.", "Paris is the capital of"];
        var batch = generator.Generate(prompts, options);
        for (int i = 0; i < prompts.Length; i++)
        {
            var alone = generator.Generate([prompts[i]], options).Single();
            Assert.Equal(alone.TokenIds, batch[i].TokenIds);
            Assert.Equal(tokenizer.Decode(alone.TokenIds), batch[i].Text);
        }
    }

    [Fact]
    public void RawPromptsSkipTheTemplateAndAddBosWhereTheTokenizerDoes()
    {
        using var written = TinyCheckpoints.Write(_dir, TinyCheckpoints.Config("mistral", 32));
        using var model = CausalLM.FromPretrained(_dir);
        var tokenizer = ModelTokenizer.Load(_dir);
        var generator = new TextGenerator(model, tokenizer);
        var raw = generator.EncodePrompt("Paris is", new TextGenerator.PromptFormat { ApplyChatTemplate = false });
        Assert.Equal(tokenizer.BosTokenId, raw[0]);
        Assert.DoesNotContain(tokenizer.TokenToId("[INST]")!.Value, raw);
    }

    [Fact]
    public void TheGenerateCommandPrintsTheContinuation()
    {
        using var written = TinyCheckpoints.Write(_dir, TinyCheckpoints.Config("qwen3", 32));
        var (code, output) = CliRunner.Run("generate", "--model", _dir, "--prompt", "What is 12 plus 30?", "--max-new-tokens", "6", "--no-thinking");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("stopped:", output);

        using var model = CausalLM.FromPretrained(_dir);
        var generator = new TextGenerator(model, ModelTokenizer.Load(_dir));
        var expected = generator.Generate(["What is 12 plus 30?"], new SamplingOptions { MaxNewTokens = 6 }, new TextGenerator.PromptFormat { EnableThinking = false }).Single();
        Assert.Contains(expected.Text!, output);
        Assert.Contains($"{expected.TokenIds.Count} tokens, stopped: {expected.Reason}", output);
    }

    [Fact]
    public void ATokenizerWithAnAddedTokenPastTheModelsVocabularyIsRefusedBeforeAnyPrompt()
    {
        using var written = TinyCheckpoints.Write(_dir, TinyCheckpoints.Config("qwen3", 32));
        string file = Path.Combine(_dir, "tokenizer.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        int vocab = ModelConfig.Load(_dir).VocabSize;
        json["added_tokens"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = vocab + 5,
            ["content"] = "<|stray|>",
            ["single_word"] = false,
            ["lstrip"] = false,
            ["rstrip"] = false,
            ["normalized"] = false,
            ["special"] = true,
        });
        File.WriteAllText(file, json.ToJsonString());

        var (code, output) = CliRunner.Run("generate", "--model", _dir, "--prompt", "What is 12 plus 30?", "--max-new-tokens", "2");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"tokenizer.json: 'vocab_size': the tokenizer has ids up to {vocab + 5} but config.json's vocab_size is {vocab}", output);
    }

    [Fact]
    public void TheGenerateCommandTakesItsSystemMessageAsSystemPrompt()
    {
        using var written = TinyCheckpoints.Write(_dir, TinyCheckpoints.Config("qwen3", 32));
        const string system = "Answer with a number only.";
        var (code, output) = CliRunner.Run("generate", "--model", _dir, "--prompt", "What is 12 plus 30?", "--system-prompt", system, "--max-new-tokens", "6", "--no-thinking", "--json");
        Assert.Equal(ExitCodes.Success, code);

        using var model = CausalLM.FromPretrained(_dir);
        var generator = new TextGenerator(model, ModelTokenizer.Load(_dir));
        var sampling = new SamplingOptions { MaxNewTokens = 6 };
        var expected = generator.Generate(["What is 12 plus 30?"], sampling, new TextGenerator.PromptFormat { EnableThinking = false, SystemPrompt = system }).Single();
        var without = generator.Generate(["What is 12 plus 30?"], sampling, new TextGenerator.PromptFormat { EnableThinking = false }).Single();
        Assert.NotEqual(without.TokenIds, expected.TokenIds); // so the comparison below shows the system message was read
        using var json = System.Text.Json.JsonDocument.Parse(output[output.IndexOf('{')..]);
        Assert.Equal(expected.TokenIds, json.RootElement.GetProperty("results")[0].GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt32()));

        var (old, oldOutput) = CliRunner.Run("generate", "--model", _dir, "--prompt", "x", "--system", system);
        Assert.Equal(ExitCodes.Usage, old);
        Assert.Contains("Unknown option 'system'", oldOutput);
        Assert.Contains("--system-prompt TEXT", oldOutput);
    }

    [Fact]
    public void TheGenerateCommandRejectsBadOptionsBeforeLoading()
    {
        // The server's ranges (SamplingRange), as usage errors naming the option: what a request is refused, so is the command line.
        string missing = Path.Combine(_dir, "missing");
        foreach (var (option, value, words) in new[]
        {
            ("--temperature", "-1", "--temperature must be between 0 (greedy) and 2, not -1"),
            ("--temperature", "2.5", "--temperature must be between 0 (greedy) and 2, not 2.5"),
            ("--top-p", "0", "--top-p must be greater than 0 and at most 1, not 0"),
            ("--top-p", "1.5", "--top-p must be greater than 0 and at most 1, not 1.5"),
        })
        {
            var (code, output) = CliRunner.Run("generate", "--model", missing, "--prompt", "x", option, value);
            Assert.True(code == ExitCodes.Usage, output);
            Assert.Contains(words, output);
        }
        // The bounds themselves pass the options and fail only at the (missing) model.
        var (edge, edgeOutput) = CliRunner.Run("generate", "--model", missing, "--prompt", "x", "--temperature", "2", "--top-p", "1");
        Assert.True(edge == ExitCodes.InvalidInput, edgeOutput);
        Assert.DoesNotContain("--temperature", edgeOutput);
        var (missingCode, missingOutput) = CliRunner.Run("generate", "--model", _dir);
        Assert.Equal(ExitCodes.Usage, missingCode);
        Assert.Contains("--prompt", missingOutput);
    }
}
