using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
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
        var (https, httpsOutput) = CliRunner.Run("serve", "--system", d.SourcePath!, "--urls", "https://127.0.0.1:0");
        Assert.Equal(ExitCodes.Usage, https);
        Assert.Contains("--certificate", httpsOutput);
        Assert.Equal(ExitCodes.Usage, CliRunner.Run("serve", "--system", d.SourcePath!, "--request-timeout", "-1").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRunner.Run("serve", "--system", d.SourcePath!, "--max-prompt-tokens", "0").ExitCode);
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

    [Fact]
    public async Task TheInstalledCommandServesUntilInterruptedThenExitsWithZero()
    {
        var d = zoo.Describe("distillation", 1);
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "rmas"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "serve", "--system", d.SourcePath!, "--untrained", "--urls", "http://127.0.0.1:0", "--json", "--threads", "1" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        // Drain stderr as it comes, so a chatty process can never block on a full pipe.
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        try
        {
            // The first line says where it listens (port 0: the port it was given).
            var line = process.StandardOutput.ReadLineAsync();
            Assert.Same(line, await Task.WhenAny(line, Task.Delay(TimeSpan.FromMinutes(3))));
            var ready = JsonDocument.Parse((await line) ?? throw new InvalidOperationException("rmas serve printed nothing: " + stderr)).RootElement;
            Assert.Equal("DistillationTeam", ready.GetProperty("model").GetString());
            string url = ready.GetProperty("urls")[0].GetString()!;
            Assert.StartsWith("http://127.0.0.1:", url);

            using var http = new HttpClient { BaseAddress = new Uri(url) };
            Assert.Contains("DistillationTeam", await http.GetStringAsync("/v1/models"));
            var answer = await http.PostAsync("/v1/chat/completions", new StringContent(
                """{"messages":[{"role":"user","content":"What is 1 plus 1?"}],"max_tokens":3}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains("chat.completion", await answer.Content.ReadAsStringAsync());

            // Ctrl+C (SIGINT) stops it cleanly. A job started in the background by a non-interactive shell
            // (`cmd &`) runs with SIGINT ignored, and so does every process it starts: .NET then leaves
            // SIGINT alone and no handler can see it. There the test stops the server with SIGTERM, which
            // the same shutdown path handles (a service manager's stop).
            string signal = SignalIgnored(2) ? "-TERM" : "-INT";
            using (var interrupt = Process.Start("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await interrupt!.WaitForExitAsync();
            var exited = process.WaitForExitAsync();
            // Generous: on a loaded 2-core machine the runtime's shutdown (hosted services, TorchSharp) is slow.
            if (exited != await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMinutes(3))))
                Assert.Fail("rmas serve did not exit within 3 minutes of SIG" + signal[1..] + "; stderr so far: " + stderr);
            Assert.Equal(ExitCodes.Success, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Whether this process (and so every process it starts) ignores the signal, from the SigIgn mask of /proc/self/status.</summary>
    static bool SignalIgnored(int signal)
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (signal - 1))) != 0;
    }
}
