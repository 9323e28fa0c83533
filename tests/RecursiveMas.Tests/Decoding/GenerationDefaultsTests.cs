using RecursiveMas.Cli;
using RecursiveMas.Decoding;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Decoding;

/// <summary>A model's generation_config.json sets the sampling a command line leaves out, as transformers reads it.</summary>
public sealed class GenerationDefaultsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rmas-generation-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SamplingFieldsApplyOnlyWhenTheModelSamplesAndTheCallerDidNotChoose()
    {
        Assert.Equal(GenerationDefaults.Greedy, GenerationDefaults.Read(_dir)); // no file: greedy
        var none = GenerationDefaults.Greedy.Apply(new SamplingOptions(), null, null, null);
        Assert.False(none.IsSampling);

        File.WriteAllText(Path.Combine(_dir, "generation_config.json"), """{"do_sample": true, "temperature": 0.7, "top_p": 0.8, "eos_token_id": [1, 2]}""");
        var sampled = GenerationDefaults.Read(_dir);
        Assert.Equal(new GenerationDefaults(true, 0.7, 0.8, 50), sampled); // top_k: transformers' default 50
        var applied = sampled.Apply(new SamplingOptions { Seed = 3 }, null, null, 7);
        Assert.Equal((0.7, 0.8, 7, 3L), (applied.Temperature, applied.TopP, applied.TopK, applied.Seed!.Value));
        Assert.False(sampled.Apply(new SamplingOptions(), 0, null, null).IsSampling); // --temperature 0 still means greedy

        // Without do_sample the temperature it lists is not used (transformers decodes greedily).
        File.WriteAllText(Path.Combine(_dir, "generation_config.json"), """{"temperature": 0.7}""");
        Assert.False(GenerationDefaults.Read(_dir).Apply(new SamplingOptions(), null, null, null).IsSampling);

        File.WriteAllText(Path.Combine(_dir, "generation_config.json"), """{"do_sample": true, "top_p": 1.5}""");
        var e = Assert.Throws<ModelFileException>(() => GenerationDefaults.Read(_dir));
        Assert.Equal("top_p", e.Item);
    }

    [Fact]
    public void RmasGenerateSamplesAsTheModelSaysUnlessToldOtherwise()
    {
        string model = Path.Combine(_dir, "model");
        TinyCheckpoints.Write(model, TinyCheckpoints.Config("qwen3", 64)).Dispose();
        static string Text(string output) => string.Join("\n", output.Split('\n').Where(l => !l.Contains(" tokens", StringComparison.Ordinal)));
        string Run(params string[] extra) =>
            Text(CliRunner.Run(["generate", "--model", model, "--prompt", "Paris is", "--max-new-tokens", "8", .. extra]) is var (code, output) && code == ExitCodes.Success
                ? output : throw new Xunit.Sdk.XunitException(output));

        string greedy = Run();
        File.WriteAllText(Path.Combine(model, "generation_config.json"), """{"do_sample": true, "temperature": 1.5, "top_k": 0}""");
        var draws = Enumerable.Range(1, 4).Select(seed => Run("--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Contains(draws, d => d != greedy); // the model's own config samples
        Assert.Equal(draws[0], Run("--seed", "1"));
        Assert.Equal(greedy, Run("--temperature", "0")); // the command line wins
    }
}
