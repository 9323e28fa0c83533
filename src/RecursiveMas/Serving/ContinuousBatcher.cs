using System.Diagnostics;
using RecursiveMas.Decoding;
using RecursiveMas.Systems;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Serving;

/// <summary>
/// Continuous batching of RecursiveMAS runs (PAPER §3.4 per question): one thread owns the system and
/// runs agent turns for batches of questions. A question that arrives while others run joins at the
/// next turn boundary; one that finishes, fails or is cancelled frees its row there. Each step takes
/// the least advanced question and runs its turn for every question in progress whose next turn
/// matches it (<see cref="TurnKey"/>): latent rollouts, fused outer links and the final decode run
/// batched, with left padding, per-row positions and masks, per-row stops, and per-row seeds and
/// cancellation in the decode. Rows of a batch never influence each other, so every answer is exactly
/// what the question gets alone (<see cref="RecursiveRunner.Solve"/>, greedy or with the same seed).
/// </summary>
public sealed class ContinuousBatcher : IDisposable
{
    private readonly RecursiveSystem _system;
    private readonly BatcherOptions _options;
    private readonly Queue<BatchedQuestion> _waiting = new();
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private int _active;
    private long _order;
    private long _turnsRun;
    private long _rowsRun;
    private long _batchesRunAlone;
    private bool _stopping;

    /// <summary>Starts the batcher's thread over <paramref name="system"/>, which it then uses alone (do not run the system elsewhere meanwhile).</summary>
    public ContinuousBatcher(RecursiveSystem system, BatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        _options = options ?? new BatcherOptions();
        _options.Validate();
        _thread = new Thread(Loop) { IsBackground = true, Name = $"rmas batcher ({system.Description.Name})" };
        _thread.Start();
    }

    public BatcherOptions Options => _options;

    /// <summary>The system this batcher runs.</summary>
    public RecursiveSystem System => _system;

    /// <summary>Questions waiting for a row.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
                return _waiting.Count;
        }
    }

    /// <summary>Questions holding a row (in progress).</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Agent turns run so far (each over one batch).</summary>
    public long TurnsRun => Interlocked.Read(ref _turnsRun);

    /// <summary>Question rows those turns ran; <c>RowsRun / TurnsRun</c> is the mean batch.</summary>
    public long RowsRun => Interlocked.Read(ref _rowsRun);

    /// <summary>
    /// Batches whose turn failed and ran again row by row (<see cref="BatcherOptions.OnBatchRunAlone"/>). No row of a
    /// healthy batch depends on another, so each is a question at fault — or a bug that turns batching into
    /// one-at-a-time work without failing anyone: the serving benchmark records it, and tests hold it at 0.
    /// </summary>
    public long BatchesRunAlone => Interlocked.Read(ref _batchesRunAlone);

    /// <summary>
    /// Queues a question; the task completes with its result (one answer), is cancelled by
    /// <see cref="RunOptions.CancellationToken"/>, or fails with the run's exception. Bad options, and a
    /// question whose prompts would be longer than their agents' models hold (<see cref="PromptTooLongException"/>),
    /// throw here; a full queue throws <see cref="BatcherFullException"/>.
    /// </summary>
    /// <remarks>
    /// <see cref="RunOptions.OnStep"/>, <see cref="RunOptions.OnMessage"/> and <see cref="RunOptions.OnAnswerText"/> (row 0)
    /// are called on the batcher's thread: keep them short, since every question in the batch waits for them.
    /// </remarks>
    public Task<RunResult> Submit(string question, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(question);
        // A prompt longer than its model holds is refused here, before it takes a row (a server checks earlier, with its own limit too).
        RunAdmission.CheckLength(_system.Prompts, question, options, cancellationToken: options?.CancellationToken ?? default);
        return Enqueue(question, options);
    }

    /// <summary><see cref="Submit"/> for a question whose length was checked already.</summary>
    Task<RunResult> Enqueue(string question, RunOptions? options)
    {
        var pending = new BatchedQuestion(_system, question, options ?? new RunOptions());
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_waiting.Count >= _options.MaxWaiting)
                throw new BatcherFullException(_waiting.Count);
            _waiting.Enqueue(pending);
            Monitor.Pulse(_gate);
        }
        return pending.Completion.Task;
    }

    /// <summary>
    /// Answers <paramref name="questions"/> through a batcher of <paramref name="maxBatchSize"/> rows, one
    /// result per question in order: what <see cref="RecursiveRunner.Solve"/> gives each of them alone.
    /// </summary>
    public static IReadOnlyList<RunResult> SolveMany(RecursiveSystem system, IReadOnlyList<string> questions, RunOptions? options = null,
        int maxBatchSize = 16)
    {
        RunAdmission.CheckEach(system.Prompts, questions, options); // once, naming the question at fault
        using var batcher = new ContinuousBatcher(system, new BatcherOptions { MaxBatchSize = maxBatchSize, MaxWaiting = int.MaxValue });
        var tasks = questions.Select(q => batcher.Enqueue(q, options)).ToList();
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            global::System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return [.. tasks.Select(t => t.Result)];
    }

    void Loop()
    {
        using var noGrad = no_grad();
        var active = new List<BatchedQuestion>();
        while (true)
        {
            lock (_gate)
            {
                while (!_stopping && _waiting.Count == 0 && active.Count == 0)
                    Monitor.Wait(_gate);
                if (_stopping)
                    break;
                DropCancelledWaiting();
                while (active.Count < _options.MaxBatchSize && _waiting.TryDequeue(out var next))
                    Admit(next, active);
            }
            foreach (var question in active.Where(q => !q.IsDone && q.Options.CancellationToken.IsCancellationRequested))
                question.Cancel();
            active.RemoveAll(q => q.IsDone);
            Volatile.Write(ref _active, active.Count);
            if (active.Count == 0)
                continue;

            // The least advanced question goes first (the longest waiting among equals): a newcomer catches up
            // with the questions ahead of it until its next turn matches theirs, and from then on they share
            // every turn. Oldest-first would keep questions that arrived apart out of step for their whole run.
            // Nobody starves: newcomers need free rows, and rows free only when questions ahead finish.
            var first = active.OrderBy(q => q.TurnsDone).ThenBy(q => q.ReadySince).First();
            var group = active.Where(q => q.Key == first.Key).ToList();
            try
            {
                RunTurn(group);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (group.Count > 1)
            {
                // One bad question must not take its batch down: run each row alone, so only the one at fault fails.
                Interlocked.Increment(ref _batchesRunAlone);
                _options.OnBatchRunAlone?.Invoke(e, group.Count);
                foreach (var question in group)
                    RunAlone(question);
            }
            catch (Exception e)
            {
                group[0].Fail(e);
            }
            active.RemoveAll(q => q.IsDone);
            Volatile.Write(ref _active, active.Count);
        }

        var stopped = new ObjectDisposedException(nameof(ContinuousBatcher), "the batcher was disposed before the question was answered");
        lock (_gate)
        {
            active.AddRange(_waiting);
            _waiting.Clear();
        }
        foreach (var question in active)
            question.Fail(stopped);
        Volatile.Write(ref _active, 0);
    }

    /// <summary>A question cancelled while it waits for a row is answered at once, not when a row frees.</summary>
    void DropCancelledWaiting()
    {
        if (!_waiting.Any(q => q.Options.CancellationToken.IsCancellationRequested))
            return;
        var keep = _waiting.ToList();
        _waiting.Clear();
        foreach (var question in keep)
        {
            if (question.Options.CancellationToken.IsCancellationRequested)
                question.Cancel();
            else
                _waiting.Enqueue(question);
        }
    }

    void Admit(BatchedQuestion question, List<BatchedQuestion> active)
    {
        try
        {
            question.Advance(_order++);
            active.Add(question);
        }
        catch (Exception e)
        {
            question.Fail(e);
        }
    }

    void RunAlone(BatchedQuestion question)
    {
        try
        {
            RunTurn([question]);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            question.Fail(e);
        }
    }

    /// <summary>The turn every question of <paramref name="group"/> waits for, run as one batch.</summary>
    void RunTurn(IReadOnlyList<BatchedQuestion> group)
    {
        var turn = group[0].Turn;
        var agent = _system.Agent(turn.Agent);
        Interlocked.Increment(ref _turnsRun);
        Interlocked.Add(ref _rowsRun, group.Count);
        var questions = group.Select(q => q.Question).ToList();
        using var scope = NewDisposeScope();
        var messages = group[0].Messages.Keys.ToDictionary(slot => slot, slot => cat(group.Select(q => q.Messages[slot]).ToList(), 0));
        var watch = Stopwatch.StartNew();
        if (turn.IsFinalDecode)
        {
            var rows = group.Select(q => new DecodeRow(q.Decoding.Seed, q.Options.CancellationToken)).ToList();
            var decoded = agent.Decode(agent.PromptFor(turn.Round, decode: true), questions, messages, group[0].Decoding, _system.Tools,
                onText: (row, delta) => group[row].Options.OnAnswerText?.Invoke(0, delta), _stop.Token, rows);
            double ms = watch.Elapsed.TotalMilliseconds;
            for (int r = 0; r < group.Count; r++)
            {
                var answer = decoded.Texts[r];
                group[r].Recorder.Add(new AgentStep(agent.Name, group[r].Turn.Round, StepKind.Decode, 0, answer.TokenIds.Count, decoded.RowPrefillTokens[r], ms));
                if (answer.Reason == FinishReason.Cancelled)
                    group[r].Cancel();
                else
                    group[r].Finish(answer);
            }
            return;
        }

        int steps = group[0].LatentSteps(agent);
        var thought = agent.Think(agent.PromptFor(turn.Round, decode: false), questions, messages, steps, group[0].Options.RolloutMode, _stop.Token);
        var (edges, links) = _system.Outgoing(turn.Agent, includeFeedback: turn.Outgoing.Any(e => e.IsFeedback));
        var vectors = links.Forward(thought.Thoughts.Embeddings);
        double elapsed = watch.Elapsed.TotalMilliseconds;
        for (int r = 0; r < group.Count; r++)
        {
            var question = group[r];
            // Rows may be at different rounds (the turn's key does not include it): each posts in its own.
            int round = question.Turn.Round;
            question.Recorder.Add(new AgentStep(agent.Name, round, StepKind.Latent, steps, 0, thought.RowPrefillTokens[r], elapsed));
            for (int e = 0; e < edges.Count; e++)
                question.Post(edges[e], round, vectors[e].narrow(0, r, 1));
            question.Advance(_order++);
        }
    }

    /// <summary>Stops the thread: questions still waiting or in progress fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
                return;
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
