using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

public sealed class TinyConfigTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-tiny-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(ModelFamily.Llama, false, false, false)]
    [InlineData(ModelFamily.Qwen2, true, true, false)]
    [InlineData(ModelFamily.Qwen3, true, false, true)]
    public void ATinyConfigHasItsFamilysLayout(ModelFamily family, bool tied, bool qkvBias, bool qkNorm)
    {
        var config = ModelDirectoryBuilder.TinyConfig(family, 128, layers: 3, vocabSize: 500, groupedQuery: true);
        Assert.Equal((128, 384, 3, 4, 32, 500), (config.HiddenSize, config.IntermediateSize, config.LayerCount, config.HeadCount, config.HeadDim, config.VocabSize));
        Assert.Equal((tied, qkvBias, qkNorm), (config.TieWordEmbeddings, config.QkvBias, config.QueryKeyNorm));
        Assert.Equal(family == ModelFamily.Qwen2 ? 4 : 2, config.KeyValueHeadCount);
        Assert.Equal(4, ModelDirectoryBuilder.TinyConfig(family, 128).KeyValueHeadCount);
    }

    [Fact]
    public void ATinyConfigRefusesWhatItCannotMake()
    {
        Assert.Throws<ArgumentException>(() => ModelDirectoryBuilder.TinyConfig(ModelFamily.Gemma3, 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelDirectoryBuilder.TinyConfig(ModelFamily.Llama, 48));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelDirectoryBuilder.TinyConfig(ModelFamily.Llama, 0));
    }

    [Fact]
    public void RandomAgentsAreWrittenLoadableWithTheirOwnSeeds()
    {
        string[] corpus = ["You are a planner. Question: What is 12 plus 30?", "The answer is \\boxed{42}. Numbers 0 1 2 3 4 5 6 7 8 9."];
        ModelDirectoryBuilder.CreateRandomAgents(_dir,
        [
            ("a", ModelDirectoryBuilder.TinyConfig(ModelFamily.Qwen3, 32)),
            ("b", ModelDirectoryBuilder.TinyConfig(ModelFamily.Qwen3, 32)),
            ("c", ModelDirectoryBuilder.TinyConfig(ModelFamily.Llama, 64)),
        ], corpus, firstSeed: 3);

        using var a = CausalLM.FromPretrained(Path.Combine(_dir, "a"));
        using var b = CausalLM.FromPretrained(Path.Combine(_dir, "b"));
        using var c = CausalLM.FromPretrained(Path.Combine(_dir, "c"));
        Assert.Equal((32, 32, 64), (a.HiddenSize, b.HiddenSize, c.HiddenSize));
        Assert.Equal(ModelFamily.Llama, c.Config.Family);
        var weightsA = a.state_dict()["model.embed_tokens.weight"];
        var weightsB = b.state_dict()["model.embed_tokens.weight"];
        Assert.False(weightsA.allclose(weightsB), "the second agent has the next seed");
    }
}
