using System.Text;
using Microsoft.ML.Tokenizers;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Tokenization;

public class TiktokenTests
{
    /// <summary>A tiny rank file: the 256 single bytes at their byte value, then a few merged tokens.</summary>
    static void WriteTinyRanks(string path)
    {
        var lines = new List<string>();
        for (int b = 0; b < 256; b++)
            lines.Add(Convert.ToBase64String([(byte)b]) + " " + b);
        string[] merged = ["he", "ll", "hell", "hello", " w", "or", " wor", " world"];
        for (int i = 0; i < merged.Length; i++)
            lines.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(merged[i])) + " " + (256 + i));
        File.WriteAllLines(path, lines);
    }

    [Fact]
    public void ATiktokenFileWithConfigDeclaredSpecialTokensLoads()
    {
        using var directory = new TempDirectory();
        WriteTinyRanks(directory.File("tiny.tiktoken"));
        directory.Write("tokenizer_config.json", """
            {
              "bos_token": "<|begin_of_text|>",
              "eos_token": "<|eot_id|>",
              "added_tokens_decoder": {
                "300": {"content": "<|begin_of_text|>", "special": true},
                "301": {"content": "<|eot_id|>", "special": true}
              }
            }
            """);
        var tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.IsType<TiktokenTokenizer>(tokenizer.Inner);
        Assert.Equal([300, 259, 263, 301], tokenizer.Encode("<|begin_of_text|>hello world<|eot_id|>"));
        Assert.Equal("hello world", tokenizer.Decode([300, 259, 263, 301]));
        Assert.Equal("x😀 y", tokenizer.Decode(tokenizer.Encode("x😀 y")));
        Assert.Equal(301, tokenizer.EosTokenId);
        Assert.Contains(301, tokenizer.StopTokenIds);
        Assert.Equal(302, tokenizer.VocabularySize);
    }

    [Fact]
    public void ATiktokenTokenizerModelIsRecognisedByItsContent()
    {
        // Llama 3's original/tokenizer.model is a tiktoken file, not a SentencePiece protobuf.
        using var directory = new TempDirectory();
        WriteTinyRanks(directory.File("tokenizer.model"));
        var tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.IsType<TiktokenTokenizer>(tokenizer.Inner);
        Assert.Equal([259, 263], tokenizer.Encode("hello world"));
    }

    [Fact]
    public void ABadLineIsReportedByNumber()
    {
        using var directory = new TempDirectory();
        directory.Write("bad.tiktoken", "IQ== 0\nnot base64! 1\n");
        var error = Assert.Throws<ModelFileException>(() => ModelTokenizer.Load(directory.Path));
        Assert.EndsWith("bad.tiktoken", error.FilePath);
        Assert.Equal("line 2", error.Item);
    }
}
