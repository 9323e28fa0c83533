using System.Globalization;

namespace RecursiveMas.Cluster;

/// <summary>How silos and clients find each other: the <c>--cluster</c> value.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>localhost</c> or <c>localhost:PORTS</c> — Orleans' development clustering on one machine: the
/// membership table lives in the primary silo. For a silo, <c>localhost</c> makes it the primary and
/// <c>localhost:PORT</c> names the primary's silo port; for a client, the ports are gateway ports
/// (comma-separated).</item>
/// <item><c>redis://HOST:PORT</c> — membership in Redis (Orleans.Clustering.Redis), for several machines:
/// silos and clients only need the Redis address; a silo may die and come back in any order.</item>
/// </list>
/// </remarks>
public sealed record ClusterAddress
{
    /// <summary>The default: development clustering, this silo the primary / a client of gateway 30000.</summary>
    public static readonly ClusterAddress Localhost = new() { Ports = [] };

    /// <summary>Ports after <c>localhost:</c> (empty for a primary silo); null for Redis.</summary>
    public IReadOnlyList<int>? Ports { get; init; }

    /// <summary>The Redis endpoint (<c>HOST:PORT</c>); null for development clustering.</summary>
    public string? Redis { get; init; }

    public bool IsRedis => Redis is not null;

    public static ClusterAddress Parse(string text)
    {
        text = text.Trim();
        if (text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
        {
            string endpoint = text["redis://".Length..].TrimEnd('/');
            if (endpoint.Length == 0 || !endpoint.Contains(':', StringComparison.Ordinal))
                throw new ArgumentException($"--cluster {text}: write redis://HOST:PORT");
            return new ClusterAddress { Redis = endpoint };
        }
        if (text.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return Localhost;
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            var ports = new List<int>();
            foreach (var part in text["localhost:".Length..].Split(',', StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
                    throw new ArgumentException($"--cluster {text}: \"{part}\" is not a port");
                ports.Add(port);
            }
            return new ClusterAddress { Ports = ports };
        }
        throw new ArgumentException($"--cluster {text}: write localhost, localhost:PORT[,PORT…] or redis://HOST:PORT");
    }

    public override string ToString() => Redis is { } r ? "redis://" + r
        : Ports is { Count: > 0 } p ? "localhost:" + string.Join(',', p) : "localhost";
}
