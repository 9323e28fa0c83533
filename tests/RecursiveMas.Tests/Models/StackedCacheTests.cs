using RecursiveMas.Latent;
using RecursiveMas.Models;
using RecursiveMas.Models.Kernels;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

/// <summary>
/// Prompt-prefix reuse underneath: single-row prefix caches stacked into one batch (left-padded) and
/// continued with left-padded rest rows give each row what reading its whole prompt alone gives (full
/// attention, Qwen3.5's DeltaNet states), and leave the sources as they were. Gemma3's sliding layers count
/// cache positions, so their caches stack only one row at a time.
/// </summary>
public sealed class StackedCacheTests
{
    static long[] RandomIds(int seed, int length, int vocab)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (long)random.Next(5, vocab)).ToArray();
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen3")]
    [InlineData("qwen3_5")]
    public void StackedPrefixesContinuedTogetherEqualEachWholePromptAlone(string family)
    {
        using var model = TinyModels.Create(TinyModels.ByName(family));
        using var noGrad = no_grad();
        int vocab = model.Config.VocabSize;
        long[][] prefixes = [RandomIds(1, 6, vocab), RandomIds(2, 3, vocab), RandomIds(3, 9, vocab)];
        long[][] rests = [RandomIds(4, 5, vocab), RandomIds(5, 8, vocab), RandomIds(6, 2, vocab)];

        var sources = prefixes.Select(p =>
        {
            var cache = model.NewCache(1);
            model.Forward(new ForwardInput { InputIds = tensor(p).unsqueeze(0), Cache = cache }).Dispose();
            return cache;
        }).ToList();
        try
        {
            for (int pass = 0; pass < 2; pass++)
            {
                // Twice from the same sources: stacking and extending must not change them.
                using var stacked = KvCache.Stack(sources, extraCapacity: 16);
                Assert.Equal(9, stacked.Length);
                using var batch = LeftPaddedBatch.FromIds([.. rests.Select(r => (IReadOnlyList<int>)[.. r.Select(x => (int)x)])], 0, model.Device);
                using var together = model.Forward(new ForwardInput { InputIds = batch.Values, AttentionMask = batch.Mask, Cache = stacked });
                // One more position for every row: the decode step after the prompt.
                using var next = model.Forward(new ForwardInput { InputIds = tensor(new long[] { 7, 8, 9 }).unsqueeze(1), Cache = stacked });
                for (int i = 0; i < prefixes.Length; i++)
                {
                    using var alone = model.Forward(new ForwardInput { InputIds = tensor([.. prefixes[i], .. rests[i], 7 + i]).unsqueeze(0) });
                    TensorAssert.Close(alone.Hidden[0, ^2], together.Hidden[i, -1], 1e-4, $"{family} row {i} pass {pass}: end of prompt");
                    TensorAssert.Close(alone.Hidden[0, -1], next.Hidden[i, 0], 1e-4, $"{family} row {i} pass {pass}: next step");
                }
            }
            Assert.All(sources.Zip(prefixes), s => Assert.Equal(s.Second.Length, s.First.NextPosition.item<long>()));
        }
        finally
        {
            foreach (var source in sources)
                source.Dispose();
        }
    }

    [Fact]
    public void SlidingWindowCachesStackOneRowAtATime()
    {
        using var model = TinyModels.Create(TinyModels.ByName("gemma3"));
        using var noGrad = no_grad();
        long[] prefix = RandomIds(1, 9, model.Config.VocabSize), rest = RandomIds(2, 4, model.Config.VocabSize);
        using var source = model.NewCache(1);
        model.Forward(new ForwardInput { InputIds = tensor(prefix).unsqueeze(0), Cache = source }).Dispose();
        Assert.Throws<NotSupportedException>(() => KvCache.Stack([source, source]));
        // One row: the prefix continued equals the whole prompt, even past the window.
        using var one = KvCache.Stack([source]);
        using var continued = model.Forward(new ForwardInput { InputIds = tensor(rest).unsqueeze(0), Cache = one });
        using var alone = model.Forward(new ForwardInput { InputIds = tensor([.. prefix, .. rest]).unsqueeze(0) });
        TensorAssert.Close(alone.Hidden.narrow(1, prefix.Length, rest.Length), continued.Hidden, 1e-4, "gemma3 one row");
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen3")]
    public void APrefixContinuedFromTheSharedTextEqualsItReadWhole(string family)
    {
        using var model = TinyModels.Create(TinyModels.ByName(family));
        using var noGrad = no_grad();
        int vocab = model.Config.VocabSize;
        long[] head = RandomIds(1, 7, vocab), first = RandomIds(2, 5, vocab), second = RandomIds(3, 3, vocab);
        var one = new PromptPrefix([.. head.Concat(first).Select(i => (int)i)], head.Length);
        var two = new PromptPrefix([.. head.Concat(second).Select(i => (int)i)], head.Length);
        using var store = new PromptPrefixCache(model, long.MaxValue);
        using var whole = new PromptPrefixCache(model, long.MaxValue);
        foreach (var prefix in new[] { one, two })
        {
            using var continued = store.Stacked([prefix], 2);
            using var read = whole.Stacked([prefix.Ids], 2);
            // The next position read onto each: the last hidden state sees every cached key and value.
            using var next = tensor(new long[] { 4, 5 }).unsqueeze(0);
            using var a = model.Forward(new ForwardInput { InputIds = next, Cache = continued });
            using var b = model.Forward(new ForwardInput { InputIds = next, Cache = read });
            // The kernels' bits where they run (a continued prefill is the whole one position by position); libtorch's close.
            TensorAssert.Close(b.Hidden, a.Hidden, CpuLinear.Runs ? 0 : 1e-4, $"{family}, prefix of {prefix.Ids.Count}");
        }
        // The shared head was prefilled once: one miss for it, one per question, one hit for the second question.
        Assert.Equal((3L, 1L), (store.Misses, store.Hits));
    }

    [Fact]
    public void SharedIdsAreTheHeadsLeadingTokensLeavingTwo()
    {
        Assert.Equal(3, PromptPrefix.SharedIds([1, 2, 3], [1, 2, 3, 4, 5]));
        Assert.Equal(2, PromptPrefix.SharedIds([1, 2, 3], [1, 2, 9, 4, 5]));  // the tokenizer joined the head's end to the question
        Assert.Equal(2, PromptPrefix.SharedIds([1, 2, 3], [1, 2, 3, 4]));     // two ids are left to read
        Assert.Equal(0, PromptPrefix.SharedIds([1, 2, 3], [1, 2]));
        Assert.Equal(0, PromptPrefix.SharedIds([7], [1, 2, 3]));
        Assert.Equal(0, PromptPrefix.SharedIds(null, [1, 2, 3]));
    }

    [Fact]
    public void ThePrefixStoreKeepsItsBudgetAndCountsHits()
    {
        using var model = TinyModels.Create(TinyModels.ByName("llama"));
        using var noGrad = no_grad();
        IReadOnlyList<int> a = [5, 6, 7, 8], b = [9, 10, 11];
        using var probe = new PromptPrefixCache(model, long.MaxValue);
        probe.Stacked([a], 4).Dispose();
        long oneEntry = probe.Bytes;
        Assert.True(oneEntry > 0);

        // Room for one entry: the second evicts the first; reading the first again is a miss.
        using var store = new PromptPrefixCache(model, oneEntry + 1);
        store.Stacked([a, a], 4).Dispose();
        Assert.Equal((1L, 1L), (store.Misses, store.Hits));
        store.Stacked([b], 4).Dispose();
        Assert.Equal(1, store.Count);
        Assert.True(store.Bytes <= store.MaxBytes);
        store.Stacked([a], 4).Dispose();
        Assert.Equal((3L, 1L), (store.Misses, store.Hits));

        // A batch of two prefixes where the budget holds one: keeping the second must not dispose the first,
        // which the batch still reads.
        IReadOnlyList<int> c = [12, 13, 14, 15];
        using (var both = store.Stacked([a, c], 4))
            Assert.Equal(2, both.BatchSize);

        // A budget below one entry keeps nothing and still answers.
        using var none = new PromptPrefixCache(model, 1);
        using var stacked = none.Stacked([a, b], 4);
        Assert.Equal((0, 2), (none.Count, stacked.BatchSize));
    }
}
