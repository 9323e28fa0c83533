using Microsoft.ML.Tokenizers;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Tokenization;

public class SentencePieceTests
{
    // Ids: <unk>=0, <s>=1, </s>=2, bytes <0x00>..<0xFF> = 3..258, then these pieces from 259, then the controls.
    static readonly string[] Pieces = ["▁Hello", "▁world", "▁He", "llo", "▁wor", "ld", "▁H", "ll", "▁w", "or", "▁", "H", "e", "l", "o", "w", "r", "d"];
    const int HelloId = 259, WorldId = 260, SpaceId = 269, InstId = 277, EndInstId = 278;

    static TempDirectory Model(string? tokenizerConfig = null, bool removeExtraWhitespaces = false)
    {
        var directory = new TempDirectory();
        File.WriteAllBytes(directory.File("tokenizer.model"), SentencePieceModelBuilder.Build(Pieces, ["[INST]", "[/INST]"], removeExtraWhitespaces));
        if (tokenizerConfig is not null)
            directory.Write("tokenizer_config.json", tokenizerConfig);
        return directory;
    }

    const string MistralConfig = """
        {
          "add_bos_token": true,
          "bos_token": "<s>",
          "eos_token": "</s>",
          "unk_token": "<unk>",
          "legacy": false,
          "chat_template": "{{ bos_token }}{% for m in messages %}[INST] {{ m.content }}[/INST]{% endfor %}",
          "added_tokens_decoder": {
            "277": {"content": "[INST]", "special": true},
            "278": {"content": "[/INST]", "special": true}
          }
        }
        """;

    [Fact]
    public void EncodesWithTheDummyPrefixAndDecodesBack()
    {
        using var directory = Model();
        var tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.IsType<SentencePieceTokenizer>(tokenizer.Inner);
        Assert.Equal([HelloId, WorldId], tokenizer.Encode("Hello world"));
        Assert.Equal("Hello world", tokenizer.Decode([HelloId, WorldId]));
        Assert.Equal(1, tokenizer.BosTokenId);
        Assert.Equal("<s>", tokenizer.BosToken);
        Assert.Equal(2, tokenizer.EosTokenId);
        Assert.Equal(0, tokenizer.UnknownTokenId);
        Assert.True(tokenizer.AddBosToken);
        Assert.Equal([1, HelloId, WorldId], tokenizer.Encode("Hello world", addBos: true));
        Assert.Equal("Hello world", tokenizer.Decode([1, HelloId, WorldId, 2]));
        Assert.Equal(279, tokenizer.VocabularySize);
    }

    [Theory]
    [InlineData("x😀 ü")]
    [InlineData("  Hello   world  ")]
    [InlineData("日本語\nline two\ttab")]
    public void ByteFallbackRoundTripsAnyText(string text)
    {
        using var directory = Model();
        var tokenizer = ModelTokenizer.Load(directory.Path);
        var ids = tokenizer.Encode(text);
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData("x😀 ü")]
    [InlineData("  Hello   world  ")]
    [InlineData("Hello world Hello world Hello world")]
    [InlineData("[INST] Hello [/INST] world")]
    public void TheMinimumTokenCountIsNeverAboveTheCount(string text)
    {
        using var directory = Model(MistralConfig);
        var tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.InRange(tokenizer.MinimumTokenCount(text), text.Length == 0 ? 0 : 1, tokenizer.Encode(text).Count);
    }

    [Fact]
    public void UnderTheIdentityNormalizerEveryCharOfATextCounts()
    {
        // Llama 2's and Mistral's normalizer only escapes spaces and adds a prefix: a question's length bounds its
        // tokens within any prompt, so an oversized one is refused before the prompt is rendered.
        using var directory = Model(MistralConfig);
        var tokenizer = ModelTokenizer.Load(directory.Path);
        string question = new('x', 100_000);
        long bound = tokenizer.MinimumTokenCountWithin(question);
        Assert.Equal((100_000 + tokenizer.LongestToken - 1) / tokenizer.LongestToken, bound);
        Assert.InRange(bound, 1, tokenizer.Encode("[INST] " + question + " [/INST]").Count);
    }

    [Theory]
    [InlineData("  Hello   world  ")]
    [InlineData("a\t\tb\n\n\nc")]
    [InlineData("                                        x")]
    [InlineData("Hello world Hello world Hello world")]
    public void RemovedWhitespaceCountsNothing(string escaped)
    {
        string text = System.Text.RegularExpressions.Regex.Unescape(escaped);
        using var directory = Model(MistralConfig, removeExtraWhitespaces: true);
        var tokenizer = ModelTokenizer.Load(directory.Path);
        long kept = text.Count(c => c != ' ');
        Assert.Equal((kept + tokenizer.LongestToken - 1) / tokenizer.LongestToken, tokenizer.MinimumTokenCountWithin(text));
        Assert.InRange(tokenizer.MinimumTokenCountWithin(text), 1, tokenizer.Encode(text).Count);
        Assert.InRange(tokenizer.MinimumTokenCountWithin(text), 1, tokenizer.Encode("[INST]" + text + "[/INST]").Count);
    }

    [Theory]
    [InlineData("H", "▁H")]
    [InlineData("  H  ", "▁H")]
    [InlineData("H  e", "▁H▁e")]
    [InlineData("   Hello  world ", "▁Hello▁world")]
    public void ExtraSpacesAreRemovedAsSentencePieceDoes(string text, string pieces)
    {
        // Microsoft.ML.Tokenizers' own normalizer gave "" for "H" and "  H  ", so no ids at all.
        using var directory = Model(removeExtraWhitespaces: true);
        var tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.Equal(pieces, string.Concat(tokenizer.Encode(text).Select(tokenizer.IdToToken)));
    }

    [Fact]
    public void TheCharacterMapIsReadFromTheNormalizerSpec()
    {
        Assert.Equal([1, 2, 3, 4], SentencePieceNormalizerRules.CharsMap(SentencePieceModelBuilder.Build(Pieces, [], charsMap: [1, 2, 3, 4])));
        Assert.Null(SentencePieceNormalizerRules.CharsMap(SentencePieceModelBuilder.Build(Pieces, [])));
        Assert.Null(SentencePieceNormalizerRules.CharsMap(SentencePieceModelBuilder.Build(Pieces, [], charsMap: [])));
    }

    [Fact]
    public void EmojiFallsBackToItsUtf8Bytes()
    {
        using var directory = Model();
        var tokenizer = ModelTokenizer.Load(directory.Path);
        // "😀" is F0 9F 98 80; byte b is piece <0xb> at id 3 + b, after the dummy-prefix "▁".
        Assert.Equal([SpaceId, 3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80], tokenizer.Encode("😀"));
    }

    [Fact]
    public void MistralControlTokensAreSingleIdsAndNonLegacySpacing()
    {
        using var directory = Model(MistralConfig);
        var tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.Equal(ChatTemplateKind.Mistral, tokenizer.ChatTemplate.Kind);
        string prompt = tokenizer.ChatTemplate.Render([ChatMessage.FromUser("Hello world")]);
        Assert.Equal("<s>[INST] Hello world[/INST]", prompt);
        // As mistral_common: [INST] then "▁Hello" (the space after [INST] is the word's own), not "▁" "▁Hello".
        Assert.Equal([1, InstId, HelloId, WorldId, EndInstId], tokenizer.Encode(prompt));
        Assert.Equal("Hello world", tokenizer.Decode(tokenizer.Encode(prompt)));
        Assert.Equal("<s>[INST] Hello world[/INST]", tokenizer.Decode(tokenizer.Encode(prompt), skipSpecialTokens: false));
        Assert.True(tokenizer.IsSpecial(InstId));
    }

    [Fact]
    public void LegacyModePrefixesEveryTextSegment()
    {
        using var directory = Model("""{"added_tokens_decoder": {"277": {"content": "[INST]", "special": true}}}""");
        var tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.Equal([InstId, SpaceId, HelloId], tokenizer.Encode("[INST] Hello"));
    }

    [Fact]
    public void ACorruptModelIsAModelFileException()
    {
        using var directory = new TempDirectory();
        File.WriteAllBytes(directory.File("tokenizer.model"), [0x0A, 0xFF, 0xFF, 0x01, 0x02]);
        var error = Assert.Throws<ModelFileException>(() => ModelTokenizer.Load(directory.Path));
        Assert.EndsWith("tokenizer.model", error.FilePath);
    }
}
