using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.Runtime;
using RecursiveMas.Answers;
using RecursiveMas.Decoding;
using RecursiveMas.Systems;

namespace RecursiveMas.Cluster;

/// <summary>One question answered on the cluster.</summary>
/// <param name="CallMilliseconds">For each step, the turn's call as the client saw it (queueing on the silo, the messages' way there and back included).</param>
public sealed record ClusterAnswer(string Question, string Text, IReadOnlyList<int> TokenIds, FinishReason Reason, IReadOnlyList<TurnStep> Steps,
    IReadOnlyList<double> CallMilliseconds, double Milliseconds, int Attempts)
{
    /// <summary>The silos the question's turns ran on, in order of first use.</summary>
    public IReadOnlyList<string> Silos => [.. Steps.Select(s => s.Silo).Distinct()];

    /// <summary>The same answer as a <see cref="RunResult"/> of the recursive runner (steps as the silos recorded them).</summary>
    public RunResult ToRunResult(int rounds) => new()
    {
        Method = RunMethod.Recursive,
        Rounds = rounds,
        Answers = [new QuestionAnswer(Question, Text, AnswerExtractor.Extract(Text).Value, TokenIds.Count) { FinishReason = Reason }],
        Steps = [.. Steps.Select(s => s.ToAgentStep())],
        TotalMilliseconds = Milliseconds,
    };
}

/// <summary>
/// Runs a system whose agents are grains on a cluster: the same <see cref="TurnLoop"/> over the same
/// <see cref="RoundSchedule"/> as the single-process runner, each turn a call to the agent's grain on the silo
/// that loaded it, carrying the latent messages the agent reads (<see cref="LatentPayload"/>) and bringing back
/// the ones it sends. The client holds no model: messages stay payloads until a silo reads them.
/// <para>
/// Routes: which silo runs each agent for a question. Silos that serve the whole system are replicas, each a
/// route of its own; agents spread over silos (a pipeline) form one route. Questions are spread over routes
/// (question i starts on route i mod count), so many questions in flight keep every silo busy. When a silo
/// fails mid-question (it died: Orleans reports it unavailable, or no active silo has its name), the question
/// is retried from its start on the next route that does not use that silo; with none left it fails with an
/// error naming the silo, the agent and the round.
/// </para>
/// </summary>
public sealed class ClusterRunner : IAsyncDisposable
{
    private readonly IClusterClient _client;
    private readonly SiloWatch _watch;
    private readonly ConcurrentDictionary<string, string> _failedSilos = new(StringComparer.Ordinal);

    private ClusterRunner(IClusterClient client, SystemDescription description, SystemPlan plan, IReadOnlyList<SiloInfo> silos,
        IReadOnlyList<IReadOnlyDictionary<string, string>> routes)
    {
        _client = client;
        _watch = new SiloWatch(client, silos.Select(s => s.Silo));
        Description = description;
        Plan = plan;
        Silos = silos;
        Routes = routes;
    }

    public SystemDescription Description { get; }

    public SystemPlan Plan { get; }

    /// <summary>The active silos serving this system, by name.</summary>
    public IReadOnlyList<SiloInfo> Silos { get; }

    /// <summary>Agent → silo, one map per route.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Routes { get; }

    /// <summary>
    /// Finds the silos that serve the system at <paramref name="systemPath"/> (every active silo must serve it:
    /// same name, same SYSTEM.json bytes) and plans the routes; fails naming the agent no silo serves.
    /// </summary>
    public static async Task<ClusterRunner> CreateAsync(IClusterClient client, string systemPath, CancellationToken cancellationToken = default)
    {
        var description = SystemDescription.Load(systemPath);
        var plan = SystemPlan.Build(description);
        string digest = SiloAgents.DigestOf(systemPath);
        var hosts = await client.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true).WaitAsync(cancellationToken).ConfigureAwait(false);
        var silos = new List<SiloInfo>();
        foreach (var host in hosts.Where(h => h.Status == SiloStatus.Active).OrderBy(h => h.SiloName, StringComparer.Ordinal))
        {
            var info = await client.GetGrain<ISiloInfoGrain>(host.SiloName).Describe().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (info.System != description.Name || info.SystemDigest != digest)
                throw new ClusterException($"silo {info.Silo} serves system {info.System} ({Short(info.SystemDigest)}), not {description.Name} ({Short(digest)}) from {Path.GetFullPath(systemPath)}: every silo of a cluster must load the same SYSTEM.json");
            silos.Add(info);
        }
        if (silos.Count == 0)
            throw new ClusterException("the cluster has no active silo");
        return new ClusterRunner(client, description, plan, silos, PlanRoutes(plan, silos));
    }

    static string Short(string digest) => "sha256 " + digest[..Math.Min(12, digest.Length)];

    /// <summary>
    /// Route k sends each agent to the k-th silo serving it (mod their count), silos in name order, so that
    /// replicas (silos serving the whole system) stay whole: a question never leaves its replica.
    /// </summary>
    internal static IReadOnlyList<IReadOnlyDictionary<string, string>> PlanRoutes(SystemPlan plan, IReadOnlyList<SiloInfo> silos)
    {
        var hosts = plan.Order.ToDictionary(a => a, a => silos.Where(s => s.Agents.Contains(a)).Select(s => s.Silo).Order(StringComparer.Ordinal).ToList());
        if (hosts.FirstOrDefault(h => h.Value.Count == 0) is { Key: not null } missing)
            throw new ClusterException($"agent {missing.Key} of system {plan.Description.Name} is served by no silo (silos: {string.Join("; ", silos.Select(s => $"{s.Silo}: {string.Join(", ", s.Agents)}"))})");
        int count = hosts.Values.Max(h => h.Count);
        return [.. Enumerable.Range(0, count).Select(k => (IReadOnlyDictionary<string, string>)hosts.ToDictionary(h => h.Key, h => h.Value[k % h.Value.Count]))];
    }

    /// <summary>
    /// What the served system is, for the page of <c>rmas serve --cluster</c>: agents, edges and hidden sizes as the
    /// description states them (0 where it leaves them to config.json); the models live on the silos, so no
    /// parameter counts or families, and links are shown as trained only when the description's links folder is
    /// visible here.
    /// </summary>
    public SystemOverview Overview()
    {
        string links = Path.Combine(Description.BaseDirectory, Description.LinksDirectory);
        bool Trained(string id) => File.Exists(Path.Combine(links, id + ".json"));
        var agents = Plan.Order.Select(Description.Agent).Select(a => new AgentOverview(a.Name, a.Model, "on " + string.Join(", ",
            Silos.Where(s => s.Agents.Contains(a.Name)).Select(s => s.Silo)), a.HiddenSize, 0, a.LatentSteps, a.Name == Plan.Decoder, 0, 0,
            Trained("inner." + a.Name))).ToList();
        var edges = Plan.Edges.Select(e => new LinkOverview(e.From, e.To, e.IsFeedback, Description.Agent(e.From).HiddenSize, Description.Agent(e.To).HiddenSize, 0,
            Trained(Links.OuterLink.IdOf(e.From, e.To)))).ToList();
        return new SystemOverview(Description.Name, Description.Pattern.Kind.ToString().ToLowerInvariant(), Plan.Rounds, Plan.Decoder, agents, edges);
    }

    /// <summary>Answers <paramref name="question"/>, starting on route <paramref name="route"/> (mod the route count).</summary>
    public async Task<ClusterAnswer> SolveAsync(string question, RunOptions? options = null, int route = 0, CancellationToken cancellationToken = default)
    {
        options ??= new RunOptions();
        var settings = TurnSettings.Of(Description, options);
        ClusterTurnFailure? last = null;
        int attempts = 0, interruptions = 0;
        for (int k = 0; k < Routes.Count; k++)
        {
            var chosen = Routes[(route + k) % Routes.Count];
            // Routes through a silo that left are skipped (but the last is tried: it may have come back).
            if (chosen.Values.Any(s => !_watch.IsAlive(s)) && k < Routes.Count - 1)
                continue;
            if (last is not null && chosen.Values.Contains(last.Silo))
                continue;
            attempts++;
            try
            {
                return await SolveOnRoute(question, settings, chosen, attempts, options, cancellationToken).ConfigureAwait(false);
            }
            catch (ClusterInterruption interruption)
            {
                if (++interruptions > MaxInterruptions)
                    throw new ClusterException($"{interruption.Message} ({interruptions} times; the cluster keeps losing silos)", interruption);
                // This route's silos are alive; the call may have been lost with a departed gateway: again, same route.
                k--;
            }
            catch (ClusterTurnFailure failure) when (failure.SiloDown)
            {
                _failedSilos[failure.Silo] = failure.Message;
                last = failure;
            }
            catch (ClusterTurnFailure failure)
            {
                // The turn itself threw on a live silo: another replica would throw the same. A ClusterException, as
                // every failure of this runner is (rmas exits 3); FailedTurn still finds the turn inside it.
                throw new ClusterException(failure.Message, failure);
            }
        }
        if (last is null)
            throw new ClusterException($"question \"{Clip(question)}\": no route left (failed silos: {string.Join(", ", _failedSilos.Keys)})");
        throw new ClusterException($"{last.Message}; no replica without silo {last.Silo} is left (tried {attempts} route(s))", last);
    }

    async Task<ClusterAnswer> SolveOnRoute(string question, TurnSettings settings, IReadOnlyDictionary<string, string> route, int attempts,
        RunOptions options, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var steps = new List<TurnStep>();
        var calls = new List<double>();
        var reply = await TurnLoop.RunAsync<LatentPayload, DecodeReply>(Plan, Description.Name, settings.Rounds,
            think: async (turn, messages) =>
            {
                long start = Stopwatch.GetTimestamp();
                var result = await Call(route, turn, question, messages, settings, (grain, request) => grain.Think(request), cancellationToken).ConfigureAwait(false);
                calls.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                Record(steps, result.Step, options);
                return result.Sent.Select(s => (s.Edge, s.Vectors));
            },
            decode: async (turn, messages) =>
            {
                long start = Stopwatch.GetTimestamp();
                var result = await Call(route, turn, question, messages, settings, (grain, request) => grain.Decode(request), cancellationToken).ConfigureAwait(false);
                calls.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                Record(steps, result.Step, options);
                return result;
            }).ConfigureAwait(false);
        options.OnAnswerText?.Invoke(0, reply.Text);
        return new ClusterAnswer(question, reply.Text, reply.TokenIds, reply.Reason, steps, calls, watch.Elapsed.TotalMilliseconds, attempts);
    }

    static void Record(List<TurnStep> steps, TurnStep step, RunOptions options)
    {
        steps.Add(step);
        options.OnStep?.Invoke(step.ToAgentStep());
    }

    async Task<T> Call<T>(IReadOnlyDictionary<string, string> route, AgentTurn turn, string question, IReadOnlyDictionary<string, LatentPayload> messages,
        TurnSettings settings, Func<IAgentGrain, TurnRequest, Task<T>> call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string silo = route[turn.Agent];
        var request = new TurnRequest { System = Description.Name, Question = question, Round = turn.Round, Settings = settings, Messages = new(messages) };
        var siloGone = _watch.TokenFor(silo);
        var anyGone = _watch.AnyDeparture;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, siloGone, anyGone);
        try
        {
            return await call(_client.GetGrain<IAgentGrain>(AgentKey.Of(silo, turn.Agent)), request).WaitAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (siloGone.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ClusterTurnFailure(silo, siloDown: true, Where(turn, silo),
                $"question \"{Clip(question)}\": {Where(turn, silo)} failed: silo {silo} left the cluster (it died or was stopped)", e);
        }
        catch (OperationCanceledException e) when (anyGone.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ClusterInterruption($"question \"{Clip(question)}\": agent {turn.Agent}'s turn in round {turn.Round} on silo {silo} was interrupted: another silo left the cluster", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            bool down = IsSiloDown(e);
            throw new ClusterTurnFailure(silo, down, Where(turn, silo),
                $"question \"{Clip(question)}\": {Where(turn, silo)} failed{(down ? " (the silo is down)" : "")}: {e.Message}", e);
        }
    }

    static string Where(AgentTurn turn, string silo) => $"agent {turn.Agent}'s {(turn.IsFinalDecode ? "final decode" : "turn")} in round {turn.Round} on silo {silo}";

    /// <summary>
    /// The turn a failure of <see cref="SolveAsync"/> happened in — "agent A's turn in round R on silo S" — when it is a turn's
    /// failure (a grain threw, or its silo left); null for others. Words of this runner's own, never the silo's error.
    /// </summary>
    public static string? FailedTurn(Exception e)
    {
        for (Exception? at = e; at is not null; at = at.InnerException)
            if (at is ClusterTurnFailure failure)
                return failure.Where;
        return null;
    }

    /// <summary>Whether <paramref name="e"/> says the silo is gone rather than that the turn itself failed.</summary>
    internal static bool IsSiloDown(Exception e) => e is SiloUnavailableException or SiloNotFoundException or OrleansMessageRejectionException or TimeoutException
        || e.GetType().Name is "ConnectionFailedException" or "ConnectionAbortedException"
        || (e.InnerException is { } inner && IsSiloDown(inner));

    public ValueTask DisposeAsync() => _watch.DisposeAsync();

    /// <summary>How often one question is started again on its route because another silo left mid-call.</summary>
    const int MaxInterruptions = 3;

    static string Clip(string text) => text.Length <= 60 ? text : text[..57] + "...";

    /// <summary>
    /// Answers <paramref name="questions"/> with at most <paramref name="inFlight"/> in progress at once (question i on
    /// route i), calling <paramref name="onAnswered"/> as each finishes (in any order). When one fails, no new
    /// question starts; those in progress finish (and are reported), then the first failure is thrown.
    /// </summary>
    public async Task<IReadOnlyList<ClusterAnswer>> SolveManyAsync(IReadOnlyList<(int Index, string Question)> questions, RunOptions? options, int inFlight,
        Action<int, ClusterAnswer>? onAnswered = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1);
        using var gate = new SemaphoreSlim(inFlight);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var answers = new ClusterAnswer?[questions.Count];
        Exception? first = null;
        var tasks = questions.Select(async (q, i) =>
        {
            try
            {
                await gate.WaitAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                var answer = await SolveAsync(q.Question, options, q.Index, cancellationToken).ConfigureAwait(false);
                answers[i] = answer;
                onAnswered?.Invoke(q.Index, answer);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref first, e, null);
                await stop.CancelAsync().ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        if (first is not null)
            throw first is OperationCanceledException ? first : first is ClusterException ? new ClusterException(first.Message, first) : first;
        cancellationToken.ThrowIfCancellationRequested();
        return [.. answers.Select(a => a!)];
    }
}

/// <summary>A turn abandoned because some other silo left the cluster (its call may have gone through it).</summary>
internal sealed class ClusterInterruption(string message, Exception inner) : Exception(message, inner);

/// <summary>A turn that failed on a silo; <see cref="SiloDown"/> when the silo itself is gone.</summary>
internal sealed class ClusterTurnFailure(string silo, bool siloDown, string where, string message, Exception inner) : Exception(message, inner)
{
    public string Silo { get; } = silo;

    /// <summary>The agent, turn, round and silo.</summary>
    public string Where { get; } = where;

    public bool SiloDown { get; } = siloDown;
}
