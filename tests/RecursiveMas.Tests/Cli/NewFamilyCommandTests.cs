using RecursiveMas.Cli;
using RecursiveMas.Models;
using RecursiveMas.Models.SafeTensors;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Cli;

/// <summary><c>rmas forward</c> and <c>rmas generate</c> on Gemma3 and Qwen3.5 checkpoints with their tokenizers.</summary>
public sealed class NewFamilyCommandTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-cli-families-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("gemma3")]
    [InlineData("qwen3_5")]
    public void ForwardWritesWhatTheModelComputesAndGenerateAnswers(string family)
    {
        string model = Path.Combine(_dir, family);
        TinyCheckpoints.Write(model, TinyCheckpoints.Config(family, 64)).Dispose();
        string file = Path.Combine(_dir, family + ".safetensors");

        var (code, output) = CliRunner.Run("forward", "--model", model, "--ids", "5,6,7,8,9", "--out", file);
        Assert.True(code == ExitCodes.Success, output);
        using (var loaded = CausalLM.FromPretrained(model))
        using (var expected = loaded.Forward(new ForwardInput { InputIds = tensor(new long[] { 5, 6, 7, 8, 9 }).unsqueeze(0), LogitsToKeep = CausalLM.AllPositions }))
        using (var written = SafeTensorsFile.Open(file))
        using (var hidden = written.Load("hidden"))
        using (var logits = written.Load("logits"))
        {
            TensorAssert.Close(expected.Hidden[0], hidden, 0);
            TensorAssert.Close(expected.Logits![0], logits, 0);
        }

        var (generated, text) = CliRunner.Run("generate", "--model", model, "--prompt", "Paris is", "--max-new-tokens", "6", "--seed", "1", "--temperature", "0.8");
        Assert.True(generated == ExitCodes.Success, text);
        var (again, sameText) = CliRunner.Run("generate", "--model", model, "--prompt", "Paris is", "--max-new-tokens", "6", "--seed", "1", "--temperature", "0.8");
        Assert.Equal(ExitCodes.Success, again);
        // The same seed draws the same text (the last line is the timing).
        static string WithoutTiming(string output) => string.Join("\n", output.Split('\n').Where(l => !l.Contains(" tokens in ", StringComparison.Ordinal)));
        Assert.Equal(WithoutTiming(text), WithoutTiming(sameText));
        Assert.Contains(" tokens in ", text);
    }
}
