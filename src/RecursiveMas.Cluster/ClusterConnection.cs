using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace RecursiveMas.Cluster;

/// <summary>A client's connection to a cluster (<c>rmas eval --cluster</c>, <c>rmas serve --cluster</c>, tests, benches).</summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    /// <summary>Orleans' service id of every RecursiveMas cluster.</summary>
    public const string ServiceId = "recursivemas";

    /// <summary>The cluster id when none is given.</summary>
    public const string DefaultClusterId = "rmas";

    /// <summary>How long a turn may take, queueing on its silo included.</summary>
    public static readonly TimeSpan TurnTimeout = TimeSpan.FromMinutes(10);

    /// <summary>How long a client tries to reach the cluster before giving up.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    private readonly IHost _host;

    private ClusterConnection(IHost host, ClusterAddress address)
    {
        _host = host;
        Address = address;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    public ClusterAddress Address { get; }

    public IClusterClient Client { get; }

    /// <summary>Connects to the cluster at <paramref name="address"/> (for development clustering, its gateway ports; default 30000).</summary>
    public static async Task<ClusterConnection> ConnectAsync(ClusterAddress address, string clusterId = DefaultClusterId, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
        // A failed start is reported once, by the exception the caller gets.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.UseOrleansClient(client =>
        {
            if (address.Redis is { } redis)
            {
                client.UseRedisClustering(redis);
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = ServiceId;
                });
            }
            else
            {
                int[] gateways = address.Ports is { Count: > 0 } ports ? [.. ports] : [30000];
                client.UseLocalhostClustering(gateways, ServiceId, clusterId);
            }
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TurnTimeout);
        });
        var host = builder.Build();
        try
        {
            // Orleans keeps trying to reach a gateway for minutes; a cluster that is not there is an error now.
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connect.CancelAfter(ConnectTimeout);
            await host.StartAsync(connect.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            throw new ClusterException($"could not connect to the cluster at {address} (cluster id {clusterId}) in {ConnectTimeout.TotalSeconds:F0} s: is a silo running with that gateway port / membership address and cluster id?");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new ClusterException($"could not connect to the cluster at {address} (cluster id {clusterId}): {e.Message}", e);
        }
        return new ClusterConnection(host, address);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }
}

/// <summary>A cluster problem worth one line to the user: what failed, where (silo, agent, question).</summary>
public sealed class ClusterException : Exception
{
    public ClusterException()
    {
    }

    public ClusterException(string message)
        : base(message)
    {
    }

    public ClusterException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
