using Microsoft.ML.Tokenizers;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Tokenization;

/// <summary>GPT-2's real vocabulary written in each supported file format, loaded through ModelTokenizer.</summary>
public sealed class Gpt2Fixture : IDisposable
{
    readonly TempDirectory _vocabMerges = new(), _tokenizerJson = new(), _tiktoken = new();

    public Gpt2Fixture()
    {
        var data = Gpt2Data.Instance;
        data.WriteVocabAndMerges(_vocabMerges.Path);
        ByteLevelBpeTokenizerJson.Write(_tokenizerJson.File("tokenizer.json"),
            data.Vocab.Where(kv => kv.Value != Gpt2Data.EndOfText).ToDictionary(),
            data.Merges, [new AddedToken(Gpt2Data.EndOfText, "<|endoftext|>")]);
        data.WriteTiktoken(_tiktoken.File("gpt2.tiktoken"));
        VocabMerges = ModelTokenizer.Load(_vocabMerges.Path);
        TokenizerJson = ModelTokenizer.Load(_tokenizerJson.Path);
        Tiktoken = ModelTokenizer.Load(_tiktoken.Path);
    }

    public ModelTokenizer VocabMerges { get; }

    public ModelTokenizer TokenizerJson { get; }

    public ModelTokenizer Tiktoken { get; }

    /// <summary>Microsoft.ML.Tokenizers' own GPT-2 encoding, an independent oracle for the ids.</summary>
    public Tokenizer Reference { get; } = TiktokenTokenizer.CreateForModel("gpt2");

    public IEnumerable<(string Format, ModelTokenizer Tokenizer)> All =>
        [("vocab.json+merges.txt", VocabMerges), ("tokenizer.json", TokenizerJson), ("gpt2.tiktoken", Tiktoken)];

    public void Dispose()
    {
        _vocabMerges.Dispose();
        _tokenizerJson.Dispose();
        _tiktoken.Dispose();
    }
}

public class Gpt2TokenizerTests(Gpt2Fixture gpt2) : IClassFixture<Gpt2Fixture>
{
    public static readonly TheoryData<string> Samples = new(
        "Hello world",
        "",
        " ",
        "  leading spaces,   inner runs\tand\t\ttabs   ",
        "line one\nline two\r\n\r\nline four\n\n",
        "héllo wörld, café crème brûlée, Ærøskøbing",
        "日本語のテキストと中文，还有한국어",
        "emoji 😀👍🏽 🎉 and a family 👨‍👩‍👧 in a row😀😀",
        "I'll say we're sure they've gone; DON'T",
        "numbers 12345 and 3.14159 and 1,000,000",
        "code: for (int i = 0; i < n; i++) { x[i] = \"q\"; }",
        "math 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ℝ∑∫√ and arabic ١٢٣");

    /// <summary>
    /// The count a prompt is refused by without encoding it is never above the real one — also for the texts a vocabulary
    /// packs tightest (runs its longest entries spell) — and is near it for those.
    /// </summary>
    [Fact]
    public void TheMinimumTokenCountIsNeverAboveTheCountAndReachesItOnTheLongestEntries()
    {
        string[] texts = ["Hello world", "  leading spaces,   inner runs\tand\t\ttabs   ", "日本語のテキストと中文，还有한국어", "emoji 😀👍🏽 🎉 and a family 👨‍👩‍👧", new string(' ', 5000), new string('-', 5000), string.Concat(Enumerable.Repeat("<|endoftext|>", 3)),
            "\u00e9" + new string('=', 999), string.Concat(Enumerable.Repeat(" ----------------", 300))];
        foreach (var (format, tokenizer) in gpt2.All)
            foreach (string text in texts)
            {
                long bound = tokenizer.MinimumTokenCount(text), count = tokenizer.Encode(text).Count;
                Assert.True(bound <= count, $"{format}: {bound} > {count} for \"{text[..Math.Min(40, text.Length)]}\"");
            }
        Assert.True(gpt2.TokenizerJson.MinimumTokenCount(new string('-', 1_000_000)) >= 1_000_000 / 128, "GPT-2's longest entry is well under 128 chars");
    }

    [Fact]
    public void HelloWorldHasGpt2sKnownIds()
    {
        foreach (var (format, tokenizer) in gpt2.All)
        {
            Assert.True(tokenizer.Encode("Hello world") is [15496, 995], format);
            Assert.True(tokenizer.Encode(" the") is [262], format);
            Assert.True(tokenizer.Encode("<|endoftext|>") is [Gpt2Data.EndOfText], format);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void EveryFormatMatchesTheReferenceAndRoundTrips(string text)
    {
        var expected = gpt2.Reference.EncodeToIds(text);
        foreach (var (format, tokenizer) in gpt2.All)
        {
            var ids = tokenizer.Encode(text);
            Assert.True(expected.SequenceEqual(ids), $"{format}: [{string.Join(",", ids)}] != [{string.Join(",", expected)}]");
            Assert.Equal(text, tokenizer.Decode(ids));
        }
    }

    [Fact]
    public void EndOfTextInsideTextIsOneSpecialIdSkippedByDecode()
    {
        foreach (var (format, tokenizer) in gpt2.All)
        {
            var ids = tokenizer.Encode("first<|endoftext|>second");
            Assert.Equal(1, ids.Count(id => id == Gpt2Data.EndOfText));
            Assert.Equal("firstsecond", tokenizer.Decode(ids));
            Assert.Equal("first<|endoftext|>second", tokenizer.Decode(ids, skipSpecialTokens: false));
            Assert.True(tokenizer.IsSpecial(Gpt2Data.EndOfText), format);
            Assert.False(tokenizer.IsSpecial(15496), format);
        }
    }

    [Fact]
    public void WithoutConfigsEndOfTextIsEosAndTheOnlyStop()
    {
        foreach (var (format, tokenizer) in gpt2.All)
        {
            Assert.Equal(50257, tokenizer.VocabularySize);
            Assert.Equal(Gpt2Data.EndOfText, tokenizer.EosTokenId);
            Assert.Equal("<|endoftext|>", tokenizer.EosToken);
            Assert.Null(tokenizer.BosTokenId);
            Assert.Equal([Gpt2Data.EndOfText], tokenizer.StopTokenIds.Order());
            Assert.Equal(ChatTemplateKind.Plain, tokenizer.ChatTemplate.Kind);
        }
    }

    [Fact]
    public void AnEmojiSplitAcrossTokensDecodesWhole()
    {
        foreach (var (format, tokenizer) in gpt2.All)
        {
            var ids = tokenizer.Encode("😀");
            Assert.True(ids.Count > 1, format);
            Assert.Equal("😀", tokenizer.Decode(ids));
            // Half an emoji is not an error: it decodes to the replacement character.
            Assert.Contains('\uFFFD', tokenizer.Decode(ids.Take(1)));
        }
    }

    [Fact]
    public void EachFormatIsLoadedFromItsOwnFile()
    {
        Assert.EndsWith("vocab.json", gpt2.VocabMerges.SourceFile);
        Assert.EndsWith("tokenizer.json", gpt2.TokenizerJson.SourceFile);
        Assert.EndsWith("gpt2.tiktoken", gpt2.Tiktoken.SourceFile);
        Assert.IsType<BpeTokenizer>(gpt2.TokenizerJson.Inner);
        Assert.IsType<TiktokenTokenizer>(gpt2.Tiktoken.Inner);
    }
}
