using RecursiveMas.Decoding;
using RecursiveMas.Models;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Decoding;

public class TokenGeneratorTests
{
    static readonly IReadOnlySet<int> NoStops = new HashSet<int>();

    static ForwardInput Prompt(params long[] ids) => new() { InputIds = tensor(ids).unsqueeze(0) };

    /// <summary>Greedy decoding the slow way: a full forward over the whole sequence for every token.</summary>
    static List<int> GreedyWithoutCache(CausalLM model, long[] prompt, int steps)
    {
        var sequence = prompt.ToList();
        var generated = new List<int>();
        for (int i = 0; i < steps; i++)
        {
            using var output = model.Forward(new ForwardInput { InputIds = tensor(sequence.ToArray()).unsqueeze(0), LogitsToKeep = 1 });
            int next = (int)output.Logits![0][0].argmax().item<long>();
            generated.Add(next);
            sequence.Add(next);
        }
        return generated;
    }

    [Theory]
    [MemberData(nameof(TinyModels.AllFamilies), MemberType = typeof(TinyModels))]
    public void GreedyDecodingWithTheCacheEqualsRecomputingEverything(string family)
    {
        using var model = TinyModels.Create(TinyModels.ByName(family));
        long[] prompt = [5, 9, 17, 3, 33];
        var expected = GreedyWithoutCache(model, prompt, 12);
        var result = new TokenGenerator(model).Generate(Prompt(prompt), new SamplingOptions { MaxNewTokens = 12 }, NoStops).Single();
        Assert.Equal(expected, result.TokenIds);
        Assert.Equal(FinishReason.MaxNewTokens, result.Reason);
    }

    [Fact]
    public void ALeftPaddedBatchDecodesEachRowAsAlone()
    {
        using var model = TinyModels.Create(TinyModels.Llama());
        var generator = new TokenGenerator(model);
        IReadOnlyList<int>[] prompts = [[5, 6, 7, 8, 9, 10, 11], [12], [13, 14, 15], [40, 41, 42, 43, 44]];
        var options = new SamplingOptions { MaxNewTokens = 10 };

        var alone = prompts.Select(p => generator.Generate(Prompt(p.Select(i => (long)i).ToArray()), options, NoStops).Single()).ToArray();
        // Make rows stop at different times: the 4th token of row 1 becomes a stop token.
        var stops = new HashSet<int> { alone[1].TokenIds[3] };
        var aloneWithStops = prompts.Select(p => generator.Generate(Prompt(p.Select(i => (long)i).ToArray()), options, stops).Single()).ToArray();

        using var batch = LeftPaddedBatch.FromIds(prompts);
        var together = generator.Generate(new ForwardInput { InputIds = batch.Values, AttentionMask = batch.Mask }, options, stops);
        for (int r = 0; r < prompts.Length; r++)
        {
            Assert.Equal(aloneWithStops[r].TokenIds, together[r].TokenIds);
            Assert.Equal(aloneWithStops[r].Reason, together[r].Reason);
        }
        Assert.Equal(FinishReason.EndOfSequence, together[1].Reason);
        Assert.Equal(4, together[1].TokenIds.Count);
    }

    [Fact]
    public void SeededSamplingIsReproducibleAndTopKOneIsGreedy()
    {
        using var model = TinyModels.Create(TinyModels.Qwen3());
        var generator = new TokenGenerator(model);
        long[] prompt = [7, 8, 9];
        var sample = new SamplingOptions { Temperature = 1.5, TopP = 0.95, Seed = 42, MaxNewTokens = 20 };
        var a = generator.Generate(Prompt(prompt), sample, NoStops).Single();
        var b = generator.Generate(Prompt(prompt), sample, NoStops).Single();
        var c = generator.Generate(Prompt(prompt), sample with { Seed = 43 }, NoStops).Single();
        Assert.Equal(a.TokenIds, b.TokenIds);
        Assert.NotEqual(a.TokenIds, c.TokenIds);

        var greedy = generator.Generate(Prompt(prompt), new SamplingOptions { MaxNewTokens = 20 }, NoStops).Single();
        var topK1 = generator.Generate(Prompt(prompt), sample with { TopK = 1 }, NoStops).Single();
        var tinyTopP = generator.Generate(Prompt(prompt), sample with { TopP = 1e-6 }, NoStops).Single();
        Assert.Equal(greedy.TokenIds, topK1.TokenIds);
        Assert.Equal(greedy.TokenIds, tinyTopP.TokenIds);
    }

    [Fact]
    public void TopKAndTopPOnlyEverPickAllowedTokens()
    {
        var logits = tensor(new float[] { 4f, 3f, 2f, 1f, 0f, -1f }).unsqueeze(0).expand(2000, 6).contiguous();
        // Each row draws with its own generator: 2,000 seeds give 2,000 independent draws.
        long?[] seeds = [.. Enumerable.Range(0, 2000).Select(i => (long?)i)];
        using var topK = new TokenSampler(new SamplingOptions { Temperature = 1, TopK = 2 }, rowSeeds: seeds);
        var k = topK.Next(logits).data<long>().ToArray();
        Assert.All(k, id => Assert.InRange(id, 0, 1));
        Assert.Contains(1L, k);

        // softmax([4,3,2,...]) ≈ [0.64, 0.24, 0.09, ...]: top-p 0.8 keeps exactly the first two.
        using var topP = new TokenSampler(new SamplingOptions { Temperature = 1, TopP = 0.8 }, rowSeeds: [.. seeds.Select(x => x + 5000)]);
        var p = topP.Next(logits).data<long>().ToArray();
        Assert.All(p, id => Assert.InRange(id, 0, 1));
        Assert.Contains(1L, p);
    }

    [Fact]
    public void ARowDrawsWhatItDrawsAloneWhateverSharesItsBatch()
    {
        var flat = tensor(new float[] { 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f });
        var batch = stack([flat, flat * 2, flat], 0);
        var options = new SamplingOptions { Temperature = 1 };
        for (int trial = 0; trial < 5; trial++)
        {
            long?[] seeds = [40 + trial, 90 + trial, 40 + trial];
            using var together = new TokenSampler(options, rowSeeds: seeds);
            using var alone = new TokenSampler(options with { Seed = 40 + trial });
            var draws = new List<long[]>();
            var aloneDraws = new List<long>();
            for (int step = 0; step < 6; step++)
            {
                draws.Add(together.Next(batch).data<long>().ToArray());
                aloneDraws.Add(alone.Next(flat.unsqueeze(0)).data<long>()[0]);
            }
            Assert.Equal(aloneDraws, draws.Select(d => d[0]));
            Assert.Equal(aloneDraws, draws.Select(d => d[2]));
        }
        using var wrongRows = new TokenSampler(options, rowSeeds: [1, 2]);
        Assert.Throws<ArgumentException>(() => wrongRows.Next(batch));
    }

    [Fact]
    public void StopStringsCutTheText()
    {
        using var model = TinyModels.Create(TinyModels.Mistral());
        var generator = new TokenGenerator(model);
        string Decode(IReadOnlyList<int> ids) => string.Concat(ids.Select(i => $"<{i}>"));
        var free = generator.Generate(Prompt(3, 4, 5), new SamplingOptions { MaxNewTokens = 8 }, NoStops, Decode).Single();
        string stop = $"<{free.TokenIds[2]}>";
        int firstAt = free.TokenIds.ToList().IndexOf(free.TokenIds[2]);
        var stopped = generator.Generate(Prompt(3, 4, 5), new SamplingOptions { MaxNewTokens = 8, StopStrings = [stop] }, NoStops, Decode).Single();
        Assert.Equal(FinishReason.StopString, stopped.Reason);
        Assert.Equal(firstAt + 1, stopped.TokenIds.Count);
        Assert.Equal(Decode(free.TokenIds.Take(firstAt).ToList()), stopped.Text);
    }

    [Fact]
    public void EmbeddingPromptsDecodeLikeIdPrompts()
    {
        using var model = TinyModels.Create(TinyModels.Qwen2());
        var generator = new TokenGenerator(model);
        var ids = tensor(new long[] { 11, 12, 13, 14 }).unsqueeze(0);
        var fromIds = generator.Generate(new ForwardInput { InputIds = ids }, new SamplingOptions { MaxNewTokens = 6 }, NoStops).Single();
        var fromEmbeddings = generator.Generate(new ForwardInput { InputEmbeddings = model.Embed(ids) }, new SamplingOptions { MaxNewTokens = 6 }, NoStops).Single();
        Assert.Equal(fromIds.TokenIds, fromEmbeddings.TokenIds);
    }

    [Fact]
    public void InvalidOptionsAreRejectedByName()
    {
        Assert.Equal("Temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { Temperature = -1 }.Validate()).ParamName);
        Assert.Equal("TopP", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { TopP = 0 }.Validate()).ParamName);
        Assert.Equal("TopK", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { TopK = -2 }.Validate()).ParamName);
        Assert.Equal("MaxNewTokens", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { MaxNewTokens = 0 }.Validate()).ParamName);
    }
}
