using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RecursiveMas.Cluster;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cluster;

/// <summary>
/// Real membership: silos that find each other through Redis (Debian's redis-server, started by the test on a
/// free port and stopped after it; <c>.ci/ensure-redis</c> installs it). There is no primary: the first silo
/// may die and come back, and the cluster answers as one process before and after.
/// </summary>
public sealed class RedisClusterTests(TinySystems systems) : IClassFixture<TinySystems>
{
    static readonly string[] Questions = ["What is 7 times 6?", "Which planet is red?"];

    [Fact]
    public async Task SilosMeetThroughRedisSurviveARestartAndAnswerAsOneProcess()
    {
        using var redis = RedisServer.Start();
        var description = systems.Describe("sequential", rounds: 2, maxNewTokens: 10);
        string clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
        using var cluster = TinyCluster.StartWithRedis(redis.Address, clusterId, description.SourcePath!, ("first", "Planner,Critic"), ("second", "Solver"));
        using var local = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 1 });
        var expected = Questions.Select(q => RecursiveRunner.Solve(local, q).Answers[0].Text).ToList();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var connection = await ClusterConnection.ConnectAsync(cluster.Address, clusterId, timeout.Token);

        async Task AnswersAsOneProcess()
        {
            await using var runner = await ClusterRunner.CreateAsync(connection.Client, description.SourcePath!, timeout.Token);
            Assert.Equal(["first", "second"], runner.Silos.Select(s => s.Silo));
            var answers = await Task.WhenAll(Questions.Select((q, i) => runner.SolveAsync(q, null, i, timeout.Token)));
            Assert.Equal(expected, answers.Select(a => a.Text));
            Assert.Equal(["first", "second"], answers[0].Silos);
        }

        await AnswersAsOneProcess();
        cluster.Kill(0);
        cluster.StartSilo(0);
        await AnswersAsOneProcess();
    }
}

/// <summary>A throwaway redis-server on a free loopback port, no persistence; killed on dispose.</summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private RedisServer(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Address = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary><c>HOST:PORT</c>.</summary>
    public string Address { get; }

    public static string Executable()
    {
        foreach (var candidate in new[] { Environment.GetEnvironmentVariable("RMAS_REDIS_SERVER"), "/usr/bin/redis-server", "/usr/local/bin/redis-server" })
            if (candidate is { Length: > 0 } && File.Exists(candidate))
                return candidate;
        throw new InvalidOperationException("redis-server not found: run .ci/ensure-redis (it installs Debian's redis-server), or set RMAS_REDIS_SERVER");
    }

    public static RedisServer Start()
    {
        int port = RmasProcess.FreePorts(1)[0];
        string dir = Directory.CreateTempSubdirectory("rmas-redis-").FullName;
        var start = new ProcessStartInfo(Executable()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, dir, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                Thread.Sleep(50);
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }
}
