using RecursiveMas.Models;
using RecursiveMas.Models.Blocks;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

/// <summary>The per-layer cache of Gemma3 (window-bounded sliding layers) and Qwen3.5 (DeltaNet states), and the delta rule's two forms.</summary>
public class HybridCacheTests
{
    static Tensor Ids(params long[] ids) => tensor(ids).unsqueeze(0);

    static long[] RandomIds(int seed, int length, int vocab)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (long)random.Next(5, vocab)).ToArray();
    }

    [Theory]
    [InlineData(5)]
    [InlineData(64)]   // exactly one chunk
    [InlineData(150)]  // three chunks, the last one padded
    public void TheChunkedDeltaRuleEqualsTheRecurrentForm(int length)
    {
        var generator = new Generator(17);
        long b = 2, h = 3, dk = 8, dv = 5;
        var q = GatedDeltaRule.L2Normalize(randn(b, h, length, dk, generator: generator)) / Math.Sqrt(dk);
        var k = GatedDeltaRule.L2Normalize(randn(b, h, length, dk, generator: generator));
        var v = randn(b, h, length, dv, generator: generator);
        var g = -rand(b, h, length, generator: generator) * 0.5;
        var beta = rand(b, h, length, generator: generator);
        var state = randn(b, h, dk, dv, generator: generator) * 0.3;

        var (recurrent, recurrentState) = GatedDeltaRule.Recurrent(q, k, v, g, beta, state);
        var (chunked, chunkedState) = GatedDeltaRule.Chunked(q, k, v, g, beta, state);
        TensorAssert.Close(recurrent, chunked, 1e-4, "outputs");
        TensorAssert.Close(recurrentState, chunkedState, 1e-4, "final state");
        // A small chunk size exercises many chunk boundaries on the same input.
        var (small, _) = GatedDeltaRule.Chunked(q, k, v, g, beta, state, chunkSize: 4);
        TensorAssert.Close(recurrent, small, 1e-4, "chunk size 4");
        // The state matters: starting from zero gives something else.
        var (fromZero, _) = GatedDeltaRule.Chunked(q, k, v, g, beta, null);
        Assert.True(TensorAssert.MaxAbsDiff(recurrent, fromZero) > 1e-3);
    }

    [Theory]
    [InlineData("qwen3_5")]
    [InlineData("gemma3")]
    public void TwelveTokensAtOnceEqualSevenThenFiveEqualOneByOne(string family)
    {
        using var model = TinyModels.Create(TinyModels.ByName(family));
        long[] ids = RandomIds(21, 12, model.Config.VocabSize);
        using var atOnce = model.Forward(new ForwardInput { InputIds = Ids(ids), LogitsToKeep = CausalLM.AllPositions });

        using var split = model.NewCache(1);
        using var first = model.Forward(new ForwardInput { InputIds = Ids(ids[..7]), Cache = split, LogitsToKeep = CausalLM.AllPositions });
        using var second = model.Forward(new ForwardInput { InputIds = Ids(ids[7..]), Cache = split, LogitsToKeep = CausalLM.AllPositions });
        TensorAssert.Close(atOnce.Hidden, cat([first.Hidden, second.Hidden], 1), 1e-4, "7 + 5 hidden");
        TensorAssert.Close(atOnce.Logits!, cat([first.Logits!, second.Logits!], 1), 1e-4, "7 + 5 logits");

        using var single = model.NewCache(1);
        var steps = ids.Select(id =>
        {
            using var step = model.Forward(new ForwardInput { InputIds = Ids(id), Cache = single });
            return step.Hidden.clone();
        }).ToList();
        TensorAssert.Close(atOnce.Hidden, cat(steps, 1), 1e-4, "one by one");
        Assert.Equal(12, single.Length);
    }

    [Fact]
    public void ASlidingLayerKeepsOnlyItsWindowAndStaysExactPastIt()
    {
        int window = 4;
        using var model = TinyModels.Create(TinyModels.Gemma3(window: window));
        long[] ids = RandomIds(5, 40, model.Config.VocabSize);
        using var full = model.Forward(new ForwardInput { InputIds = Ids(ids) });

        using var cache = model.NewCache(1, initialCapacity: 64);
        int prompt = 20; // a prefill longer than the window
        var pieces = new List<Tensor>();
        using (var first = model.Forward(new ForwardInput { InputIds = Ids(ids[..prompt]), Cache = cache }))
            pieces.Add(first.Hidden.clone());
        Assert.True(cache.StorageCapacity(0) <= 2 * window, $"sliding layer holds {cache.StorageCapacity(0)} positions after the prefill");
        for (int i = prompt; i < ids.Length; i++)
        {
            using var step = model.Forward(new ForwardInput { InputIds = Ids(ids[i]), Cache = cache });
            pieces.Add(step.Hidden.clone());
            Assert.True(cache.StorageCapacity(0) <= 2 * window, $"sliding layer holds {cache.StorageCapacity(0)} positions at step {i}");
            Assert.True(cache.StorageCapacity(2) <= 2 * window);
        }
        Assert.True(cache.StorageCapacity(1) >= ids.Length, "the global layer keeps everything");
        TensorAssert.Close(full.Hidden, cat(pieces, 1), 1e-4, "cached past the window vs full");

        // Within the window it can truncate; beyond it it says why not.
        cache.Truncate(ids.Length - 2);
        var e = Assert.Throws<NotSupportedException>(() => cache.Truncate(10));
        Assert.Contains("window", e.Message);
    }

    [Fact]
    public void AttentionSoftCappingMatchesTheNaiveReference()
    {
        using var model = TinyModels.Create(TinyModels.Gemma3(attentionSoftcap: 2));
        var naive = new NaiveDecoder(model);
        long[] ids = RandomIds(8, 9, model.Config.VocabSize);
        using var output = model.Forward(new ForwardInput { InputIds = Ids(ids), LogitsToKeep = CausalLM.AllPositions });
        var expected = naive.Forward(ids.Select(naive.Embedding).ToArray(), Enumerable.Range(0, ids.Length).Select(i => (long)i).ToArray());
        using var expectedHidden = tensor(expected.SelectMany(r => r).ToArray()).view(1, ids.Length, model.HiddenSize);
        TensorAssert.Close(expectedHidden, output.Hidden, 1e-4, "soft-capped attention");
        using var expectedLogits = tensor(expected.SelectMany(naive.Logits).ToArray()).view(1, ids.Length, model.Config.VocabSize);
        TensorAssert.Close(expectedLogits, output.Logits!, 1e-4, "soft-capped logits");
        Assert.True(output.Logits!.abs().max().item<float>() < 5, "final logits are capped at 5");
    }

    [Fact]
    public void HybridCacheClonesAndTruncatesToMarkedPoints()
    {
        using var model = TinyModels.Create(TinyModels.Qwen35());
        long[] prefix = RandomIds(1, 6, model.Config.VocabSize);
        long[] a = RandomIds(2, 3, model.Config.VocabSize), b = RandomIds(3, 4, model.Config.VocabSize);
        using var fresh = model.Forward(new ForwardInput { InputIds = Ids([.. prefix, .. a]) });

        using var cache = model.NewCache(1);
        model.Forward(new ForwardInput { InputIds = Ids(prefix), Cache = cache }).Dispose();
        using var branch = cache.Clone();
        cache.MarkTruncationPoint();
        using var viaClone = model.Forward(new ForwardInput { InputIds = Ids(a), Cache = branch });
        model.Forward(new ForwardInput { InputIds = Ids(b), Cache = cache }).Dispose();

        var e = Assert.Throws<NotSupportedException>(() => cache.Truncate(prefix.Length - 1));
        Assert.Contains("MarkTruncationPoint", e.Message);
        Assert.Equal(prefix.Length + b.Length, cache.Length); // a refused truncation changes nothing

        cache.Truncate(prefix.Length);
        using var viaTruncate = model.Forward(new ForwardInput { InputIds = Ids(a), Cache = cache });
        // One pass over prefix + a and a pass over a after the cached prefix run the delta rule in different
        // chunkings (float sums in another order): equal to ~1e-5, seen at 1.1e-5 under load; 1e-4 still
        // catches a wrong state (which differs by orders of magnitude more).
        TensorAssert.Close(fresh.Hidden.narrow(1, prefix.Length, a.Length), viaClone.Hidden, 1e-4, "clone");
        TensorAssert.Close(fresh.Hidden.narrow(1, prefix.Length, a.Length), viaTruncate.Hidden, 1e-4, "truncate");
        // The clone and the truncated cache hold the same state after the same prefix: the same sums exactly.
        TensorAssert.Close(viaClone.Hidden, viaTruncate.Hidden, 0, "clone vs truncate");

        cache.Truncate(0);
        using var again = model.Forward(new ForwardInput { InputIds = Ids([.. prefix, .. a]), Cache = cache });
        TensorAssert.Close(fresh.Hidden, again.Hidden, 1e-5, "truncate to empty");
    }

    [Fact]
    public void PaddingInTheMiddleOfAHybridBatchIsSkipped()
    {
        // A cached prefix per row, then a new chunk whose rows are left-padded: the padding sits between
        // cached and new tokens, where the convolution and the recurrent state must skip it.
        using var model = TinyModels.Create(TinyModels.Qwen35());
        long[][] prefixes = [RandomIds(40, 5, 97), RandomIds(41, 5, 97)];
        long[][] chunks = [RandomIds(42, 6, 97), RandomIds(43, 2, 97)];
        using var cache = model.NewCache(2);
        model.Forward(new ForwardInput { InputIds = tensor(prefixes.SelectMany(p => p).ToArray()).view(2, 5), Cache = cache }).Dispose();
        var ids = zeros(2, 6, ScalarType.Int64);
        var mask = zeros(2, 6, ScalarType.Int64);
        for (int r = 0; r < 2; r++)
        {
            ids[r].narrow(0, 6 - chunks[r].Length, chunks[r].Length).copy_(tensor(chunks[r]));
            mask[r].narrow(0, 6 - chunks[r].Length, chunks[r].Length).fill_(1);
        }
        using var chunk = model.Forward(new ForwardInput { InputIds = ids, AttentionMask = mask, Cache = cache });
        using var next = model.Forward(new ForwardInput { InputIds = tensor(new long[] { 11, 12 }).unsqueeze(1), Cache = cache });
        for (int r = 0; r < 2; r++)
        {
            long[] alone = [.. prefixes[r], .. chunks[r], 11 + r];
            using var single = model.Forward(new ForwardInput { InputIds = Ids(alone) });
            TensorAssert.Close(single.Hidden[0].narrow(0, 5, chunks[r].Length), chunk.Hidden[r].narrow(0, 6 - chunks[r].Length, chunks[r].Length), 1e-4, $"row {r} chunk");
            TensorAssert.Close(single.Hidden[0][alone.Length - 1], next.Hidden[r][0], 1e-4, $"row {r} next");
        }
    }
}
