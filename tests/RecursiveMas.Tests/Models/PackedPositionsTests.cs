using RecursiveMas.Models;
using RecursiveMas.Models.Blocks;
using RecursiveMas.Models.Kernels;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

/// <summary>Padded prefills on the real positions only (<see cref="PackedPositions"/>) against the padded layout.</summary>
public class PackedPositionsTests
{
    // Biases and GQA (Llama), a window that cuts inside the prompt (Mistral), q/k/v biases (Qwen2), q/k norms
    // (Qwen3), sandwich norms, soft-capping and sliding layers with their own rope (Gemma3).
    public static TheoryData<string> Families => ["llama", "mistral", "qwen2", "qwen3", "gemma3"];

    static ModelConfig Config(string family) => family switch
    {
        "llama" => TinyModels.Llama(hidden: 64),
        "mistral" => TinyModels.Mistral(hidden: 64, window: 3),
        "qwen2" => TinyModels.Qwen2(hidden: 64),
        "qwen3" => TinyModels.Qwen3(hidden: 64),
        "gemma3" => TinyModels.Gemma3(hidden: 64, window: 3, attentionSoftcap: 20),
        _ => TinyModels.ByName(family),
    };

    /// <summary>
    /// A prefill of three rows of 7 positions — row 1 left-padded to 3 real ones, row 2 with 2 padding positions
    /// at each end — then three decoding steps from a cache; the real positions' hidden states and every logit row.
    /// </summary>
    static List<Tensor> Run(CausalLM model)
    {
        var results = new List<Tensor>();
        using var generator = new Generator(3);
        var (ids, mask) = PaddedPrompts.ThreeRows(model.Config.VocabSize, generator);
        mask[2, TensorIndex.Slice(5, 7)] = tensor(false);
        using var cache = model.NewCache(3);
        using var prefill = model.Forward(new ForwardInput { InputIds = ids, AttentionMask = mask, Cache = cache, LogitsToKeep = CausalLM.AllPositions });
        results.Add(prefill.Hidden[mask].clone());
        results.Add(prefill.Logits![mask].clone());
        var next = randint(5, model.Config.VocabSize, [3, 1], generator: generator);
        for (int step = 0; step < 3; step++)
        {
            using var output = model.Forward(new ForwardInput { InputIds = next, Cache = cache, LogitsToKeep = 1 });
            results.Add(output.Logits!.clone());
            next = output.Logits!.argmax(-1);
        }
        return results;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void PackedPrefillGivesThePaddedPrefillsBits(string family)
    {
        if (!CpuLinear.Available)
            return; // no AVX2 and FMA: the kernels, and so the packing, never run
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = TinyModels.Create(Config(family), seed: 13, std: 0.05);
        List<Tensor> packed, padded;
        using (var counter = PackedPositions.CountSkipped())
        {
            packed = Run(model);
            Assert.Equal(8, counter.Total); // 21 positions, 13 real
        }
        using (var counter = PackedPositions.CountSkipped())
        using (PackedPositions.KeepPadding())
        {
            padded = Run(model);
            Assert.Equal(0, counter.Total);
        }
        Assert.Equal(padded.Count, packed.Count);
        for (int i = 0; i < packed.Count; i++)
        {
            Assert.False(packed[i].isnan().any().item<bool>(), $"{family}: NaN in output {i}");
            Assert.True(padded[i].equal(packed[i]).all().item<bool>(),
                $"{family}: output {i} differs from the padded prefill's by {(padded[i] - packed[i]).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void PaddingPositionsComeBackZero()
    {
        if (!CpuLinear.Available)
            return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = TinyModels.Create(TinyModels.Llama(hidden: 64), seed: 2);
        var mask = tensor(new[] { false, false, true, true, true, true, true, true }, ScalarType.Bool).reshape(2, 4);
        using var counter = PackedPositions.CountSkipped();
        using var output = model.Forward(new ForwardInput { InputIds = ones(2, 4, ScalarType.Int64), AttentionMask = mask });
        Assert.Equal(2, counter.Total);
        Assert.Equal(0f, output.Hidden[0, TensorIndex.Slice(0, 2)].abs().max().item<float>());
        Assert.True(output.Hidden[0, 2].abs().max().item<float>() > 0f);
    }

    [Fact]
    public void NeitherStepsNorDeltaNetStacksNorAutogradPack()
    {
        if (!CpuLinear.Available)
            return;
        using var scope = NewDisposeScope();
        var mask = tensor(new[] { false, true, true, true }, ScalarType.Bool).reshape(2, 2);
        using var hybrid = TinyModels.Create(TinyModels.Qwen35(), seed: 4);
        using var llama = TinyModels.Create(TinyModels.Llama(hidden: 64), seed: 4);
        using var counter = PackedPositions.CountSkipped();
        using (no_grad())
        {
            using var _ = hybrid.Forward(new ForwardInput { InputIds = ones(2, 2, ScalarType.Int64), AttentionMask = mask });
            using var cache = llama.NewCache(2);
            using var prefill = llama.Forward(new ForwardInput { InputIds = ones(2, 2, ScalarType.Int64), AttentionMask = mask, Cache = cache });
            Assert.Equal(1, counter.Total); // the Llama prefill
            using var step = llama.Forward(new ForwardInput { InputIds = ones(2, 1, ScalarType.Int64), Cache = cache });
        }
        using (var grad = enable_grad())
        {
            using var trained = llama.Forward(new ForwardInput { InputIds = ones(2, 2, ScalarType.Int64), AttentionMask = mask });
        }
        Assert.Equal(1, counter.Total);
    }
}
