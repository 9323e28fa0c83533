using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RecursiveMas.Cluster;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas silo</c>: starts an Orleans silo that serves some agents of a system (their models, inner links and
/// outgoing outer links) to <c>rmas eval --cluster</c> and <c>rmas serve --cluster</c>; runs until stopped.
/// </summary>
public sealed class SiloCommand(IAnsiConsole console) : AsyncCommand<SiloCommand.Settings>
{
    public sealed class Settings : SystemSettings
    {
        [CommandOption("--agents <LIST>")]
        [Description("Comma-separated agents this silo serves (default: all: a replica of the whole system).")]
        public string? Agents { get; init; }

        [CommandOption("--name <NAME>")]
        [Description("The silo's name, unique in the cluster (default: silo-PORT).")]
        public string? Name { get; init; }

        [CommandOption("--cluster <ADDRESS>")]
        [Description("Membership: localhost (this silo is the primary of a one-machine cluster), localhost:PORT (join the primary whose silo port is PORT), or redis://HOST:PORT.")]
        [DefaultValue("localhost")]
        public string Cluster { get; init; } = "localhost";

        [CommandOption("--cluster-id <ID>")]
        [Description("Orleans cluster id shared by the silos and clients of one cluster.")]
        [DefaultValue(ClusterConnection.DefaultClusterId)]
        public string ClusterId { get; init; } = ClusterConnection.DefaultClusterId;

        [CommandOption("--silo-port <PORT>")]
        [Description("Port for silo-to-silo traffic.")]
        [DefaultValue(11111)]
        public int SiloPort { get; init; } = 11111;

        [CommandOption("--gateway-port <PORT>")]
        [Description("Port clients connect to.")]
        [DefaultValue(30000)]
        public int GatewayPort { get; init; } = 30000;

        [CommandOption("--advertise <IP>")]
        [Description("Address other machines reach this silo at (Redis membership; default 127.0.0.1).")]
        public string? Advertise { get; init; }

        [CommandOption("--link-seed <N>")]
        [Description("Seed of links without a file (with --untrained); rmas eval's seed s uses s.")]
        [DefaultValue(1L)]
        public long LinkSeed { get; init; } = 1;

        [CommandOption("--log-level <LEVEL>")]
        [Description("Orleans' log level on stderr: Trace, Debug, Information, Warning (default), Error.")]
        [DefaultValue("Warning")]
        public string LogLevel { get; init; } = "Warning";

        public override ValidationResult Validate()
        {
            if (SiloPort is < 1 or > 65535 || GatewayPort is < 1 or > 65535)
                return ValidationResult.Error("--silo-port and --gateway-port must be ports (1-65535)");
            if (SiloPort == GatewayPort)
                return ValidationResult.Error("--silo-port and --gateway-port must differ");
            if (Name is { } name && (name.Length == 0 || name.Contains('/', StringComparison.Ordinal)))
                return ValidationResult.Error("--name must be non-empty and without '/'");
            if (Advertise is { } ip && !IPAddress.TryParse(ip, out _))
                return ValidationResult.Error($"--advertise takes an IP address, not \"{ip}\"");
            if (!Enum.TryParse<LogLevel>(LogLevel, ignoreCase: true, out _))
                return ValidationResult.Error($"--log-level takes Trace, Debug, Information, Warning, Error or Critical, not \"{LogLevel}\"");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Runtime.Configure(settings.Threads);
        var cluster = ClusterAddress.Parse(settings.Cluster);
        if (cluster.Ports is { Count: > 1 })
            throw new ArgumentException($"--cluster {settings.Cluster}: a silo joins one primary (localhost:PORT, its silo port)");
        string name = settings.Name ?? "silo-" + settings.SiloPort.ToString(CultureInfo.InvariantCulture);
        var description = Systems.SystemDescription.Load(settings.System);
        var agents = settings.Agents is { } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : description.Agents.Select(a => a.Name).ToList();
        using var served = SiloAgents.Load(name, settings.System, agents, settings.LoadOptions() with { UntrainedLinkSeed = settings.LinkSeed });
        using var host = SiloHost.Build(new SiloSettings
        {
            Name = name,
            SystemPath = settings.System,
            Agents = agents,
            Cluster = cluster,
            ClusterId = settings.ClusterId,
            SiloPort = settings.SiloPort,
            GatewayPort = settings.GatewayPort,
            AdvertisedAddress = settings.Advertise is { } ip ? IPAddress.Parse(ip) : IPAddress.Loopback,
            LogLevel = Enum.Parse<LogLevel>(settings.LogLevel, ignoreCase: true),
        }, served);
        await host.StartAsync(cancellationToken);
        if (settings.Json)
        {
            // One line a script (or a test) reads to know the silo is up.
            ConsoleJson.Write(console, new JsonObject
            {
                ["silo"] = name,
                ["system"] = description.Name,
                ["agents"] = new JsonArray([.. agents.Select(a => (JsonNode)a)]),
                ["cluster"] = cluster.ToString(),
                ["siloPort"] = settings.SiloPort,
                ["gatewayPort"] = settings.GatewayPort,
                ["pid"] = Environment.ProcessId,
            }.ToJsonString());
        }
        else
        {
            console.MarkupLine($"silo [bold]{Markup.Escape(name)}[/] serves {Markup.Escape(string.Join(", ", agents))} of {Markup.Escape(description.Name)} " +
                $"(cluster {Markup.Escape(cluster.ToString())}, silo port {settings.SiloPort}, gateway port {settings.GatewayPort})");
            console.MarkupLine("[grey]press Ctrl+C to stop[/]");
        }
        await host.WaitForShutdownAsync(cancellationToken);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await host.StopAsync(grace.Token);
        return ExitCodes.Success;
    }
}
