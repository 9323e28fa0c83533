using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using RecursiveMas.Systems;

namespace RecursiveMas.Cluster;

/// <summary>What <c>rmas silo</c> starts: a silo named <see cref="Name"/> serving <see cref="Agents"/> of a system.</summary>
public sealed record SiloSettings
{
    /// <summary>The silo's name, unique in the cluster: grains of its agents are placed by it (<see cref="SiloPlacement"/>).</summary>
    public required string Name { get; init; }

    public required string SystemPath { get; init; }

    public required IReadOnlyList<string> Agents { get; init; }

    public ClusterAddress Cluster { get; init; } = ClusterAddress.Localhost;

    /// <summary>Port for silo-to-silo traffic.</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>Port clients connect to.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>The address other machines reach this silo at (Redis clustering); loopback by default.</summary>
    public IPAddress AdvertisedAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Orleans' cluster id: silos and clients of one cluster share it (one Redis can hold several).</summary>
    public string ClusterId { get; init; } = ClusterConnection.DefaultClusterId;

    public SystemLoadOptions Load { get; init; } = new();

    /// <summary>Minimum level of Orleans' own log lines (written to stderr).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;
}

/// <summary>Builds and runs a silo (Microsoft.Extensions.Hosting + Orleans) over its <see cref="SiloAgents"/>.</summary>
public static class SiloHost
{
    /// <summary>
    /// The silo's host, not started. <paramref name="agents"/> is owned by the caller (dispose it after the host
    /// stops); it is the one service every grain of this silo uses.
    /// </summary>
    public static IHost Build(SiloSettings settings, SiloAgents agents)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(settings.LogLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        if (settings.LogLevel >= LogLevel.Warning)
        {
            // Start-up advice about server GC, and a watchdog that reads the machine's uptime as a stall on its first check.
            builder.Logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Error);
            builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
        }
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.UseOrleans(silo =>
        {
            silo.Configure<SiloOptions>(o => o.SiloName = settings.Name);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = ClusterConnection.ServiceId;
            });
            if (settings.Cluster.Redis is { } redis)
            {
                silo.UseRedisClustering(redis);
                silo.ConfigureEndpoints(settings.AdvertisedAddress, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(settings.AdvertisedAddress));
            }
            else
            {
                var primary = settings.Cluster.Ports is { Count: > 0 } ports ? new IPEndPoint(IPAddress.Loopback, ports[0]) : null;
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, primary, ClusterConnection.ServiceId, settings.ClusterId);
            }
            // A silo killed mid-question is declared dead after a few missed probes (seconds, not the
            // default tens of seconds), so the question's caller hears of it and may retry elsewhere.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 3;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            });
            // Turns queue on the silo (one at a time); a deep pipeline waits longer than Orleans' 30 s default.
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ClusterConnection.TurnTimeout);
            silo.Services.AddSingleton(agents);
            silo.Services.AddPlacementDirector<SiloPlacement, SiloPlacementDirector>();
        });
        return builder.Build();
    }
}
