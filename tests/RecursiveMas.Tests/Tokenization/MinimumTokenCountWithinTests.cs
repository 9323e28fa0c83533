using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Tokenization;

/// <summary>
/// <see cref="ModelTokenizer.MinimumTokenCountWithin"/>, the bound a question is refused by before any prompt is
/// rendered around it: never above the count of a text that holds it, and exact at the edge for every tokenizer kind
/// that has one (byte-level BPE from either file, tiktoken, byte-level under a Unicode normalizer).
/// </summary>
public sealed class MinimumTokenCountWithinTests(Gpt2Fixture gpt2) : IClassFixture<Gpt2Fixture>
{
    static readonly string[] Texts =
    [
        "Hello world", "  leading spaces,   inner runs\tand\t\ttabs   ", "日本語のテキストと中文，还有한국어",
        "emoji 😀👍🏽 🎉 and a family 👨‍👩‍👧", new string(' ', 3000), new string('-', 3000), "<|endoftext|><|endoftext|>x",
        "\u0301\u0323abc e\u0301\u0302", "\u1100\u1161\u11a8 \u03b1\u0313\u0300\u0345", "𝛂\u0313\u0300\u0345", "ﬁﬃ ㍿ ①",
        string.Concat(Enumerable.Repeat(" ----------------", 200)),
    ];

    // What may stand around a question in a prompt: chat text, added tokens, and chars that join its ends (a base
    // letter a leading combining mark composes with, a mark composing with a trailing letter, half an added token).
    static readonly (string Before, string After)[] Surroundings =
    [
        ("", ""), ("Question: ", " Answer:"), ("e", "\u0301"), ("\u1100", "\u11a8"), ("<|endoftext|>", "<|endoftext|>"), ("<|endof", "text|>"),
    ];

    IEnumerable<(string Kind, ModelTokenizer Tokenizer)> Tokenizers()
    {
        foreach (var format in gpt2.All)
            yield return format;
        yield return ("byte-level under NFC", TinyNfc.Value);
    }

    static readonly Lazy<ModelTokenizer> TinyNfc = new(() =>
    {
        using var directory = new TempDirectory();
        TinyTokenizerJson.Write(directory, TinyTokenizerJson.Create());
        return ModelTokenizer.Load(directory.Path);
    });

    [Fact]
    public void TheBoundIsNeverAboveTheCountOfATextHoldingIt()
    {
        foreach (var (kind, tokenizer) in Tokenizers())
            foreach (string text in Texts)
                foreach (var (before, after) in Surroundings)
                {
                    long bound = tokenizer.MinimumTokenCountWithin(text), count = tokenizer.Encode(before + text + after).Count;
                    Assert.True(bound <= count, $"{kind}: {bound} > {count} for \"{text[..Math.Min(30, text.Length)]}\" between \"{before}\" and \"{after}\"");
                }
    }

    [Fact]
    public void TheLongestTokenIsTheLongestEntryOrAddedToken()
    {
        // GPT-2's vocabulary spells a byte a char, as the three files give it: its longest entry's length is in bytes.
        int longestEntry = Gpt2Data.Instance.Vocab.Keys.Max(k => k.Length);
        Assert.True(longestEntry > "<|endoftext|>".Length);
        foreach (var (kind, tokenizer) in gpt2.All)
            Assert.True(longestEntry == tokenizer.LongestToken, $"{kind}: {tokenizer.LongestToken}, not {longestEntry}");
        // The tiny vocabulary's longest entry ("Ġworld") is shorter than its added tokens: "<|endoftext|>" stands for 13 bytes.
        Assert.Equal("<|endoftext|>".Length, TinyNfc.Value.LongestToken);
    }

    [Fact]
    public void TheBoundIsExactAtEveryMultipleOfTheLongestToken()
    {
        foreach (var (kind, tokenizer) in Tokenizers())
        {
            int longest = tokenizer.LongestToken;
            foreach (int m in new[] { 1, 2, 7, 4096 })
            {
                // ASCII, which no normalizer shortens: m tokens' worth is m, one char more is m + 1.
                Assert.True(m == tokenizer.MinimumTokenCountWithin(new string('-', longest * m)), $"{kind}: {longest * m} chars");
                Assert.True(m + 1 == tokenizer.MinimumTokenCountWithin(new string('-', longest * m + 1)), $"{kind}: {longest * m + 1} chars");
            }
        }
    }

    [Fact]
    public void CopiesOfTheLongestTokenEncodeToTheBound()
    {
        // The bound cannot be raised: a text of m copies of the longest token is m ids, and its bound is m.
        string endOfText = string.Concat(Enumerable.Repeat("<|endoftext|>", 5));
        Assert.Equal(5, TinyNfc.Value.Encode(endOfText).Count);
        Assert.Equal(5, TinyNfc.Value.MinimumTokenCountWithin(endOfText));

        var (entry, id) = Gpt2Data.Instance.Vocab.MaxBy(kv => kv.Key.Length);
        foreach (var (kind, tokenizer) in gpt2.All)
        {
            string text = tokenizer.Decode([id]);
            Assert.Equal(entry.Length, System.Text.Encoding.UTF8.GetByteCount(text));
            string copies = string.Concat(Enumerable.Repeat(text, 3));
            Assert.True(Enumerable.Repeat(id, 3).SequenceEqual(tokenizer.Encode(copies)), $"{kind}: {string.Join(",", tokenizer.Encode(copies))}");
            Assert.Equal(3, tokenizer.MinimumTokenCountWithin(copies));
        }
    }

    [Fact]
    public void UnderAUnicodeNormalizerOnlyAsciiCountsWhole()
    {
        // "e" + U+0301 composes to one char, so a char before a non-ASCII one (or at the end) counts an eighth.
        var tokenizer = TinyNfc.Value;
        int longest = tokenizer.LongestToken;
        Assert.Equal(1, tokenizer.MinimumTokenCountWithin(new string('\u0301', 8 * longest)));
        Assert.Equal(2, tokenizer.MinimumTokenCountWithin(new string('\u0301', 8 * longest + 1)));
        // Without a normalizer every char counts whole, in its UTF-8 bytes for a byte-level vocabulary: two for U+0301.
        Assert.Equal(16, gpt2.TokenizerJson.MinimumTokenCountWithin(new string('\u0301', 8 * gpt2.TokenizerJson.LongestToken)));
    }
}
