using RecursiveMas.Models;
using RecursiveMas.Models.SafeTensors;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

public sealed class PretrainedCheckpointTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-pretrained-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    static Tensor Ids => tensor(new long[] { 5, 6, 7, 8, 9, 10 }).unsqueeze(0);

    [Theory]
    [MemberData(nameof(TinyModels.AllFamilies), MemberType = typeof(TinyModels))]
    public void SaveThenLoadReproducesTheModelExactly(string family)
    {
        using var original = TinyModels.Create(TinyModels.ByName(family));
        original.SavePretrained(_dir);
        using var loaded = CausalLM.FromPretrained(_dir);
        Assert.Equal(original.Config.ToJson(), loaded.Config.ToJson());
        using var a = original.Forward(new ForwardInput { InputIds = Ids, LogitsToKeep = 1 });
        using var b = loaded.Forward(new ForwardInput { InputIds = Ids, LogitsToKeep = 1 });
        TensorAssert.Close(a.Hidden, b.Hidden, 0);
        TensorAssert.Close(a.Logits!, b.Logits!, 0);
    }

    [Fact]
    public void ShardedBf16CheckpointsLoadAndWidenExactly()
    {
        using var original = TinyModels.Create(TinyModels.Llama());
        var named = original.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter.to(ScalarType.BFloat16))).ToList();
        SafeTensorsWriter.WriteSharded(_dir, named, maxShardBytes: 8_000);
        (original.Config with { StoredDType = "bfloat16" }).Save(_dir);
        Assert.True(Directory.GetFiles(_dir, "model-*-of-*.safetensors").Length > 2);
        Assert.False(File.Exists(Path.Combine(_dir, "model.safetensors")));

        using var loaded = CausalLM.FromPretrained(_dir);
        foreach (var (name, p) in loaded.named_parameters())
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            var expected = named.Single(n => n.Key == name).Value.to(ScalarType.Float32);
            TensorAssert.Close(expected, p, 0, name);
        }

        using var inBf16 = CausalLM.FromPretrained(_dir, new ModelLoadOptions { DType = ScalarType.BFloat16 });
        Assert.All(inBf16.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        using var output = inBf16.Forward(new ForwardInput { InputIds = Ids, LogitsToKeep = 1 });
        Assert.Equal(ScalarType.BFloat16, output.Hidden.dtype);
        Assert.False(output.Hidden.isnan().any().item<bool>());
    }

    [Fact]
    public void AMissingTensorIsNamedWithItsFile()
    {
        using var original = TinyModels.Create(TinyModels.Qwen3());
        original.SavePretrained(_dir);
        var kept = original.named_parameters()
            .Where(p => p.name != "model.layers.1.self_attn.k_norm.weight")
            .Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter))
            .ToList();
        SafeTensorsWriter.Write(Path.Combine(_dir, "model.safetensors"), kept);

        var e = Assert.Throws<ModelFileException>(() => CausalLM.FromPretrained(_dir));
        Assert.Equal("model.layers.1.self_attn.k_norm.weight", e.Item);
        Assert.EndsWith("model.safetensors", e.FilePath);
        Assert.Contains("qwen3", e.Message);
    }

    [Fact]
    public void AWrongShapeIsNamedWithBothShapes()
    {
        using var original = TinyModels.Create(TinyModels.Qwen2());
        original.SavePretrained(_dir);
        // A config that claims a wider MLP than the weights have.
        (original.Config with { IntermediateSize = original.Config.IntermediateSize + 8 }).Save(_dir);
        var e = Assert.Throws<ModelFileException>(() => CausalLM.FromPretrained(_dir));
        Assert.Contains("mlp", e.Item);
        Assert.Contains("96", e.Message);
        Assert.Contains("104", e.Message);
    }

    [Fact]
    public void ATiedModelIgnoresARedundantLmHeadAndAnUntiedOneRequiresIt()
    {
        using var tied = TinyModels.Create(TinyModels.Qwen2());
        var withHead = tied.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter)).ToList();
        withHead.Add(new("lm_head.weight", tied.EmbeddingMatrix));
        tied.Config.Save(_dir);
        SafeTensorsWriter.Write(Path.Combine(_dir, "model.safetensors"), withHead);
        using (var loaded = CausalLM.FromPretrained(_dir))
            Assert.True(loaded.Config.TieWordEmbeddings);

        (tied.Config with { TieWordEmbeddings = false }).Save(_dir);
        SafeTensorsWriter.Write(Path.Combine(_dir, "model.safetensors"), withHead.Where(p => p.Key != "lm_head.weight"));
        Assert.Equal("lm_head.weight", Assert.Throws<ModelFileException>(() => CausalLM.FromPretrained(_dir)).Item);
    }

    [Fact]
    public void NoWeightsFileIsAClearError()
    {
        TinyModels.Qwen2().Save(_dir);
        var e = Assert.Throws<ModelFileException>(() => CausalLM.FromPretrained(_dir));
        Assert.Contains("model.safetensors", e.Message);
    }
}
