using RecursiveMas.Decoding;
using RecursiveMas.Latent;
using RecursiveMas.Links;
using RecursiveMas.Models;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

/// <summary>Tests that collect garbage without pause run alone: beside them, any other test's own <c>x * 2.0</c> would be exposed.</summary>
[CollectionDefinition(nameof(CollectingCollection), DisableParallelization = true)]
public sealed class CollectingCollection;

/// <summary>
/// TorchSharp frees the Scalar of a number passed to an op (and the hidden alpha of <c>a + b</c>) in its
/// finalizer, which a collection on another thread can run while libtorch still reads it
/// (<see cref="KeptScalars"/>). With one thread collecting without pause, the old code failed within a
/// second; what inference runs must survive several.
/// </summary>
[Collection(nameof(CollectingCollection))]
public class ScalarLifetimeTests
{
    static void WhileCollecting(Action work, TimeSpan duration)
    {
        bool stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        })
        { IsBackground = true };
        collector.Start();
        try
        {
            var until = DateTime.UtcNow + duration;
            while (DateTime.UtcNow < until)
                work();
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
    }

    [Fact]
    public void SoftplusWithHeldScalarsIsTorchSharpsOp()
    {
        using var scope = NewDisposeScope();
        var x = randn(3, 7) * 10;
        Assert.True(x.Softplus().equal(nn.functional.softplus(x)).all().item<bool>());
        Assert.True(x.Softplus(2, 5).equal(x.softplus(2, 5)).all().item<bool>());
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("gemma3")]
    [InlineData("qwen3_5")]
    public void InferenceSurvivesCollectionsOnAnotherThread(string family)
    {
        var config = TinyModels.ByName(family);
        using var model = TinyModels.Create(config);
        using var inner = new InnerLink("a", config.HiddenSize);
        using var outer = new OuterLink("a", "b", config.HiddenSize, 24);
        using var noGrad = no_grad();
        WhileCollecting(() =>
        {
            using var scope = NewDisposeScope();
            // Left padding (masks, derived positions), a latent rollout on a cache, links, then sampled decoding.
            var ids = tensor(new long[] { 0, 0, 3, 4, 5, 6, 7, 8, 9, 10 }, [2, 5]);
            var mask = tensor(new[] { false, false, true, true, true, true, true, true, true, true }, [2, 5]);
            var thoughts = LatentRollout.Run(model, inner, model.Embed(ids), mask, steps: 3);
            outer.forward(thoughts.Embeddings);
            using var cache = model.NewCache(2);
            var output = model.Forward(new ForwardInput { InputIds = ids, AttentionMask = mask, Cache = cache, LogitsToKeep = 1 });
            using var sampler = new TokenSampler(new SamplingOptions { Temperature = 0.7, TopK = 5, TopP = 0.9, Seed = 3 });
            var next = sampler.Next(output.Logits!.select(1, 0));
            model.Forward(new ForwardInput { InputIds = next.unsqueeze(1), Cache = cache, LogitsToKeep = 1 });
        }, TimeSpan.FromSeconds(4));
    }
}
