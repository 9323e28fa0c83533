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

/// <summary>
/// The director of <see cref="SiloPlacement"/>: the compatible active silo whose name is the key's silo part.
/// A silo that has just joined (or restarted) is active in the membership before its grain types reach the
/// cluster manifest, and until then placement does not count it compatible: the director waits for that
/// (up to <see cref="JoiningWait"/>) rather than fail a request sent the moment the silo was seen active.
/// </summary>
internal sealed class SiloPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    /// <summary>How long a named silo that is active but not yet compatible is waited for.</summary>
    internal static readonly TimeSpan JoiningWait = TimeSpan.FromSeconds(15);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString() ?? "";
        string silo = AgentKey.SiloOf(key);
        var deadline = DateTime.UtcNow + JoiningWait;
        while (true)
        {
            var compatible = context.GetCompatibleSilos(target).ToHashSet();
            var active = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).ToList();
            var named = active.Where(m => m.Name == silo).ToList();
            if (named.FirstOrDefault(m => compatible.Contains(m.SiloAddress)) is { } match)
                return match.SiloAddress;
            if (named.Count == 0)
            {
                string known = string.Join(", ", active.Select(m => m.Name).Order(StringComparer.Ordinal));
                throw new SiloNotFoundException($"no active silo is named {silo} (grain {key}); active silos: {(known.Length == 0 ? "none" : known)}");
            }
            if (DateTime.UtcNow >= deadline)
                throw new SiloNotFoundException($"silo {silo} is active but has not announced the grain type of {key} within {JoiningWait.TotalSeconds:0} s (its grain types have not reached the cluster manifest)");
            await Task.Delay(100);
        }
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
