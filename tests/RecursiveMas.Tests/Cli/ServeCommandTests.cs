using System.Net;
using System.Net.Sockets;
using RecursiveMas.Cli;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cli;

public sealed class ServeCommandTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    [Fact]
    public void BadAddressesAndMissingSystemsAreRefusedBeforeServing()
    {
        var d = zoo.Describe("distillation", 1);
        var (code, output) = CliRunner.Run("serve", "--system", d.SourcePath!, "--urls", "ftp://127.0.0.1:21");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--urls", output);
        Assert.Equal(ExitCodes.Usage, CliRunner.Run("serve", "--system", d.SourcePath!, "--max-tokens", "0").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRunner.Run("serve").ExitCode);
        var (missing, missingOutput) = CliRunner.Run("serve", "--system", Path.Combine(zoo.Root, "none.json"));
        Assert.Equal(ExitCodes.InvalidInput, missing);
        Assert.Contains("none.json", missingOutput);
    }

    [Fact]
    public async Task AnAddressInUseIsAnInputErrorAfterTheSystemLoads()
    {
        var d = zoo.Describe("distillation", 1);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        // Bounded only so that a regression cannot hang the suite; nothing here measures time.
        var serve = Task.Run(() => CliRunner.Run("serve", "--system", d.SourcePath!, "--untrained", "--urls", $"http://127.0.0.1:{port}"));
        Assert.Same(serve, await Task.WhenAny(serve, Task.Delay(TimeSpan.FromMinutes(3))));
        var (code, output) = await serve;
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), output);
    }
}
