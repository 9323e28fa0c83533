using RecursiveMas.Decoding;
using RecursiveMas.Systems;
using static TorchSharp.torch;

namespace RecursiveMas.Serving;

/// <summary>
/// One question's way through its run inside a <see cref="ContinuousBatcher"/>: where it is in its
/// <see cref="RoundSchedule"/>, the messages waiting for it (its own <see cref="MessageBoard{TMessage}"/>
/// of [1, m, d] tensors it owns), its step record, and the task its caller awaits. Only the batcher's
/// thread touches it after submission.
/// </summary>
internal sealed class BatchedQuestion
{
    private readonly RecursiveSystem _system;
    private readonly IEnumerator<AgentTurn> _turns;
    private readonly MessageBoard<Tensor> _board = new();
    private readonly List<Tensor> _owned = [];

    public BatchedQuestion(RecursiveSystem system, string question, RunOptions options)
    {
        _system = system;
        Question = question;
        Options = options;
        Rounds = options.RoundsFor(system.Description);
        Decoding = options.Decoding ?? system.Description.Decoding;
        Recorder = new RunRecorder(options.OnStep);
        _turns = RoundSchedule.Turns(system.Plan, Rounds).GetEnumerator();
    }

    public string Question { get; }

    public RunOptions Options { get; }

    public int Rounds { get; }

    public DecodingDescription Decoding { get; }

    public RunRecorder Recorder { get; }

    public TaskCompletionSource<RunResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The turn this question waits to run.</summary>
    public AgentTurn Turn { get; private set; } = null!;

    /// <summary>The messages <see cref="Turn"/> reads, by slot.</summary>
    public IReadOnlyDictionary<string, Tensor> Messages { get; private set; } = new Dictionary<string, Tensor>();

    /// <summary>Which questions <see cref="Turn"/> can run with.</summary>
    public TurnKey Key { get; private set; }

    /// <summary>When <see cref="Turn"/> became ready, in the batcher's order (lower = waited longer).</summary>
    public long ReadySince { get; private set; }

    /// <summary>Turns this question has run (its progress through its schedule).</summary>
    public int TurnsDone { get; private set; } = -1;

    public bool IsDone => Completion.Task.IsCompleted;

    /// <summary>The latent steps of a thinking turn: the options' m, else the agent's.</summary>
    public int LatentSteps(SystemAgent agent) => Options.LatentSteps ?? agent.LatentSteps;

    /// <summary>Moves to the next turn of the schedule and reads its messages.</summary>
    public void Advance(long order)
    {
        if (!_turns.MoveNext())
            throw new InvalidOperationException($"system {_system.Description.Name}: the decoder {_system.Plan.Decoder} never ran");
        Turn = _turns.Current;
        TurnsDone++;
        Messages = _board.For(Turn.Agent, Turn.Round);
        Key = TurnKey.Of(_system.Agent(Turn.Agent), Turn, Messages, Options, Decoding);
        ReadySince = order;
    }

    /// <summary>Keeps a copy of one row of a batched message and posts it for its receiver.</summary>
    public void Post(SystemEdge edge, int round, Tensor row)
    {
        var message = row.clone().DetachFromDisposeScope();
        _owned.Add(message);
        _board.Post(edge, round, message);
        Options.OnMessage?.Invoke(new SentMessage(edge, round, message));
    }

    public void Finish(GeneratedSequence answer)
    {
        if (Completion.TrySetResult(RunContext.ResultOf(RunMethod.Recursive, Rounds, [Question], [answer], Recorder)))
            Release();
    }

    public void Fail(Exception error)
    {
        if (Completion.TrySetException(error))
            Release();
    }

    public void Cancel()
    {
        if (Completion.TrySetCanceled(Options.CancellationToken))
            Release();
    }

    void Release()
    {
        foreach (var tensor in _owned)
            tensor.Dispose();
        _owned.Clear();
        _turns.Dispose();
    }
}
