using System.Globalization;
using RecursiveMas.Cluster;

namespace RecursiveMas.Tests.Cluster;

/// <summary>
/// Silos of a system as real <c>rmas silo</c> processes on localhost (development clustering: the first silo is
/// the primary), each serving the agents given; killed on <see cref="Dispose"/>. Links without a file start from
/// seed 1, as <c>RecursiveSystem.Load</c> with <c>UntrainedLinkSeed = 1</c> gives them in the test process.
/// </summary>
public sealed class TinyCluster : IDisposable
{
    static readonly TimeSpan Ready = TimeSpan.FromSeconds(120);

    private readonly RmasProcess?[] _silos;
    private readonly (string Name, string Agents)[] _assignments;
    private readonly int[] _ports;

    private readonly string? _redis;
    private readonly string _clusterId;

    private TinyCluster(string systemPath, (string Name, string Agents)[] assignments, string? redis = null, string clusterId = ClusterConnection.DefaultClusterId)
    {
        _redis = redis;
        _clusterId = clusterId;
        SystemPath = systemPath;
        _assignments = assignments;
        _silos = new RmasProcess?[assignments.Length];
        _ports = RmasProcess.FreePorts(2 * assignments.Length);
    }

    public string SystemPath { get; }

    public int SiloPort(int i) => _ports[2 * i];

    public int GatewayPort(int i) => _ports[2 * i + 1];

    /// <summary>The client's address: every silo's gateway.</summary>
    public ClusterAddress Address => _redis is { } redis ? new() { Redis = redis } : new() { Ports = [.. Enumerable.Range(0, _silos.Length).Select(GatewayPort)] };

    public string ClusterId => _clusterId;

    public string AddressText => Address.ToString();

    public RmasProcess Silo(int i) => _silos[i] ?? throw new InvalidOperationException($"silo {i} is not running");

    /// <summary>Starts the silos (the primary first) and waits until each has joined.</summary>
    public static TinyCluster Start(string systemPath, params (string Name, string Agents)[] silos) => Start(new TinyCluster(systemPath, silos));

    /// <summary>Silos whose membership is in the Redis at <paramref name="redis"/> (<c>HOST:PORT</c>), under <paramref name="clusterId"/>.</summary>
    public static TinyCluster StartWithRedis(string redis, string clusterId, string systemPath, params (string Name, string Agents)[] silos) =>
        Start(new TinyCluster(systemPath, silos, redis, clusterId));

    static TinyCluster Start(TinyCluster cluster)
    {
        var silos = cluster._assignments;
        try
        {
            cluster.StartSilo(0);
            var others = Enumerable.Range(1, silos.Length - 1).Select(i => cluster.Launch(i)).ToList();
            foreach (var silo in others)
                silo.WaitForJsonLine(Ready);
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Starts (or restarts, with the same name and ports) silo <paramref name="i"/> and waits until it has joined.</summary>
    public RmasProcess StartSilo(int i)
    {
        var silo = Launch(i);
        silo.WaitForJsonLine(Ready);
        return silo;
    }

    RmasProcess Launch(int i)
    {
        _silos[i]?.Dispose();
        string cluster = _redis is { } redis ? "redis://" + redis
            : i == 0 ? "localhost" : "localhost:" + SiloPort(0).ToString(CultureInfo.InvariantCulture);
        var silo = RmasProcess.Start("silo", "--system", SystemPath, "--agents", _assignments[i].Agents, "--name", _assignments[i].Name,
            "--untrained", "--link-seed", "1", "--cluster", cluster, "--cluster-id", _clusterId,
            "--silo-port", SiloPort(i).ToString(CultureInfo.InvariantCulture), "--gateway-port", GatewayPort(i).ToString(CultureInfo.InvariantCulture), "--json");
        _silos[i] = silo;
        return silo;
    }

    /// <summary>Kills silo <paramref name="i"/> (SIGKILL).</summary>
    public void Kill(int i) => _silos[i]?.Kill();

    /// <summary>What every silo printed, for failure messages.</summary>
    public string Output => string.Join("\n", _silos.Select((s, i) => $"--- silo {_assignments[i].Name}:\n{s?.Output}"));

    public void Dispose()
    {
        // Others first, the primary (holder of the membership table) last.
        for (int i = _silos.Length - 1; i >= 0; i--)
            _silos[i]?.Dispose();
    }
}
