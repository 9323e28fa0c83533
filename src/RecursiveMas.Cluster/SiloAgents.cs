using System.Security.Cryptography;
using RecursiveMas.Systems;
using static TorchSharp.torch;

namespace RecursiveMas.Cluster;

/// <summary>
/// The part of a system one silo serves: the agents its configuration assigns to it (models, tokenizers,
/// inner links, the outer links of the edges they send along), loaded once. Every turn runs through the
/// same <see cref="RunContext"/> operations as the single-process runner (<see cref="RunContext.LatentTurn"/>,
/// <see cref="RunContext.DecodeTurn"/>), one at a time, in arrival order, on one thread of the silo's own: a loaded
/// system is not thread-safe, a silo's cores are its agents' to share, and models run from more than one long-lived
/// thread get a slow OpenMP path (<see cref="Serving.ThreadThatEnds"/>) — turns on the thread pool, as before,
/// landed on a new pool thread now and then, each keeping a team of its own.
/// </summary>
public sealed class SiloAgents : IDisposable
{
    private readonly System.Collections.Concurrent.BlockingCollection<Action> _turns = [];
    private readonly Thread _models;
    private bool _disposing;

    private SiloAgents(string siloName, RecursiveSystem system, string digest)
    {
        SiloName = siloName;
        System = system;
        SystemDigest = digest;
        _models = new Thread(() =>
        {
            foreach (var turn in _turns.GetConsumingEnumerable())
                turn();
        })
        { IsBackground = true, Name = $"rmas silo {siloName} models" };
        _models.Start();
    }

    public string SiloName { get; }

    public RecursiveSystem System { get; }

    /// <summary>SHA-256 of the SYSTEM.json bytes, so a client can tell that every silo serves the same system.</summary>
    public string SystemDigest { get; }

    /// <summary>Loads <paramref name="agents"/> of the system at <paramref name="systemPath"/> for the silo <paramref name="siloName"/>.</summary>
    public static SiloAgents Load(string siloName, string systemPath, IReadOnlyCollection<string> agents, SystemLoadOptions? options = null)
    {
        if (agents.Count == 0)
            throw new ArgumentException($"silo {siloName}: no agents to serve (--agents)");
        var description = SystemDescription.Load(systemPath);
        var system = RecursiveSystem.Load(description, (options ?? new SystemLoadOptions()) with { Agents = agents });
        return new SiloAgents(siloName, system, DigestOf(systemPath));
    }

    /// <summary>SHA-256 (hex) of a SYSTEM.json's bytes.</summary>
    public static string DigestOf(string systemPath) =>
        Convert.ToHexStringLower(SHA256.HashData(RecursiveMas.IO.FileBytes.Read(systemPath, SystemDescription.MaxFileBytes)));

    public SiloInfo Info => new()
    {
        Silo = SiloName,
        System = System.Description.Name,
        SystemDigest = SystemDigest,
        Agents = [.. System.Agents.Select(a => a.Name)],
        ProcessId = Environment.ProcessId,
    };

    /// <summary>A thinking turn of <paramref name="agent"/>, after the turns already queued on this silo.</summary>
    public Task<ThinkReply> ThinkAsync(string agent, TurnRequest request) => Serialized(() => Think(agent, request));

    /// <summary>The final decode of <paramref name="agent"/>, after the turns already queued on this silo.</summary>
    public Task<DecodeReply> DecodeAsync(string agent, TurnRequest request) => Serialized(() => Decode(agent, request));

    Task<T> Serialized<T>(Func<T> turn)
    {
        // Off the grain scheduler's thread (a turn is seconds of CPU work), onto the silo's model thread.
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _turns.Add(() =>
            {
                if (Volatile.Read(ref _disposing))
                {
                    done.SetException(new ObjectDisposedException(nameof(SiloAgents), $"silo {SiloName} is shutting down"));
                    return;
                }
                try
                {
                    done.SetResult(turn());
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            });
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException) // adding after Dispose
        {
            return Task.FromException<T>(new ObjectDisposedException(nameof(SiloAgents), $"silo {SiloName} is shutting down"));
        }
        return done.Task;
    }

    /// <summary>A thinking turn, now, on the calling thread.</summary>
    public ThinkReply Think(string agent, TurnRequest request)
    {
        var turn = TurnOf(agent, request, decode: false);
        using var run = new RunContext(System, [request.Question], request.Settings.ToRunOptions(), request.Settings.Rounds);
        var sent = run.LatentTurn(turn, MessagesOf(agent, request));
        return new ThinkReply
        {
            Sent = [.. sent.Select(s => new EdgePayload { From = s.Edge.From, To = s.Edge.To, IsFeedback = s.Edge.IsFeedback, Vectors = LatentPayload.From(s.Vectors) })],
            Step = TurnStep.Of(run.Recorder.Steps.Single(), SiloName),
        };
    }

    /// <summary>The final decode, now, on the calling thread.</summary>
    public DecodeReply Decode(string agent, TurnRequest request)
    {
        var turn = TurnOf(agent, request, decode: true);
        using var run = new RunContext(System, [request.Question], request.Settings.ToRunOptions(), request.Settings.Rounds);
        var text = run.DecodeTurn(turn, MessagesOf(agent, request)).Single();
        return new DecodeReply
        {
            Text = text.Text ?? "",
            TokenIds = [.. text.TokenIds],
            Reason = text.Reason,
            Step = TurnStep.Of(run.Recorder.Steps.Single(), SiloName),
        };
    }

    /// <summary>The turn of the schedule this request is for; checks system, agent and round.</summary>
    AgentTurn TurnOf(string agent, TurnRequest request, bool decode)
    {
        if (request.System != System.Description.Name)
            throw new ArgumentException($"silo {SiloName} serves system {System.Description.Name}, not {request.System}");
        if (!System.Agents.Any(a => a.Name == agent))
            throw new ArgumentException($"silo {SiloName} does not serve agent {agent} of system {System.Description.Name} (it serves {string.Join(", ", System.Agents.Select(a => a.Name))})");
        if (request.Settings.Rounds < 1)
            throw new ArgumentException($"silo {SiloName}: a run has at least one round, not {request.Settings.Rounds}");
        var turn = RoundSchedule.Turns(System.Plan, request.Settings.Rounds).FirstOrDefault(t => t.Agent == agent && t.Round == request.Round)
            ?? throw new ArgumentException($"silo {SiloName}: agent {agent} has no turn in round {request.Round} of {request.Settings.Rounds}");
        if (turn.IsFinalDecode != decode)
            throw new ArgumentException($"silo {SiloName}: agent {agent}'s turn in round {request.Round} is {(turn.IsFinalDecode ? "the final decode" : "a thinking turn")}");
        return turn;
    }

    /// <summary>The request's messages as tensors on the agent's device (freed with the run's dispose scope).</summary>
    Dictionary<string, Tensor> MessagesOf(string agent, TurnRequest request)
    {
        var device = System.Agent(agent).Model.Device;
        return request.Messages.ToDictionary(kv => kv.Key, kv => kv.Value.ToTensor(device));
    }

    public void Dispose()
    {
        // The turn in progress finishes before the models it runs are freed; turns not started are refused.
        Volatile.Write(ref _disposing, true);
        _turns.CompleteAdding();
        _models.Join();
        System.Dispose();
        _turns.Dispose();
    }
}
