using RecursiveMas.Models;
using RecursiveMas.Models.SafeTensors;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

/// <summary>Gemma3 and Qwen3.5 checkpoints in the Hub's multimodal layout load their language model only.</summary>
public sealed class MultimodalCheckpointTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-multimodal-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    static Tensor Ids => tensor(new long[] { 5, 6, 7, 8, 9, 10, 11 }).unsqueeze(0);

    static ModelConfig Wrapped(string family) => TinyModels.ByName(family) with { Multimodal = true };

    /// <summary>Writes the model's tensors under <paramref name="prefix"/> plus vision and MTP tensors, sharded, in <paramref name="dtype"/>.</summary>
    void WriteHubLayout(CausalLM model, string prefix, string? headKey, ScalarType dtype)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, p) in model.named_parameters())
        {
            string key = name == "lm_head.weight" ? headKey ?? name : prefix + name["model.".Length..];
            tensors.Add(new(key, p.detach().to(dtype)));
        }
        tensors.Add(new("model.visual.blocks.0.attn.qkv.weight", randn(12, 4).to(dtype)));
        tensors.Add(new("vision_tower.vision_model.embeddings.patch_embedding.weight", randn(3, 4).to(dtype)));
        tensors.Add(new("mtp.layers.0.mlp.up_proj.weight", randn(8, 4).to(dtype)));
        SafeTensorsWriter.WriteSharded(_dir, tensors, maxShardBytes: 6_000);
        (model.Config with { StoredDType = dtype == ScalarType.BFloat16 ? "bfloat16" : "float32" }).Save(_dir);
    }

    [Theory]
    [InlineData("gemma3", "model.language_model.", null)]
    [InlineData("gemma3", "language_model.model.", "language_model.lm_head.weight")] // the original gemma-3 release
    [InlineData("qwen3_5", "model.language_model.", "lm_head.weight")]
    public void TheLanguageModelLoadsFromTheWrapperAndSkipsVisionAndMtpTensors(string family, string prefix, string? headKey)
    {
        using var original = TinyModels.Create(Wrapped(family));
        WriteHubLayout(original, prefix, headKey, ScalarType.Float32);
        Assert.True(Directory.GetFiles(_dir, "model-*-of-*.safetensors").Length > 1);
        var json = System.Text.Json.Nodes.JsonNode.Parse(System.IO.File.ReadAllText(Path.Combine(_dir, "config.json")))!;
        Assert.NotNull(json["text_config"]);

        using var loaded = CausalLM.FromPretrained(_dir);
        Assert.True(loaded.Config.Multimodal);
        using var a = original.Forward(new ForwardInput { InputIds = Ids, LogitsToKeep = 2 });
        using var b = loaded.Forward(new ForwardInput { InputIds = Ids, LogitsToKeep = 2 });
        TensorAssert.Close(a.Hidden, b.Hidden, 0);
        TensorAssert.Close(a.Logits!, b.Logits!, 0);
    }

    [Theory]
    [InlineData("gemma3")]
    [InlineData("qwen3_5")]
    public void SavePretrainedWritesTheWrapperLayoutAndBf16LoadsCloseToTheReference(string family)
    {
        using var original = TinyModels.Create(Wrapped(family), std: 0.02);
        original.SavePretrained(_dir, ScalarType.BFloat16);
        using (var file = SafeTensorsFile.Open(Path.Combine(_dir, "model.safetensors")))
            Assert.Contains(file.Tensors, t => t.Name.StartsWith("model.language_model.layers.0.", StringComparison.Ordinal));

        using var inBf16 = CausalLM.FromPretrained(_dir, new ModelLoadOptions { DType = ScalarType.BFloat16 });
        using var inF32 = CausalLM.FromPretrained(_dir);
        var naive = new NaiveDecoder(inF32);
        long[] ids = [5, 6, 7, 8, 9, 10, 11];
        var expected = naive.Forward(ids.Select(naive.Embedding).ToArray(), Enumerable.Range(0, ids.Length).Select(i => (long)i).ToArray());
        using var expectedHidden = tensor(expected.SelectMany(r => r).ToArray()).view(1, ids.Length, inF32.HiddenSize);
        using var f32 = inF32.Forward(new ForwardInput { InputIds = Ids });
        TensorAssert.Close(expectedHidden, f32.Hidden, 1e-4, "float32 of bf16 weights vs naive");
        using var bf16 = inBf16.Forward(new ForwardInput { InputIds = Ids });
        Assert.Equal(ScalarType.BFloat16, bf16.Hidden.dtype);
        // bf16 arithmetic: close to the float32 result, not equal.
        TensorAssert.Close(f32.Hidden, bf16.Hidden, 0.15, "bf16 vs float32");
    }
}
