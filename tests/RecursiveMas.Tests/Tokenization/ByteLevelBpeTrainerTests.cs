using System.Diagnostics;
using System.Text;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Tokenization;

public class ByteLevelBpeTrainerTests
{
    static readonly string[] Specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];

    /// <summary>Deterministic pseudo-text: words drawn from a small lexicon with a fixed-seed generator.</summary>
    static List<string> Corpus(int documents, int wordsPerDocument)
    {
        string[] lexicon =
        [
            "the", "agent", "thinks", "about", "latent", "vectors", "and", "then", "answers", "question", "model",
            "recursive", "system", "tokens", "are", "merged", "into", "words", "café", "naïve", "日本", "語",
            "😀", "42", "3.14", "don't", "we're", "(x)", "->", "\n", "  ", "\t",
        ];
        var random = new Random(1234);
        var documentsOut = new List<string>(documents);
        for (int d = 0; d < documents; d++)
        {
            var text = new StringBuilder();
            for (int w = 0; w < wordsPerDocument; w++)
            {
                if (w > 0 && random.Next(4) != 0)
                    text.Append(' ');
                text.Append(lexicon[random.Next(lexicon.Length)]);
            }
            text.Append("<|endoftext|>");
            documentsOut.Add(text.ToString());
        }
        return documentsOut;
    }

    [Fact]
    public void ATrainedTokenizerLoadsAndRoundTrips()
    {
        var trained = ByteLevelBpeTrainer.Train(Corpus(200, 60), vocabSize: 400, Specials);
        Assert.Equal(400, trained.Vocabulary.Count);
        Assert.Equal(Specials, trained.AddedTokens.Select(t => t.Content));
        Assert.Equal([0, 1, 2], trained.AddedTokens.Select(t => t.Id));

        using var directory = new TempDirectory();
        trained.WriteTokenizerJson(directory.File("tokenizer.json"));
        var tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.Equal(400, tokenizer.VocabularySize);
        Assert.Equal(0, tokenizer.EosTokenId);

        foreach (var text in new[]
        {
            "the agent thinks about latent vectors",
            "unseen: Zürich, 中文, 👍🏽 and\r\nwindows lines\t\ttabs ",
            "",
        })
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));

        // Learned words take fewer ids than bytes; special tokens stay whole.
        Assert.True(tokenizer.Encode(" recursive").Count < " recursive".Length);
        var ids = tokenizer.Encode("<|im_start|>the agent<|im_end|><|endoftext|>");
        Assert.Equal([1], ids.Take(1));
        Assert.Equal([2, 0], ids.TakeLast(2));
        Assert.Equal("the agent", tokenizer.Decode(ids));
    }

    [Fact]
    public void WithDigitsApartNoNumberBecomesOneTokenAndTheFileSaysSo()
    {
        var corpus = Enumerable.Range(0, 300).Select(i => $"{i} + {i % 7} = {i + i % 7}. the answer is {i * 3}").ToList();
        var gpt2 = ByteLevelBpeTrainer.Train(corpus, 400, Specials);
        var apart = ByteLevelBpeTrainer.Train(corpus, 400, Specials, PreTokenizerPatterns.DigitsApart);
        // GPT-2's pattern keeps " 12" whole, so frequent numbers are learned as tokens; digits apart never are.
        Assert.Contains(gpt2.Vocabulary.Keys, t => t.Count(char.IsDigit) > 1);
        Assert.DoesNotContain(apart.Vocabulary.Keys, t => t.Count(char.IsDigit) > 1);

        using var directory = new TempDirectory();
        apart.WriteTokenizerJson(directory.File("tokenizer.json"));
        var tokenizer = ModelTokenizer.Load(directory.Path);
        var ids = tokenizer.Encode("12 + 30 = 42. the answer is 126");
        Assert.Equal(["1", "2", " +", " 3", "0", " =", " 4", "2", "."], ids.Take(9).Select(id => tokenizer.Decode([id])));
        Assert.Equal("12 + 30 = 42. the answer is 126", tokenizer.Decode(ids));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(directory.File("tokenizer.json")));
        var pre = json.RootElement.GetProperty("pre_tokenizer");
        Assert.Equal("Sequence", pre.GetProperty("type").GetString());
        Assert.Equal(PreTokenizerPatterns.DigitsApart, pre.GetProperty("pretokenizers")[0].GetProperty("pattern").GetProperty("Regex").GetString());
        Assert.False(pre.GetProperty("pretokenizers")[1].GetProperty("use_regex").GetBoolean());
    }

    [Fact]
    public void TrainingIsDeterministicToTheByte()
    {
        var corpus = Corpus(150, 50);
        using var directory = new TempDirectory();
        ByteLevelBpeTrainer.Train(corpus, 500, Specials).WriteTokenizerJson(directory.File("a.json"));
        ByteLevelBpeTrainer.Train(corpus, 500, Specials).WriteTokenizerJson(directory.File("b.json"));
        Assert.Equal(File.ReadAllBytes(directory.File("a.json")), File.ReadAllBytes(directory.File("b.json")));
        // Atomic writes leave no temporary files behind.
        Assert.Equal(["a.json", "b.json"], Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void TiesGoToTheLexicallySmallestPairAndSingletonsAreNotMerged()
    {
        // Pre-tokens: "ab", " ab", " cd", " cd". Pairs (a,b), (c,d) and (Ġ,c) all occur twice; "a" < "c" < "Ġ".
        var trained = ByteLevelBpeTrainer.Train(["ab ab cd cd"], vocabSize: 1000, []);
        Assert.Equal([("a", "b"), ("c", "d"), ("Ġ", "cd")], trained.Merges);
        Assert.Equal(259, trained.Vocabulary.Count);
        Assert.Equal(256, trained.Vocabulary["ab"]);
    }

    [Fact]
    public void ThousandsOfMergesOverMegabytesTakeSeconds()
    {
        // Words of random syllables give a large, Zipf-less vocabulary with plenty to merge.
        string[] syllables = ["ka", "to", "ri", "mu", "sen", "dal", "qu", "ix", "or", "be", "lo", "th", "ng", "ae", "zu", "pe"];
        var random = new Random(7);
        var corpus = new List<string>();
        for (int d = 0; d < 2000; d++)
        {
            var text = new StringBuilder();
            for (int w = 0; w < 100; w++)
            {
                text.Append(' ');
                for (int s = random.Next(1, 4); s > 0; s--)
                    text.Append(syllables[random.Next(syllables.Length)]);
            }
            corpus.Add(text.ToString());
        }
        Assert.True(corpus.Sum(t => t.Length) > 1_000_000);
        // A megabyte trains to 3,000 tokens (about a second here; tests assert behaviour, not time).
        var trained = ByteLevelBpeTrainer.Train(corpus, vocabSize: 3000, Specials);
        Assert.True(trained.Merges.Count >= 2500, $"only {trained.Merges.Count} merges");
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ByteLevelBpeTrainer.Train(["x"], 258, Specials));
        Assert.Throws<ArgumentException>(() => ByteLevelBpeTrainer.Train(["x"], 300, ["<a>", "<a>"]));
        using var directory = new TempDirectory();
        var vocab = new Dictionary<string, int> { ["a"] = 0, ["b"] = 1 };
        Assert.Throws<ArgumentException>(() => ByteLevelBpeTokenizerJson.Write(directory.File("t.json"), vocab, [("a", "b")], []));
        Assert.Throws<ArgumentException>(() => ByteLevelBpeTokenizerJson.Write(directory.File("t.json"), vocab, [], [new AddedToken(1, "<x>")]));
        Assert.Empty(Directory.GetFiles(directory.Path));
    }
}
