using RecursiveMas.Cli;
using RecursiveMas.Models;
using RecursiveMas.Models.SafeTensors;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Cli;

public sealed class ForwardCommandTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-cli-forward-" + Guid.NewGuid().ToString("N"));
    string ModelDir => Path.Combine(_dir, "model");
    string OutFile => Path.Combine(_dir, "out.safetensors");

    public ForwardCommandTests()
    {
        using var model = TinyModels.Create(TinyModels.Qwen3());
        model.SavePretrained(ModelDir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesFloat32HiddenStatesAndLogitsOfEveryPosition()
    {
        var (code, output) = CliRunner.Run("forward", "--model", ModelDir, "--ids", "1, 2,3", "--out", OutFile);
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("out.safetensors", output);

        using var file = SafeTensorsFile.Open(OutFile);
        Assert.Equal(new long[] { 3, 40 }, file.GetInfo("hidden").Shape);
        Assert.Equal(new long[] { 3, 89 }, file.GetInfo("logits").Shape);
        Assert.Equal(SafeTensorsDType.F32, file.GetInfo("logits").DType);

        using var model = CausalLM.FromPretrained(ModelDir);
        using var expected = model.Forward(new ForwardInput { InputIds = tensor(new long[] { 1, 2, 3 }).unsqueeze(0), LogitsToKeep = CausalLM.AllPositions });
        using var hidden = file.Load("hidden");
        using var logits = file.Load("logits");
        TensorAssert.Close(expected.Hidden[0], hidden, 0);
        TensorAssert.Close(expected.Logits![0], logits, 0);
    }

    [Fact]
    public void JsonOutputNamesTheFileAndShapes()
    {
        var (code, output) = CliRunner.Run("forward", "--model", ModelDir, "--ids", "4,5", "--out", OutFile, "--json");
        Assert.Equal(ExitCodes.Success, code);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal([2, 40], json.RootElement.GetProperty("hidden").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(Path.GetFullPath(OutFile), json.RootElement.GetProperty("out").GetString());
    }

    [Theory]
    [InlineData("1,x,3", "\"x\" (item 2)")]
    [InlineData("1,-2", "\"-2\"")]
    [InlineData("1,89", "token id 89 is outside the model's vocabulary [0, 89)")]
    public void BadIdsAreReportedWithoutAStackTrace(string ids, string says)
    {
        var (code, output) = CliRunner.Run("forward", "--model", ModelDir, "--ids", ids, "--out", OutFile);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(says, output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(File.Exists(OutFile));
    }

    [Fact]
    public void MoreIdsThanTheModelHasPositionsAreRefused()
    {
        int positions = TinyModels.Qwen3().MaxPositionEmbeddings;
        var (code, output) = CliRunner.Run("forward", "--model", ModelDir, "--ids", string.Join(',', Enumerable.Repeat(1, positions + 1)), "--out", OutFile);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"max_position_embeddings of {positions}", output);
        Assert.False(File.Exists(OutFile));
    }

    [Fact]
    public void AMissingModelDirectoryIsNamed()
    {
        string missing = Path.Combine(_dir, "nope");
        var (code, output) = CliRunner.Run("forward", "--model", missing, "--ids", "1", "--out", OutFile);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(missing, output);
        Assert.Contains("does not exist", output);
    }

    [Fact]
    public void ACorruptWeightsFileIsNamedAndVerboseAddsTheStackTrace()
    {
        File.WriteAllBytes(Path.Combine(ModelDir, "model.safetensors"), [1, 2, 3]);
        var (code, output) = CliRunner.Run("forward", "--model", ModelDir, "--ids", "1", "--out", OutFile);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("model.safetensors", output);
        Assert.DoesNotContain("   at ", output);

        var (verboseCode, verboseOutput) = CliRunner.Run("forward", "--model", ModelDir, "--ids", "1", "--out", OutFile, "--verbose");
        Assert.Equal(ExitCodes.InvalidInput, verboseCode);
        Assert.Contains("   at ", verboseOutput);
    }

    [Fact]
    public void UsageErrorsExitWithCode2()
    {
        Assert.Equal(ExitCodes.Usage, CliRunner.Run("forward", "--model", ModelDir, "--bogus").ExitCode);
        var (code, output) = CliRunner.Run("forward", "--model", ModelDir, "--out", OutFile);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--ids", output);
        Assert.Equal(ExitCodes.Usage, CliRunner.Run("no-such-command").ExitCode);
    }
}
