using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Tokenization;

/// <summary>
/// SentencePiece models with a precompiled character map, spm_train's default (nmt_nfkc) and most self-trained
/// models': a real map (Fixtures/README.md) in a model these tests write. Expectations come from .NET's NFKC, which
/// nmt_nfkc equals on the characters used, and from SentencePiece's documented space rules.
/// </summary>
public class SentencePieceCharsMapTests
{
    // Every char the expectations hold is a piece of its own, so the pieces spell the normalized text. Ids: <unk>=0,
    // <s>=1, </s>=2, 256 byte pieces, then these from 259, then the controls.
    static readonly string[] Pieces = ["▁", "5", "A", "1", "f", "i", "h", "t", "e", "r", "a", "\u0308"];
    static readonly int InstId = 259 + Pieces.Length, EndInstId = InstId + 1;

    internal static byte[] NmtNfkc { get; } = Unzip(Path.Combine(RepositoryRoot.Path, "tests", "RecursiveMas.Tests", "Tokenization", "Fixtures", "nmt_nfkc.charsmap.gz"));

    static byte[] Unzip(string path)
    {
        using var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    static TempDirectory Model(byte[]? charsMap = null)
    {
        var directory = new TempDirectory();
        File.WriteAllBytes(directory.File("tokenizer.model"),
            SentencePieceModelBuilder.Build(Pieces, ["[INST]", "[/INST]"], removeExtraWhitespaces: true, charsMap: charsMap ?? NmtNfkc));
        directory.Write("tokenizer_config.json", $$"""
            {"added_tokens_decoder": {
              "{{InstId}}": {"content": "[INST]", "special": true},
              "{{EndInstId}}": {"content": "[/INST]", "special": true} } }
            """);
        return directory;
    }

    static string Pieced(ModelTokenizer tokenizer, string text) => string.Concat(tokenizer.Encode(text).Select(tokenizer.IdToToken));

    [Theory]
    [InlineData("5")]
    [InlineData(" 5 ")]
    [InlineData("A")]
    public void OneCharEncodesWithItsDummyPrefix(string text)
    {
        // Microsoft.ML.Tokenizers' normalizer gave no ids at all here; SentencePiece gives "▁5".
        using var directory = Model();
        var tokenizer = ModelTokenizer.Load(directory.Path);
        string expected = "▁" + text.Trim();
        Assert.Equal(expected, Pieced(tokenizer, text));
        // A user message "5" between special tokens: the same stretch.
        int[] ids = [.. tokenizer.Encode("[INST]" + text + "[/INST]")];
        Assert.Equal(InstId, ids[0]);
        Assert.Equal(EndInstId, ids[^1]);
        Assert.Equal(expected, string.Concat(ids[1..^1].Select(tokenizer.IdToToken)));
    }

    [Theory]
    [InlineData("ﬁ")]
    [InlineData("Ａ")]
    [InlineData("５")]
    [InlineData("①")]
    [InlineData("ﬁ５Ａ①ﬁ")]
    public void CompatibilityCharactersBecomeTheirNfkc(string text)
    {
        // The library applied no map to string input: "ﬁ" went in as itself (and, alone, gave nothing).
        using var directory = Model();
        var tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.Equal("▁" + text.Normalize(NormalizationForm.FormKC), Pieced(tokenizer, text));
    }

    [Theory]
    [InlineData("\u3000hi\u3000\u3000there\u3000")]
    [InlineData("5\u00A0\u00A05")]
    [InlineData("a ¨")]
    [InlineData("  ﬁ \u3000 ¨¨ \u3000")]
    public void SpacesTheMapMakesAreRemovedAsSentencePieceRemovesSpaces(string text)
    {
        // NFKC makes U+3000 and U+00A0 a space, and "¨" a space and U+0308; then, as SentencePiece documents: no
        // space at either end, one for each run, ▁ for each, and ▁ before the text.
        using var directory = Model();
        var tokenizer = ModelTokenizer.Load(directory.Path);
        string spaced = Regex.Replace(text.Normalize(NormalizationForm.FormKC), " +", " ").Trim(' ');
        Assert.Equal("▁" + spaced.Replace(' ', '▁'), Pieced(tokenizer, text));
    }

    [Fact]
    public void AnAsciiQuestionIsBoundedBeforeItsPromptIsRendered()
    {
        // Before, a map left no bound at all (0): a question far past any context was rendered into its prompts first.
        using var directory = Model();
        var tokenizer = ModelTokenizer.Load(directory.Path);
        string question = string.Concat(Enumerable.Repeat("fifth tier ", 2000));
        long bound = tokenizer.MinimumTokenCountWithin(question);
        Assert.True(bound > 0);
        Assert.InRange(bound, 1, tokenizer.Encode("[INST] " + question + "[/INST]").Count);
        Assert.InRange(bound, 1, tokenizer.Encode(question).Count);
    }

    [Theory]
    // "e" may take a combining mark that follows it ("é" is a key of the map), so a last "e" counts nothing; one
    // followed by another letter is itself whatever comes after. Spaces may go, and nmt_nfkc drops control characters.
    [InlineData("abc e", 3)]
    [InlineData("ee", 1)]
    [InlineData("\u0007\u0007\u0007", 0)]
    [InlineData("ﬁ①", 0)]
    [InlineData("▁▁", 0)]
    public void OnlyCharsTheMapSurelyKeepsCount(string text, int kept)
    {
        using var directory = Model();
        var tokenizer = ModelTokenizer.Load(directory.Path);
        var normalizer = new SentencePieceTextNormalizer(PrecompiledCharsMap.Read(NmtNfkc), addDummyPrefix: true,
            removeExtraWhitespaces: true, escapeWhitespaces: true, whitespaceAsSuffix: false);
        Assert.Equal(kept * TokenCodec.PartsPerUnit, normalizer.KeptParts(text));
        // Whatever surrounds it, the normalized whole keeps at least that much of it.
        foreach (string before in new[] { "", "e", " ", "\u0301" })
            foreach (string after in new[] { "", "e", " ", "\u0301", "\u0007" })
                Assert.InRange(kept, 0, normalizer.Normalize(before + text + after).Length);
        Assert.InRange(tokenizer.MinimumTokenCountWithin(text), 0, tokenizer.Encode("[INST]" + text + "\u0301[/INST]").Count);
    }

    [Fact]
    public void ACorruptMapIsAModelFileExceptionNamingTheField()
    {
        // The trie whole, but its replacements cut short: leaves point past them.
        int trieBytes = BitConverter.ToInt32(NmtNfkc, 0);
        using var directory = Model(NmtNfkc[..(4 + trieBytes + 16)]);
        var error = Assert.Throws<ModelFileException>(() => ModelTokenizer.Load(directory.Path));
        Assert.Equal(SentencePieceNormalizerRules.CharsMapField, error.Item);
        Assert.Contains("NUL-terminated", error.Message);
    }
}
