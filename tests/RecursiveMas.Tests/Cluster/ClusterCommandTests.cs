using RecursiveMas.Cli;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cluster;

/// <summary>Bad input to the cluster commands gets one clear line naming what is wrong, and the right exit code.</summary>
public sealed class ClusterCommandTests
{
    static readonly string Zoo = Path.Combine(RepositoryRoot.Path, "examples", "zoo", "sequential.SYSTEM.json");
    static readonly string Data = Path.Combine(RepositoryRoot.Path, "examples", "zoo", "data", "arithmetic", "test.jsonl");

    [Fact]
    public void ASiloForAnAgentTheSystemLacksNamesItAndTheAgents()
    {
        var (code, output) = CliRunner.Run("silo", "--system", Zoo, "--agents", "planner,judge");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("no agent judge", output);
        Assert.Contains("planner, critic, solver", output);
    }

    [Theory]
    [InlineData("--methods", "text", "recursive method only")]
    [InlineData("--rounds", "1,2", "one round count")]
    [InlineData("--seeds", "3", "one seed")]
    public void EvalOnAClusterRefusesWhatItDoesNotRun(string option, string value, string message)
    {
        var (code, output) = CliRunner.Run("eval", "--system", Zoo, "--data", Data, "--cluster", "localhost", "--journal", "j.jsonl", option, value);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, output);
    }

    [Fact]
    public void AClusterAddressThatIsNeitherLocalhostNorRedisIsRefused()
    {
        var (code, output) = CliRunner.Run("eval", "--system", Zoo, "--data", Data, "--cluster", "10.1.2.3:30000", "--journal", "j.jsonl");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("redis://HOST:PORT", output);
    }

    [Fact]
    public void EvalAgainstNoClusterFailsWithinTheConnectTimeout()
    {
        int port = RmasProcess.FreePorts(1)[0];
        string journal = Path.Combine(Path.GetTempPath(), "rmas-journal-" + Guid.NewGuid().ToString("N") + ".jsonl");
        var (code, output) = CliRunner.Run("eval", "--system", Zoo, "--data", Data, "--cluster", $"localhost:{port}", "--journal", journal);
        Assert.Equal(ExitCodes.ClusterFailure, code);
        Assert.Contains("could not connect to the cluster", output);
        Assert.False(File.Exists(journal));
    }

    [Fact]
    public void EvalOnAClusterRefusesAPipeAsDataBeforeConnecting()
    {
        // The journal's digest reads the data a second time; a pipe gives its bytes once, so that read waited forever.
        string folder = Path.Combine(Path.GetTempPath(), "rmas-cluster-pipe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string fifo = Path.Combine(folder, "data.jsonl");
            using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
                mkfifo!.WaitForExit();
            int port = RmasProcess.FreePorts(1)[0];
            var (code, output) = CliRunner.Run("eval", "--system", Zoo, "--data", fifo, "--cluster", $"localhost:{port}", "--journal", Path.Combine(folder, "j.jsonl"));
            Assert.Equal(ExitCodes.InvalidInput, code);
            Assert.Contains(fifo, output);
            Assert.Contains("pipe or a device", output);
            Assert.DoesNotContain("could not connect", output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
