using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace RecursiveMas.Cluster;

/// <summary>
/// Places a grain keyed <c>SILO/…</c> on the active silo named SILO (<see cref="Orleans.Configuration.SiloOptions.SiloName"/>):
/// an agent's turns run where its model was loaded. When no active silo has that name (it died, or was
/// never started) the activation fails with an error naming the silo, and the caller may retry the
/// question on a replica.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SiloPlacement : PlacementStrategy
{
}

/// <summary>Marks a grain class as placed by <see cref="SiloPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPlacementAttribute : PlacementAttribute
{
    public SiloPlacementAttribute()
        : base(new SiloPlacement())
    {
    }
}

/// <summary>The director of <see cref="SiloPlacement"/>: the compatible active silo whose name is the key's silo part.</summary>
internal sealed class SiloPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString() ?? "";
        string silo = AgentKey.SiloOf(key);
        var compatible = context.GetCompatibleSilos(target).ToHashSet();
        var members = membership.CurrentSnapshot.Members.Values;
        var match = members.FirstOrDefault(m => m.Status == SiloStatus.Active && m.Name == silo && compatible.Contains(m.SiloAddress));
        if (match is null)
        {
            string known = string.Join(", ", members.Where(m => m.Status == SiloStatus.Active).Select(m => m.Name).Order(StringComparer.Ordinal));
            throw new SiloNotFoundException($"no active silo is named {silo} (grain {key}); active silos: {(known.Length == 0 ? "none" : known)}");
        }
        return Task.FromResult(match.SiloAddress);
    }
}

/// <summary>A grain's silo is not an active member of the cluster.</summary>
[GenerateSerializer]
public sealed class SiloNotFoundException : Exception
{
    public SiloNotFoundException()
    {
    }

    public SiloNotFoundException(string message)
        : base(message)
    {
    }

    public SiloNotFoundException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
