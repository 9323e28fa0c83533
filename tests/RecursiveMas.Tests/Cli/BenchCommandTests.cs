using System.Text.Json;
using RecursiveMas.Cli;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cli;

public class BenchCommandTests
{
    [Fact]
    public void TheRolloutSuiteReportsCachedVsReferenceSpeedupPerM()
    {
        var (code, output) = CliRunner.Run("bench", "--suite", "rollout", "--quick", "--json");
        Assert.Equal(ExitCodes.Success, code);
        using var json = JsonDocument.Parse(output);
        var speedups = json.RootElement.GetProperty("cached_vs_reference_speedup");
        Assert.Equal(["m4", "m8"], speedups.EnumerateObject().Select(p => p.Name));
        Assert.All(speedups.EnumerateObject(), p => Assert.True(p.Value.GetDouble() > 0));
    }

    [Fact]
    public void TheSystemSuiteReportsSpeedupAndTokenReductionPerRoundCount()
    {
        string file = Path.Combine(Path.GetTempPath(), "rmas-bench-" + Guid.NewGuid().ToString("N") + ".json");
        var (code, _) = CliRunner.Run("bench", "--suite", "system", "--quick", "--out", file);
        Assert.Equal(ExitCodes.Success, code);
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        File.Delete(file);
        foreach (var key in new[] { "recursive_vs_text_speedup", "token_reduction" })
            Assert.Equal(["n1", "n2", "n3"], json.RootElement.GetProperty(key).EnumerateObject().Select(p => p.Name));
        // Latent messages replace text messages, so RecursiveMAS generates fewer tokens at every n.
        Assert.All(json.RootElement.GetProperty("token_reduction").EnumerateObject(), p => Assert.True(p.Value.GetDouble() > 0));
    }

    [Fact]
    public void AnUnknownSuiteIsAUsageError() =>
        Assert.Equal(ExitCodes.Usage, CliRunner.Run("bench", "--suite", "everything").ExitCode);
}
