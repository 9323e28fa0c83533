using System.Collections.Concurrent;
using Orleans.Runtime;

namespace RecursiveMas.Cluster;

/// <summary>
/// The client's view of which silos are alive, from the cluster's membership (polled every second through
/// the management grain). A call waiting on a silo that leaves the membership — killed, declared dead by the
/// others — is abandoned at once through <see cref="TokenFor"/>, instead of waiting out Orleans' response
/// timeout (a request forwarded by a gateway silo has no other way to learn that its target died). A
/// departure also cancels <see cref="AnyDeparture"/>: a call to a live silo may have gone (or be coming back)
/// through the departed one as its gateway, and would then never be answered either.
/// </summary>
internal sealed class SiloWatch : IAsyncDisposable
{
    static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly IClusterClient _client;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _alive = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private CancellationTokenSource _departure = new();
    private readonly Task _loop;

    public SiloWatch(IClusterClient client, IEnumerable<string> active)
    {
        _client = client;
        foreach (var silo in active)
            _alive[silo] = new CancellationTokenSource();
        _loop = Task.Run(Loop);
    }

    /// <summary>Whether <paramref name="silo"/> is in the cluster as last seen (a silo back under its name is again).</summary>
    public bool IsAlive(string silo) => _alive.TryGetValue(silo, out var cts) && !cts.IsCancellationRequested;

    /// <summary>Cancelled at the next departure of any silo (take it before the call it guards).</summary>
    public CancellationToken AnyDeparture => Volatile.Read(ref _departure).Token;

    /// <summary>Cancelled when <paramref name="silo"/> leaves the cluster (already cancelled when it is not in it).</summary>
    public CancellationToken TokenFor(string silo) =>
        _alive.TryGetValue(silo, out var cts) ? cts.Token : new CancellationToken(canceled: true);

    async Task Loop()
    {
        var management = _client.GetGrain<IManagementGrain>(0);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Period, _stop.Token).ConfigureAwait(false);
                var hosts = await management.GetDetailedHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(10), _stop.Token).ConfigureAwait(false);
                var active = hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloName).ToHashSet(StringComparer.Ordinal);
                bool departed = false;
                foreach (var (silo, cts) in _alive)
                {
                    if (!active.Contains(silo) && !cts.IsCancellationRequested)
                    {
                        await cts.CancelAsync().ConfigureAwait(false);
                        departed = true;
                    }
                }
                if (departed)
                    await Interlocked.Exchange(ref _departure, new CancellationTokenSource()).CancelAsync().ConfigureAwait(false);
                // A silo back under its name (restarted) gets a fresh token.
                foreach (var silo in active)
                {
                    if (!_alive.TryGetValue(silo, out var cts) || cts.IsCancellationRequested)
                        _alive[silo] = new CancellationTokenSource();
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // The management grain's silo may be the one that died: ask again next period.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
