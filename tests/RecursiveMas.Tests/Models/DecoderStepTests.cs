using RecursiveMas.Models;
using RecursiveMas.Models.Blocks;
using RecursiveMas.Models.Kernels;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

/// <summary>The one-position step path (<see cref="DecoderStep"/>) against the tensor path it replaces.</summary>
public class DecoderStepTests
{
    // Each family's features on the step path: GQA with q/k/v, o and MLP biases (Llama), a sliding window that
    // binds within the steps and one KV head (Mistral), q/k/v biases without GQA (Qwen2), q/k norms (Qwen3).
    // Heads of 32 and 64: the widths the rotary kernel takes.
    public static TheoryData<string> Families => ["llama", "mistral", "qwen2", "qwen3"];

    static ModelConfig Config(string family) => family switch
    {
        "llama" => TinyModels.Llama(hidden: 128),
        "mistral" => TinyModels.Mistral(hidden: 128, window: 9),
        "qwen2" => TinyModels.Qwen2(hidden: 128),
        "qwen3" => TinyModels.Qwen3(hidden: 96) with { HeadDim = 64 },
        _ => throw new ArgumentException(family),
    };

    /// <summary>
    /// A left-padded prefill of three rows (lengths 7, 3 and 5), then twelve one-position steps that feed each
    /// row's last hidden state back as its next input (latent steps), with logits; every step's hidden states
    /// and logits as a list. The cache starts with room for 8 positions, so steps also write into storage that
    /// has just been moved to a larger buffer.
    /// </summary>
    static List<Tensor> Steps(CausalLM model)
    {
        var results = new List<Tensor>();
        using var generator = new Generator(5);
        var (ids, mask) = PaddedPrompts.ThreeRows(model.Config.VocabSize, generator);
        using var cache = model.NewCache(3, initialCapacity: 8);
        using var prefill = model.Forward(new ForwardInput { InputIds = ids, AttentionMask = mask, Cache = cache, LogitsToKeep = 1 });
        var next = prefill.Hidden.narrow(1, 6, 1).clone();
        for (int step = 0; step < 12; step++)
        {
            using var output = model.Forward(new ForwardInput { InputEmbeddings = next, Cache = cache, LogitsToKeep = 1 });
            results.Add(output.Hidden.clone());
            results.Add(output.Logits!.clone());
            next = output.Hidden.clone();
        }
        return results;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void StepsGiveTheTensorPathsBits(string family)
    {
        var config = Config(family);
        Assert.True(DecoderStep.Supports(config), $"{family} should take the step path");
        if (!CpuLinear.Available)
            return; // no AVX2 and FMA: the kernels, and so the step path, never run
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // std 0.02 as transformers initialises: feeding hidden states back stays in range for twelve steps.
        using var model = TinyModels.Create(config, seed: 21, std: 0.02);
        List<Tensor> stepped, reference;
        using (var counter = DecoderStep.CountSteps())
        {
            stepped = Steps(model);
            Assert.Equal(12, counter.Total); // every step on the step path, the prefill not
        }
        using (var counter = DecoderStep.CountSteps())
        using (DecoderStep.UseTensorPath())
        {
            reference = Steps(model);
            Assert.Equal(0, counter.Total);
        }
        for (int i = 0; i < stepped.Count; i++)
        {
            Assert.False(stepped[i].isnan().any().item<bool>(), $"{family}: NaN at output {i}");
            Assert.True(reference[i].equal(stepped[i]).all().item<bool>(), $"{family}: output {i} ({(i % 2 == 0 ? "hidden" : "logits")} of step {i / 2}) differs from the tensor path's by {(reference[i] - stepped[i]).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void OneRowAloneGetsItsBatchedBits()
    {
        if (!CpuLinear.Available)
            return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = TinyModels.Create(Config("llama"), seed: 8, std: 0.02);
        using var generator = new Generator(9);
        var prompts = randn([4, 5, model.Config.HiddenSize], generator: generator) * 0.5;
        var steps = randn([4, 1, model.Config.HiddenSize], generator: generator) * 0.5;
        using var batchCache = model.NewCache(4);
        using (model.Forward(new ForwardInput { InputEmbeddings = prompts, Cache = batchCache }))
        { }
        using var counter = DecoderStep.CountSteps();
        using var batched = model.Forward(new ForwardInput { InputEmbeddings = steps, Cache = batchCache });
        Assert.Equal(1, counter.Total);
        for (int row = 0; row < 4; row++)
        {
            using var cache = model.NewCache(1);
            using (model.Forward(new ForwardInput { InputEmbeddings = prompts.narrow(0, row, 1), Cache = cache }))
            { }
            using var alone = model.Forward(new ForwardInput { InputEmbeddings = steps.narrow(0, row, 1), Cache = cache });
            Assert.True(alone.Hidden.equal(batched.Hidden.narrow(0, row, 1)).all().item<bool>(), $"row {row}");
        }
    }

    [Fact]
    public void FamiliesTheKernelsDoNotCoverKeepTheTensorPath()
    {
        Assert.False(DecoderStep.Supports(TinyModels.Gemma3()));        // sandwich norms, GELU, query scale
        Assert.False(DecoderStep.Supports(TinyModels.Qwen35()));        // output gate, partial rotary
        Assert.False(DecoderStep.Supports(TinyModels.Llama(hidden: 32))); // heads of 8: not the rotary kernel's width
    }
}
