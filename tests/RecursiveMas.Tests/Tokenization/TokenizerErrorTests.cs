using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Tokenization;

/// <summary>Every broken input is a ModelFileException naming the file and, where there is one, the field.</summary>
public class TokenizerErrorTests
{
    static ModelFileException LoadFails(TempDirectory directory) =>
        Assert.Throws<ModelFileException>(() => ModelTokenizer.Load(directory.Path));

    static ModelFileException TokenizerJsonFails(Action<JsonObject> breakIt)
    {
        using var directory = new TempDirectory();
        var json = TinyTokenizerJson.Create();
        breakIt(json);
        TinyTokenizerJson.Write(directory, json);
        var error = LoadFails(directory);
        Assert.Equal(directory.File("tokenizer.json"), error.FilePath);
        Assert.StartsWith(error.FilePath + ": ", error.Message);
        return error;
    }

    [Fact]
    public void AMissingDirectoryIsNamed()
    {
        string missing = Path.Combine(Path.GetTempPath(), "rmas-no-such-model-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<ModelFileException>(() => ModelTokenizer.Load(missing));
        Assert.Equal(missing, error.FilePath);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void ADirectoryWithoutTokenizerFilesSaysWhatItExpected()
    {
        using var directory = new TempDirectory();
        directory.Write("config.json", "{}");
        directory.Write("vocab.json", "{}"); // without merges.txt it is not a tokenizer
        var error = LoadFails(directory);
        Assert.Equal(directory.Path, error.FilePath);
        Assert.Contains("tokenizer.json", error.Message);
        Assert.Contains("tokenizer.model", error.Message);
    }

    [Fact]
    public void InvalidJsonIsReported()
    {
        using var directory = new TempDirectory();
        directory.Write("tokenizer.json", "{\"model\": {\"type\": \"BPE\", ");
        var error = LoadFails(directory);
        Assert.Equal(directory.File("tokenizer.json"), error.FilePath);
        Assert.Contains("not valid JSON", error.Message);
    }

    [Fact]
    public void MissingModelVocabIsNamed() =>
        Assert.Equal("model.vocab", TokenizerJsonFails(json => json["model"]!.AsObject().Remove("vocab")).Item);

    [Fact]
    public void MissingModelIsNamed() =>
        Assert.Equal("model", TokenizerJsonFails(json => json.Remove("model")).Item);

    [Fact]
    public void AWrongVocabEntryIsNamed()
    {
        var error = TokenizerJsonFails(json => json["model"]!["vocab"]!["hello"] = "twelve");
        Assert.Equal("model.vocab[\"hello\"]", error.Item);
    }

    [Theory]
    [InlineData("WordPiece")]
    [InlineData("Unigram")]
    [InlineData("WordLevel")]
    public void UnsupportedModelTypesAreNamed(string type)
    {
        var error = TokenizerJsonFails(json => json["model"]!["type"] = type);
        Assert.Equal("model.type", error.Item);
        Assert.Contains(type, error.Detail);
    }

    [Fact]
    public void ByteFallbackBpeIsUnsupported() =>
        Assert.Equal("model.byte_fallback", TokenizerJsonFails(json => json["model"]!["byte_fallback"] = true).Item);

    [Fact]
    public void AMetaspacePreTokenizerIsUnsupported()
    {
        var error = TokenizerJsonFails(json => json["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁" });
        Assert.Equal("pre_tokenizer.type", error.Item);
    }

    [Fact]
    public void ASequenceStepIsNamedByIndex()
    {
        var error = TokenizerJsonFails(json => json["pre_tokenizer"]!["pretokenizers"]!.AsArray().Insert(0, new JsonObject { ["type"] = "Digits" }));
        Assert.Equal("pre_tokenizer.pretokenizers[0].type", error.Item);
    }

    [Fact]
    public void ABadSplitRegexIsNamed()
    {
        var error = TokenizerJsonFails(json => json["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"]!["Regex"] = "(unclosed");
        Assert.Equal("pre_tokenizer.pretokenizers[0].pattern.Regex", error.Item);
    }

    [Fact]
    public void AnUnsupportedNormalizerOrDecoderIsNamed()
    {
        Assert.Equal("normalizer.type", TokenizerJsonFails(json => json["normalizer"] = new JsonObject { ["type"] = "Lowercase" }).Item);
        Assert.Equal("decoder.type", TokenizerJsonFails(json => json["decoder"] = new JsonObject { ["type"] = "Metaspace" }).Item);
    }

    [Fact]
    public void AMergeOfUnknownTokensIsNamedByIndex()
    {
        Assert.Equal("model.merges[10]", TokenizerJsonFails(json => json["model"]!["merges"]!.AsArray().Add("q zz")).Item);
        Assert.Equal("model.merges[10]", TokenizerJsonFails(json => json["model"]!["merges"]!.AsArray().Add("nospace")).Item);
        Assert.Equal("model.merges[10]", TokenizerJsonFails(json => json["model"]!["merges"]!.AsArray().Add(new JsonArray("a"))).Item);
    }

    [Fact]
    public void ABadAddedTokenIsNamed()
    {
        Assert.Equal("added_tokens[0].id", TokenizerJsonFails(json => json["added_tokens"]![0]!["id"] = -3).Item);
        Assert.Equal("added_tokens[1].content", TokenizerJsonFails(json => json["added_tokens"]![1]!.AsObject().Remove("content")).Item);
    }

    [Fact]
    public void ConfigErrorsNameTheirFileAndField()
    {
        using var directory = new TempDirectory();
        TinyTokenizerJson.Write(directory, TinyTokenizerJson.Create());

        directory.Write("tokenizer_config.json", """{"eos_token": "<|not_there|>"}""");
        var error = LoadFails(directory);
        Assert.Equal(directory.File("tokenizer_config.json"), error.FilePath);
        Assert.Equal("eos_token", error.Item);

        directory.Write("tokenizer_config.json", """{"eos_token": 7}""");
        Assert.Equal("eos_token", LoadFails(directory).Item);

        directory.Write("tokenizer_config.json", """{"added_tokens_decoder": {"x": {"content": "y"}}}""");
        Assert.Equal("added_tokens_decoder[\"x\"]", LoadFails(directory).Item);

        directory.Write("tokenizer_config.json", "not json");
        Assert.Contains("not valid JSON", LoadFails(directory).Message);

        File.Delete(directory.File("tokenizer_config.json"));
        directory.Write("generation_config.json", """{"eos_token_id": ["2"]}""");
        error = LoadFails(directory);
        Assert.Equal(directory.File("generation_config.json"), error.FilePath);
        Assert.Equal("eos_token_id[0]", error.Item);
    }

    [Theory]
    [InlineData("generation_config.json", "eos_token_id", "[2, 9999]")]   // a stop that could never come: the decode runs to its budget
    [InlineData("generation_config.json", "bos_token_id", "9999")]
    [InlineData("config.json", "pad_token_id", "9999")]
    public void DeclaredIdsPastTheModelsVocabularyAreRefusedNamingTheFileAndField(string file, string field, string value)
    {
        using var directory = new TempDirectory();
        TinyTokenizerJson.Write(directory, TinyTokenizerJson.Create());
        directory.Write(file, $$"""{"{{field}}": {{value}}}""");
        var tokenizer = ModelTokenizer.Load(directory.Path);

        var error = Assert.Throws<ModelFileException>(() => tokenizer.CheckFits(tokenizer.VocabularySize));
        Assert.Equal(directory.File(file), error.FilePath);
        Assert.Equal(field, error.Item);
        Assert.Contains("9999 is not a token", error.Detail);
    }

    [Fact]
    public void ABadMergesLineIsNamed()
    {
        using var directory = new TempDirectory();
        directory.Write("vocab.json", """{"a": 0, "b": 1, "ab": 2}""");
        directory.Write("merges.txt", "#version: 0.2\na b\na b c\n");
        var error = LoadFails(directory);
        Assert.Equal(directory.File("merges.txt"), error.FilePath);
        Assert.Equal("line 3", error.Item);
    }

    [Fact]
    public void AnUnsupportedTokenizerJsonFallsBackToTokenizerModel()
    {
        // Mistral ships a Metaspace/byte-fallback tokenizer.json next to a SentencePiece tokenizer.model.
        using var directory = new TempDirectory();
        var json = TinyTokenizerJson.Create();
        json["model"]!["byte_fallback"] = true;
        TinyTokenizerJson.Write(directory, json);
        File.WriteAllBytes(directory.File("tokenizer.model"), SentencePieceModelBuilder.Build(["▁Hi", "▁H", "▁", "H", "i"], []));
        var tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.IsType<SentencePieceTokenizer>(tokenizer.Inner);
        Assert.Equal([259], tokenizer.Encode("Hi"));
    }

    [Fact]
    public void AMalformedTokenizerJsonDoesNotFallBack()
    {
        using var directory = new TempDirectory();
        directory.Write("tokenizer.json", "[]");
        File.WriteAllBytes(directory.File("tokenizer.model"), SentencePieceModelBuilder.Build(["▁Hi", "▁H", "▁", "H", "i"], []));
        Assert.Equal(directory.File("tokenizer.json"), LoadFails(directory).FilePath);
    }
}
