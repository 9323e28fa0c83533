using RecursiveMas.Models;
using RecursiveMas.Models.Kernels;
using RecursiveMas.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

public class CausalLMTests
{
    static Tensor Ids(params long[] ids) => tensor(ids).unsqueeze(0);

    static long[] RandomIds(int seed, int length, int vocab)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (long)random.Next(5, vocab)).ToArray();
    }

    /// <summary>Id rows left-padded to the longest: ids [B, T] (padding 0) and the attention mask [B, T] (1 = real).</summary>
    static (Tensor Ids, Tensor Mask) LeftPadded(IReadOnlyList<long[]> rows)
    {
        int width = rows.Max(r => r.Length);
        var ids = zeros(rows.Count, width, ScalarType.Int64);
        var mask = zeros(rows.Count, width, ScalarType.Int64);
        for (int r = 0; r < rows.Count; r++)
        {
            ids[r].narrow(0, width - rows[r].Length, rows[r].Length).copy_(tensor(rows[r]));
            mask[r].narrow(0, width - rows[r].Length, rows[r].Length).fill_(1);
        }
        return (ids, mask);
    }

    [Theory]
    [MemberData(nameof(TinyModels.AllFamilies), MemberType = typeof(TinyModels))]
    public void MatchesTheNaiveReferenceImplementation(string family)
    {
        using var model = TinyModels.Create(TinyModels.ByName(family));
        var naive = new NaiveDecoder(model);
        long[] ids = RandomIds(7, 11, model.Config.VocabSize);
        long[] positions = Enumerable.Range(0, ids.Length).Select(i => (long)i).ToArray();

        using var output = model.Forward(new ForwardInput { InputIds = Ids(ids), LogitsToKeep = CausalLM.AllPositions });
        var expected = naive.Forward(ids.Select(naive.Embedding).ToArray(), positions);

        using var expectedHidden = tensor(expected.SelectMany(r => r).ToArray()).view(1, ids.Length, model.HiddenSize);
        TensorAssert.Close(expectedHidden, output.Hidden, 1e-4, $"{family} hidden states");
        using var expectedLogits = tensor(expected.SelectMany(naive.Logits).ToArray()).view(1, ids.Length, model.Config.VocabSize);
        TensorAssert.Close(expectedLogits, output.Logits!, 1e-4, $"{family} logits");
    }

    [Theory]
    [MemberData(nameof(TinyModels.AllFamilies), MemberType = typeof(TinyModels))]
    public void CachedStepByStepDecodingGivesTheHiddenStatesOfOneFullForward(string family)
    {
        using var model = TinyModels.Create(TinyModels.ByName(family));
        long[] ids = RandomIds(3, 14, model.Config.VocabSize);
        using var full = model.Forward(new ForwardInput { InputIds = Ids(ids) });

        using var cache = model.NewCache(1, initialCapacity: 4); // small: forces the cache to grow
        int prompt = 5;
        var pieces = new List<Tensor>();
        using (var first = model.Forward(new ForwardInput { InputIds = Ids(ids[..prompt]), Cache = cache }))
            pieces.Add(first.Hidden.clone());
        for (int i = prompt; i < ids.Length; i++)
        {
            using var step = model.Forward(new ForwardInput { InputIds = Ids(ids[i]), Cache = cache });
            pieces.Add(step.Hidden.clone());
        }
        Assert.Equal(ids.Length, cache.Length);
        TensorAssert.Close(full.Hidden, cat(pieces, 1), 1e-4, $"{family} cached vs full");
    }

    [Theory]
    [MemberData(nameof(TinyModels.AllFamilies), MemberType = typeof(TinyModels))]
    public void LeftPaddedBatchGivesEachRowItsOwnHiddenStates(string family)
    {
        using var model = TinyModels.Create(TinyModels.ByName(family));
        int[] lengths = [9, 4, 7, 1];
        var rows = lengths.Select((n, i) => RandomIds(100 + i, n, model.Config.VocabSize)).ToArray();
        int width = lengths.Max();
        var (ids, mask) = LeftPadded(rows);

        using var cache = model.NewCache(rows.Length);
        using var batch = model.Forward(new ForwardInput { InputIds = ids, AttentionMask = mask, Cache = cache, LogitsToKeep = 1 });
        // Then three decode steps for every row at once.
        long[][] next = [[11, 12, 13], [21, 22, 23], [31, 32, 33], [41, 42, 43]];
        var stepHidden = new List<Tensor>();
        for (int s = 0; s < 3; s++)
        {
            using var step = model.Forward(new ForwardInput { InputIds = tensor(next.Select(n => n[s]).ToArray()).unsqueeze(1), Cache = cache });
            stepHidden.Add(step.Hidden.clone());
        }

        for (int r = 0; r < rows.Length; r++)
        {
            long[] alone = [.. rows[r], .. next[r]];
            using var single = model.Forward(new ForwardInput { InputIds = Ids(alone), LogitsToKeep = 1 + 3 });
            int pad = width - rows[r].Length;
            TensorAssert.Close(single.Hidden[0].narrow(0, 0, rows[r].Length), batch.Hidden[r].narrow(0, pad, rows[r].Length), 1e-4, $"{family} row {r} prompt");
            for (int s = 0; s < 3; s++)
                TensorAssert.Close(single.Hidden[0][rows[r].Length + s], stepHidden[s][r][0], 1e-4, $"{family} row {r} step {s}");
            TensorAssert.Close(single.Logits![0][0], batch.Logits![r][0], 1e-4, $"{family} row {r} last prompt logits");
        }
    }

    /// <summary>
    /// The continuous batcher's promise at the model: a row prefilled and stepped in a left-padded batch
    /// gets every bit it gets when the same calls run for it alone (the CPU kernels, attention included,
    /// make each row's result depend only on what it sees, not on the padding a batch adds; Qwen3.5's
    /// Gated DeltaNet normalises each row alone and runs a padded row's blocks from its own start).
    /// </summary>
    [Theory]
    [MemberData(nameof(TinyModels.AllFamilies), MemberType = typeof(TinyModels))]
    public void ARowGetsTheSameBitsInALeftPaddedBatchAsAlone(string family)
    {
        if (!CpuLinear.Available)
            return;
        using var model = TinyModels.Create(TinyModels.ByName(family));
        // Every row two positions or more: one position alone is a step, whose products sum in another
        // order than a prefill's (a row's path follows its own number of positions, see CpuLinear).
        int[] lengths = [9, 4, 7, 2];
        var rows = lengths.Select((n, i) => RandomIds(300 + i, n, model.Config.VocabSize)).ToArray();
        int width = lengths.Max();
        var (ids, mask) = LeftPadded(rows);
        long[][] next = [[11, 12, 13], [21, 22, 23], [31, 32, 33], [41, 42, 43]];

        using var cache = model.NewCache(rows.Length);
        using var batch = model.Forward(new ForwardInput { InputIds = ids, AttentionMask = mask, Cache = cache, LogitsToKeep = 1 });
        var batchSteps = new List<CausalLMOutput>();
        for (int s = 0; s < 3; s++)
            batchSteps.Add(model.Forward(new ForwardInput { InputIds = tensor(next.Select(n => n[s]).ToArray()).unsqueeze(1), Cache = cache, LogitsToKeep = 1 }));

        for (int r = 0; r < rows.Length; r++)
        {
            using var rowCache = model.NewCache(1);
            using var alone = model.Forward(new ForwardInput { InputIds = Ids(rows[r]), Cache = rowCache, LogitsToKeep = 1 });
            int pad = width - lengths[r];
            Assert.True(alone.Hidden[0].equal(batch.Hidden[r].narrow(0, pad, lengths[r])).all().item<bool>(), $"{family} row {r}: prompt hidden states differ");
            Assert.True(alone.Logits!.equal(batch.Logits!.narrow(0, r, 1)).all().item<bool>(), $"{family} row {r}: prompt logits differ");
            for (int s = 0; s < 3; s++)
            {
                using var step = model.Forward(new ForwardInput { InputIds = Ids([next[r][s]]), Cache = rowCache, LogitsToKeep = 1 });
                Assert.True(step.Logits!.equal(batchSteps[s].Logits!.narrow(0, r, 1)).all().item<bool>(), $"{family} row {r}: step {s} logits differ");
            }
        }
        batchSteps.ForEach(o => o.Dispose());
    }

    [Theory]
    [MemberData(nameof(TinyModels.AllFamilies), MemberType = typeof(TinyModels))]
    public void AChunkedPrefillOfALeftPaddedBatchGivesWhatOneForwardGives(string family)
    {
        using var model = TinyModels.Create(TinyModels.ByName(family));
        int[] lengths = [11, 3, 8];
        int width = lengths.Max();
        var (ids, mask) = LeftPadded(lengths.Select((n, r) => RandomIds(200 + r, n, model.Config.VocabSize)).ToArray());
        using var wholeCache = model.NewCache(lengths.Length);
        using var whole = model.Forward(new ForwardInput { InputIds = ids, AttentionMask = mask, Cache = wholeCache, LogitsToKeep = 2 });

        // Pieces of 4: the short row is all padding in the first piece.
        using var chunkedCache = model.NewCache(lengths.Length);
        using var chunked = model.Prefill(new ForwardInput { InputIds = ids, AttentionMask = mask, Cache = chunkedCache, LogitsToKeep = 2 }, chunkLength: 4);

        Assert.Equal(width, chunkedCache.Length);
        Assert.Equal(3, chunked.Hidden.shape[1]); // the last piece's positions
        TensorAssert.Close(whole.Hidden.narrow(1, width - 3, 3), chunked.Hidden, 1e-4, $"{family} last piece");
        TensorAssert.Close(whole.Logits!, chunked.Logits!, 1e-4, $"{family} logits");
        TensorAssert.Close(wholeCache.NextPosition, chunkedCache.NextPosition, 0, "next positions");
        // And a decode step after either prefill reads the same cache.
        using var afterWhole = model.Forward(new ForwardInput { InputIds = tensor(new long[] { 7, 8, 9 }).unsqueeze(1), Cache = wholeCache });
        using var afterChunked = model.Forward(new ForwardInput { InputIds = tensor(new long[] { 7, 8, 9 }).unsqueeze(1), Cache = chunkedCache });
        TensorAssert.Close(afterWhole.Hidden, afterChunked.Hidden, 1e-4, $"{family} step after prefill");
    }

    [Fact]
    public void ACancelledPrefillStopsBeforeItsFirstPiece()
    {
        using var model = TinyModels.Create(TinyModels.ByName("llama"));
        using var cache = model.NewCache(1);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => model.Prefill(
            new ForwardInput { InputIds = Ids(RandomIds(3, 20, model.Config.VocabSize)), Cache = cache }, chunkLength: 4, cancellationToken: cancelled.Token));
        Assert.Equal(0, cache.Length);
        Assert.Throws<ArgumentException>(() => model.Prefill(new ForwardInput { InputIds = Ids(1, 2, 3) }));
    }

    [Fact]
    public void InputEmbeddingsAndIdsGiveTheSameResult()
    {
        using var model = TinyModels.Create(TinyModels.Qwen3());
        var ids = Ids(RandomIds(5, 6, model.Config.VocabSize));
        using var fromIds = model.Forward(new ForwardInput { InputIds = ids, LogitsToKeep = 2 });
        using var fromEmbeddings = model.Forward(new ForwardInput { InputEmbeddings = model.Embed(ids), LogitsToKeep = 2 });
        TensorAssert.Close(fromIds.Hidden, fromEmbeddings.Hidden, 0);
        Assert.Equal([1L, 2, model.Config.VocabSize], fromEmbeddings.Logits!.shape);
        TensorAssert.Close(fromIds.Logits!, fromEmbeddings.Logits!, 0);
    }

    [Fact]
    public void LogitsForTheLastKPositionsEqualTheTailOfAllLogits()
    {
        using var model = TinyModels.Create(TinyModels.Llama());
        var ids = Ids(RandomIds(9, 8, model.Config.VocabSize));
        using var all = model.Forward(new ForwardInput { InputIds = ids, LogitsToKeep = CausalLM.AllPositions });
        using var last3 = model.Forward(new ForwardInput { InputIds = ids, LogitsToKeep = 3 });
        using var none = model.Forward(new ForwardInput { InputIds = ids });
        Assert.Null(none.Logits);
        TensorAssert.Close(all.Logits!.narrow(1, 5, 3), last3.Logits!, 1e-6);
    }

    [Fact]
    public void ExplicitPositionIdsOverrideTheDerivedOnes()
    {
        using var model = TinyModels.Create(TinyModels.Llama());
        var ids = Ids(RandomIds(4, 5, model.Config.VocabSize));
        using var derived = model.Forward(new ForwardInput { InputIds = ids });
        using var same = model.Forward(new ForwardInput { InputIds = ids, PositionIds = arange(5L).unsqueeze(0) });
        // RoPE is relative: a uniform shift changes nothing, a gap does.
        using var shifted = model.Forward(new ForwardInput { InputIds = ids, PositionIds = (arange(5L) + 7).unsqueeze(0) });
        using var gapped = model.Forward(new ForwardInput { InputIds = ids, PositionIds = tensor(new long[] { 0, 1, 2, 3, 9 }).unsqueeze(0) });
        TensorAssert.Close(derived.Hidden, same.Hidden, 0);
        TensorAssert.Close(derived.Hidden, shifted.Hidden, 1e-4);
        Assert.True(TensorAssert.MaxAbsDiff(derived.Hidden.narrow(1, 4, 1), gapped.Hidden.narrow(1, 4, 1)) > 1e-3);
        TensorAssert.Close(derived.Hidden.narrow(1, 0, 4), gapped.Hidden.narrow(1, 0, 4), 1e-6);
    }

    [Fact]
    public void CloneAndTruncateReuseAPromptPrefix()
    {
        using var model = TinyModels.Create(TinyModels.Qwen2());
        long[] prefix = RandomIds(1, 6, model.Config.VocabSize);
        long[] a = RandomIds(2, 3, model.Config.VocabSize), b = RandomIds(3, 4, model.Config.VocabSize);

        using var cache = model.NewCache(1);
        model.Forward(new ForwardInput { InputIds = Ids(prefix), Cache = cache }).Dispose();
        using var branch = cache.Clone();
        using var viaClone = model.Forward(new ForwardInput { InputIds = Ids(a), Cache = branch });
        model.Forward(new ForwardInput { InputIds = Ids(b), Cache = cache }).Dispose();
        Assert.Equal(prefix.Length + b.Length, cache.Length);
        Assert.Equal(prefix.Length + a.Length, branch.Length);

        cache.Truncate(prefix.Length);
        using var viaTruncate = model.Forward(new ForwardInput { InputIds = Ids(a), Cache = cache });
        using var fresh = model.Forward(new ForwardInput { InputIds = Ids([.. prefix, .. a]) });
        TensorAssert.Close(fresh.Hidden.narrow(1, prefix.Length, a.Length), viaClone.Hidden, 1e-5, "clone");
        TensorAssert.Close(fresh.Hidden.narrow(1, prefix.Length, a.Length), viaTruncate.Hidden, 1e-5, "truncate");
    }

    [Fact]
    public void ParametersAreFrozenButGradientsReachInputEmbeddings()
    {
        using var model = TinyModels.Create(TinyModels.Mistral());
        Assert.All(model.parameters(), p => Assert.False(p.requires_grad));
        var embeddings = model.Embed(Ids(RandomIds(6, 5, model.Config.VocabSize))).detach().requires_grad_(true);
        using var cache = model.NewCache(1);
        using var output = model.Forward(new ForwardInput { InputEmbeddings = embeddings, Cache = cache });
        using var step = model.Forward(new ForwardInput { InputEmbeddings = output.Hidden.narrow(1, 4, 1), Cache = cache });
        step.Hidden.sum().backward();
        Assert.NotNull(embeddings.grad);
        Assert.True(embeddings.grad!.abs().sum().item<float>() > 0);
        Assert.All(model.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void StateDictKeysAreHuggingFaceCheckpointKeys()
    {
        using var model = new CausalLM(TinyModels.Qwen3());
        var keys = model.state_dict().Keys.ToHashSet();
        Assert.Contains("model.embed_tokens.weight", keys);
        Assert.Contains("model.layers.0.self_attn.q_proj.weight", keys);
        Assert.Contains("model.layers.2.self_attn.k_norm.weight", keys);
        Assert.Contains("model.layers.1.mlp.down_proj.weight", keys);
        Assert.Contains("model.layers.0.post_attention_layernorm.weight", keys);
        Assert.Contains("model.norm.weight", keys);
        Assert.DoesNotContain("lm_head.weight", keys); // tied
        Assert.DoesNotContain(keys, k => k.EndsWith("q_proj.bias", StringComparison.Ordinal));
        Assert.Equal(model.Config.ParameterCount, model.parameters().Sum(p => p.numel()));

        using var llama = new CausalLM(TinyModels.Llama());
        var llamaKeys = llama.state_dict().Keys.ToHashSet();
        Assert.Contains("lm_head.weight", llamaKeys);
        Assert.Contains("model.layers.0.self_attn.o_proj.bias", llamaKeys);
        Assert.Contains("model.layers.0.mlp.up_proj.bias", llamaKeys);
        Assert.Equal(llama.Config.ParameterCount, llama.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void BadInputsGiveReadableErrors()
    {
        using var model = TinyModels.Create(TinyModels.Qwen2());
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(new ForwardInput { InputIds = Ids(1, 2, 5000) }));
        Assert.Contains("5000", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => model.Forward(new ForwardInput { InputEmbeddings = zeros(1, 3, 7) }));
        Assert.Contains("48", e2.Message);
        Assert.Throws<ArgumentException>(() => model.Forward(new ForwardInput()));
        var e3 = Assert.Throws<ArgumentException>(() => model.Forward(new ForwardInput { InputIds = Ids(1, 2), AttentionMask = ones(1, 3) }));
        Assert.Contains("AttentionMask", e3.Message);
    }
}
