using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using RecursiveMas.Serving;
using RecursiveMas.Systems;
using FinishReason = RecursiveMas.Decoding.FinishReason;

namespace RecursiveMas.Extensions.AI;

/// <summary>
/// A recursive multi-agent system as a Microsoft.Extensions.AI <see cref="IChatClient"/>.
/// <list type="bullet">
/// <item>The last message must be the user's; its text is the question (earlier turns: see
/// <see cref="RecursiveMasChatClientOptions.IncludeHistory"/>).</item>
/// <item><see cref="ChatOptions"/>: temperature, top-p, top-k, max output tokens and seed set the final
/// decode; <c>rounds</c> and <c>latent_steps</c> in <see cref="ChatOptions.AdditionalProperties"/> set n and m.
/// Stop sequences, tools, a frequency or presence penalty and a JSON response format are refused (<see cref="NotSupportedException"/>).</item>
/// <item><see cref="ChatResponse.Usage"/>: input tokens = positions prefilled by every agent, output
/// tokens = text tokens the model generated (text the system wrote into the answer — the boxed-answer retry's cue,
/// tool results — is input the next decode reads, so it counts once, as input), <c>latent_steps</c> and <c>rounds</c> in
/// <see cref="UsageDetails.AdditionalCounts"/>. <see cref="ChatResponse.RawRepresentation"/> is the
/// <see cref="RunResult"/>.</item>
/// <item>Streaming yields the final decode token by token, an <see cref="AgentStepContent"/> update after
/// every agent step, and a last update with the finish reason and a <see cref="UsageContent"/>.</item>
/// <item>Cancellation is checked between agent turns, latent steps and decode steps.</item>
/// </list>
/// Over a system, one request runs at a time (its models and caches are not shared between threads):
/// concurrent calls wait their turn. Over a <see cref="ContinuousBatcher"/>, concurrent calls are batched.
/// The client does not own the system or the batcher; dispose them yourself.
/// </summary>
public sealed class RecursiveMasChatClient : IChatClient
{
    private readonly SystemRunner _runner;
    private readonly RecursiveMasChatClientOptions _settings;
    private readonly DecodingDescription? _baseDecoding;
    private readonly SemaphoreSlim _runs;
    private readonly ContinuousBatcher? _batcher;
    private int _disposed;
    private readonly Action<IReadOnlyList<ChatMessage>, ChatRequest, CancellationToken>? _admit;

    /// <summary>
    /// A client over a loaded system, run by <see cref="RecursiveRunner"/>. Before a run it refuses, with an
    /// <see cref="ArgumentException"/> naming the message, text the runtime would read as markup (slot
    /// markers, control-token strings; <see cref="RunAdmission.ControlText"/>) and prompts longer than a
    /// model holds or <see cref="RecursiveMasChatClientOptions.MaxPromptTokens"/> allows
    /// (<see cref="PromptTooLongException"/>).
    /// </summary>
    public RecursiveMasChatClient(RecursiveSystem system, RecursiveMasChatClientOptions? options = null)
        : this((question, run) => RecursiveRunner.Solve(system, question, run), system.Prompts, options)
    {
    }

    /// <summary>
    /// A client over a runner of the system <paramref name="prompts"/> describe, run elsewhere (on a cluster):
    /// requests are checked against the prompts as the system's client checks them, before the runner sees
    /// them. The model id and decoding default to the description's.
    /// </summary>
    public RecursiveMasChatClient(SystemRunner runner, SystemPrompts prompts, RecursiveMasChatClientOptions? options = null)
        : this(runner, (options ?? new()) with { ModelId = options?.ModelId ?? prompts.Description.Name },
            options?.Decoding ?? prompts.Description.Decoding)
    {
        _admit = (messages, request, cancellationToken) => Admit(prompts, messages, request, options?.MaxPromptTokens, cancellationToken);
    }

    /// <summary>
    /// A client whose requests run through <paramref name="batcher"/>: concurrent calls do not wait their turn
    /// but share batched agent turns with each other (each still gets exactly its answer alone), and the
    /// batcher's thread never waits for a slow reader of a stream. Checks requests as the system's client
    /// does. The client does not own the batcher; dispose it (then the system) after the client.
    /// </summary>
    public RecursiveMasChatClient(ContinuousBatcher batcher, RecursiveMasChatClientOptions? options = null)
        : this(batcher.System, options)
    {
        _batcher = batcher;
    }

    /// <summary>A client over any runner (a baseline, generated code); <see cref="RecursiveMasChatClientOptions.Decoding"/> is what options override.</summary>
    public RecursiveMasChatClient(SystemRunner runner, RecursiveMasChatClientOptions? options = null)
        : this(runner, options ?? new(), options?.Decoding)
    {
    }

    RecursiveMasChatClient(SystemRunner runner, RecursiveMasChatClientOptions settings, DecodingDescription? baseDecoding)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.ConcurrentRuns, 1);
        _runner = runner;
        _settings = settings;
        _runs = new SemaphoreSlim(settings.ConcurrentRuns, settings.ConcurrentRuns);
        _baseDecoding = baseDecoding;
        Metadata = new ChatClientMetadata("RecursiveMas", defaultModelId: ModelId);
    }

    /// <summary>The model id this client reports.</summary>
    public string ModelId => _settings.ModelId ?? "recursive-mas";

    /// <summary>Provider "RecursiveMas" and <see cref="ModelId"/>.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var request = Map(messages, options, cancellationToken);
        var result = await RunAsync(request, onStep: null, onText: null, cancellationToken).ConfigureAwait(false);
        var answer = result.Answers[0];
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer.Text) { MessageId = NewId("msg") })
        {
            ResponseId = NewId("chatcmpl"),
            ModelId = ModelId,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = Finish(answer.FinishReason),
            Usage = Usage(result),
            RawRepresentation = result,
            AdditionalProperties = new() { ["answer"] = answer.Answer },
        };
    }

    /// <inheritdoc/>
    /// <remarks>The request is checked at once (bad options throw here, not on the first <c>MoveNextAsync</c>).</remarks>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Stream(Map(messages, options, cancellationToken), cancellationToken);

    async IAsyncEnumerable<ChatResponseUpdate> Stream(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string responseId = NewId("chatcmpl"), messageId = NewId("msg");
        var created = DateTimeOffset.UtcNow;
        ChatResponseUpdate Update(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
        {
            ResponseId = responseId,
            MessageId = messageId,
            ModelId = ModelId,
            CreatedAt = created,
        };

        // The run writes updates from its own thread; the reader yields them as they come. The channel
        // holds one update and the run waits for room, so generation never runs more than two updates
        // ahead of the consumer: a consumer that cancels, or stops reading early (the linked source is
        // cancelled in finally), stops the run within a token or two whatever the machine's load. A batcher's
        // thread serves every request of its batch and must not wait for one reader: there the channel is
        // unbounded (at most one answer's deltas and steps) and a cancelled reader's row stops at the next
        // decode step.
        var updates = _batcher is null
            ? Channel.CreateBounded<ChatResponseUpdate>(new BoundedChannelOptions(1)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            })
            : Channel.CreateUnbounded<ChatResponseUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Publish(ChatResponseUpdate update)
        {
            // Called on the run's own long-running thread, so waiting here blocks nothing else.
            if (!updates.Writer.TryWrite(update))
                updates.Writer.WriteAsync(update, stop.Token).AsTask().GetAwaiter().GetResult();
        }
        var run = RunAsync(request,
            onStep: step => Publish(Update([new AgentStepContent(step)])),
            onText: (row, delta) => Publish(Update([new TextContent(delta)])),
            stop.Token);
        _ = run.ContinueWith(_ => updates.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await foreach (var update in updates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                // ReadAllAsync hands out what is already buffered without looking at the token; a
                // cancelled consumer must not see updates the run wrote before it noticed.
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
            }
            var result = await run.ConfigureAwait(false);
            var last = Update([new UsageContent(Usage(result))]);
            last.FinishReason = Finish(result.Answers[0].FinishReason);
            last.RawRepresentation = result;
            yield return last;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            // Observe the run's end so a cancelled or failed run never outlives the enumeration unobserved.
            try
            { await run.ConfigureAwait(false); }
            catch (Exception) when (!run.IsCompletedSuccessfully) { }
        }
    }

    ChatRequest Map(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> list = [.. messages];
        var request = ChatRequestMapping.Map(list, options, _settings, _baseDecoding);
        if (options?.ModelId is { } asked && asked != ModelId)
            throw new ArgumentException($"this client serves model \"{ModelId}\", not \"{asked}\"", nameof(options));
        _admit?.Invoke(list, request, cancellationToken);
        return request;
    }

    /// <summary>The checks of <see cref="RunAdmission"/>: control text (naming the message it is in), then prompt lengths.</summary>
    static void Admit(SystemPrompts system, IReadOnlyList<ChatMessage> messages, ChatRequest request, int? maxPromptTokens,
        CancellationToken cancellationToken)
    {
        if (RunAdmission.ControlText(system, request.Question) is { } why)
        {
            int at = Enumerable.Range(0, messages.Count).LastOrDefault(i => RunAdmission.ControlText(system, messages[i].Text) is not null, -1);
            throw new ArgumentException(why, at < 0 ? "messages" : $"messages[{at}].content");
        }
        RunAdmission.CheckLength(system, request.Question,
            new RunOptions { Rounds = request.Rounds, LatentSteps = request.LatentSteps, Decoding = request.Decoding },
            maxPromptTokens, cancellationToken);
    }

    async Task<RunResult> RunAsync(ChatRequest request, Action<AgentStep>? onStep, Action<int, string>? onText, CancellationToken cancellationToken)
    {
        var options = new RunOptions
        {
            Rounds = request.Rounds,
            LatentSteps = request.LatentSteps,
            Decoding = request.Decoding,
            OnStep = onStep,
            OnAnswerText = onText,
            CancellationToken = cancellationToken,
        };
        if (_batcher is not null)
            return await _batcher.Submit(request.Question, options).ConfigureAwait(false);
        await _runs.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A long-running thread: the run is synchronous TorchSharp work of seconds to minutes.
            return await Task.Factory.StartNew(() => _runner(request.Question, options), cancellationToken,
                TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }
        finally
        {
            _runs.Release();
        }
    }

    static UsageDetails Usage(RunResult result) => new()
    {
        InputTokenCount = result.PrefillTokens,
        OutputTokenCount = result.GeneratedTokens,
        TotalTokenCount = result.PrefillTokens + result.GeneratedTokens,
        AdditionalCounts = new() { ["latent_steps"] = result.LatentThoughts, ["rounds"] = result.Rounds },
    };

    static ChatFinishReason? Finish(FinishReason? reason) => reason switch
    {
        FinishReason.MaxNewTokens => ChatFinishReason.Length,
        FinishReason.EndOfSequence or FinishReason.StopString => ChatFinishReason.Stop,
        _ => null,
    };

    static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return null;
        if (serviceType == typeof(ChatClientMetadata))
            return Metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>
    /// Waits for the runs in progress to end (cancel its request first to make that quick), then releases the
    /// client's lock; the system is the caller's to dispose, safely once this returns.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        for (int i = 0; i < _settings.ConcurrentRuns; i++)
            _runs.Wait();
        _runs.Dispose();
    }
}
