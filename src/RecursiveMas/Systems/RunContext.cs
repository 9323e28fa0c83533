using RecursiveMas.Answers;
using RecursiveMas.Decoding;
using RecursiveMas.Latent;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Systems;

/// <summary>
/// One inference run of a system over a batch of questions: the run's settings, its recorder, and the
/// turn operations — think, send, decode, and the text messages of Recursive-TextMAS. Each operation
/// checks <see cref="RunOptions.CancellationToken"/> first, passes the token (and, for a final answer,
/// <see cref="RunOptions.OnAnswerText"/>) down, and records its step, so <see cref="RecursiveRunner"/>, the
/// baselines and generated <c>Solve</c> methods cannot differ in cancellation, streaming or accounting.
/// Runs without autograd; tensors created during the run are freed when it is disposed.
/// </summary>
public sealed class RunContext : IDisposable
{
    private readonly IDisposable _noGrad;
    private readonly DisposeScope _scope;

    /// <param name="rounds">The run's n; null = <see cref="RunOptions.RoundsFor"/> (checks the overrides).</param>
    public RunContext(RecursiveSystem system, IReadOnlyList<string> questions, RunOptions? options = null, int? rounds = null)
    {
        System = system;
        Questions = questions;
        Options = options ?? new RunOptions();
        Rounds = rounds ?? Options.RoundsFor(system.Description);
        Decoding = Options.Decoding ?? system.Description.Decoding;
        Recorder = new RunRecorder(Options.OnStep);
        _noGrad = no_grad();
        _scope = NewDisposeScope();
    }

    public RecursiveSystem System { get; }

    public IReadOnlyList<string> Questions { get; }

    public RunOptions Options { get; }

    /// <summary>n for this run.</summary>
    public int Rounds { get; }

    /// <summary>The final decode's settings (the options', else the description's).</summary>
    public DecodingDescription Decoding { get; }

    public RunRecorder Recorder { get; }

    /// <summary>
    /// <paramref name="agent"/>'s latent rollout in <paramref name="round"/> over <paramref name="prompt"/>
    /// (its <c>{round}</c> filled, as in every turn here) with its messages: m = the options' latent steps, else the agent's. Returns E = R_in(H) with H.
    /// </summary>
    /// <param name="inner">The map h → e; null = the agent's inner link.</param>
    public LatentThoughts Think(SystemAgent agent, int round, AgentPrompt prompt, IReadOnlyDictionary<string, Tensor> messages,
        nn.Module<Tensor, Tensor>? inner = null)
    {
        Options.CancellationToken.ThrowIfCancellationRequested();
        int steps = Options.LatentSteps ?? agent.LatentSteps;
        return Recorder.Latent(agent.Name, round, steps,
            () => agent.Think(prompt.ForRound(round), Questions, messages, steps, Options.RolloutMode, Options.CancellationToken, inner));
    }

    /// <summary>
    /// R_out(E) along every edge leaving <paramref name="agent"/> (loop-closing ones when
    /// <paramref name="includeFeedback"/>), one fused matmul for links sharing E; each message is reported
    /// to <see cref="RunOptions.OnMessage"/>. In <see cref="RecursiveSystem.Outgoing"/> order.
    /// </summary>
    public IReadOnlyList<SentMessage> Send(string agent, int round, bool includeFeedback, Tensor embeddings)
    {
        var (edges, links) = System.Outgoing(agent, includeFeedback);
        var vectors = links.Forward(embeddings);
        return [.. edges.Select((edge, i) => Sent(edge, round, vectors[i]))];
    }

    /// <summary>A message leaving along <paramref name="edge"/>, reported to <see cref="RunOptions.OnMessage"/>.</summary>
    public SentMessage Sent(SystemEdge edge, int round, Tensor vectors)
    {
        var message = new SentMessage(edge, round, vectors);
        Options.OnMessage?.Invoke(message);
        return message;
    }

    /// <summary>The decoder's final text from <paramref name="prompt"/> with its latent messages (tools and retry as the system says), streamed.</summary>
    public IReadOnlyList<GeneratedSequence> Decode(SystemAgent agent, int round, AgentPrompt prompt, IReadOnlyDictionary<string, Tensor> messages)
    {
        Options.CancellationToken.ThrowIfCancellationRequested();
        return Recorder.Text(agent.Name, round, StepKind.Decode,
            () => agent.Decode(prompt.ForRound(round), Questions, messages, Decoding, System.Tools, Options.OnAnswerText, Options.CancellationToken));
    }

    /// <summary>
    /// A thinking turn of the latent system as <see cref="RecursiveRunner"/> runs it: the agent reads its
    /// round's prompt with <paramref name="messages"/>, thinks m steps, and sends R_out(E) along the turn's
    /// edges (loop-closing ones when the turn has any). The cluster's agents run their turns through it too.
    /// </summary>
    public IReadOnlyList<SentMessage> LatentTurn(AgentTurn turn, IReadOnlyDictionary<string, Tensor> messages)
    {
        var agent = System.Agent(turn.Agent);
        var thoughts = Think(agent, turn.Round, agent.PromptFor(turn.Round, decode: false), messages);
        return Send(turn.Agent, turn.Round, includeFeedback: turn.Outgoing.Any(e => e.IsFeedback), thoughts.Embeddings);
    }

    /// <summary>The decoder's final turn of the latent system as <see cref="RecursiveRunner"/> runs it.</summary>
    public IReadOnlyList<GeneratedSequence> DecodeTurn(AgentTurn turn, IReadOnlyDictionary<string, Tensor> messages)
    {
        var agent = System.Agent(turn.Agent);
        return Decode(agent, turn.Round, agent.PromptFor(turn.Round, decode: true), messages);
    }

    /// <summary>A text message of at most <see cref="SystemDescription.TextMessageTokens"/> tokens (Recursive-TextMAS), sampled like the final decode.</summary>
    /// <param name="messageText">The text of (question index, slot) this agent reads.</param>
    public IReadOnlyList<GeneratedSequence> WriteText(SystemAgent agent, int round, AgentPrompt prompt, Func<int, string, string> messageText)
    {
        Options.CancellationToken.ThrowIfCancellationRequested();
        var sampling = SystemAgent.Sampling(Decoding) with { MaxNewTokens = System.Description.TextMessageTokens };
        CheckTextPrompts(agent, round, decode: false, prompt, messageText, sampling.MaxNewTokens);
        return Recorder.Text(agent.Name, round, StepKind.Text,
            () => agent.GenerateText(prompt.ForRound(round), Questions, messageText, sampling, cancellationToken: Options.CancellationToken));
    }

    /// <summary>The decoder's final text with text messages in its slots (Recursive-TextMAS), streamed.</summary>
    public IReadOnlyList<GeneratedSequence> DecodeText(SystemAgent agent, int round, AgentPrompt prompt, Func<int, string, string> messageText)
    {
        Options.CancellationToken.ThrowIfCancellationRequested();
        CheckTextPrompts(agent, round, decode: true, prompt, messageText, Decoding.MaxNewTokens);
        return Recorder.Text(agent.Name, round, StepKind.Decode,
            () => agent.DecodeText(prompt.ForRound(round), Questions, messageText, Decoding, Options.OnAnswerText, Options.CancellationToken));
    }

    /// <summary>
    /// Refuses, before the turn's forward, a question whose text prompt (messages included) and token budget are more
    /// than the agent's model holds — what <see cref="RunAdmission.CheckEach"/> does for a latent run before it starts;
    /// a text run's prompts are known only turn by turn, since they hold what the senders wrote.
    /// </summary>
    /// <param name="messageText">The text of (question index, slot) the agent reads; empty for a prompt without slots.</param>
    public void CheckTextPrompts(SystemAgent agent, int round, bool decode, AgentPrompt prompt, Func<int, string, string> messageText, int budget)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(messageText);
        var rendered = prompt.ForRound(round);
        for (int b = 0; b < Questions.Count; b++)
        {
            int row = b;
            try
            {
                RunAdmission.Check(RunAdmission.TextTurn(agent.Prompts, round, decode, rendered, Questions[b], slot => messageText(row, slot), budget, Options.CancellationToken));
            }
            catch (PromptTooLongException e) when (Questions.Count > 1)
            {
                throw e.InQuestion(b, Questions.Count);
            }
        }
    }

    /// <summary>
    /// The run's result: each answer extracted from its decoded text, the recorder's steps and time.
    /// Every runner ends with it, generated systems included, so their results and accounting agree.
    /// </summary>
    /// <param name="otherTokens">Text tokens other agents generated for each question (text messages), if any.</param>
    public RunResult Result(RunMethod method, IReadOnlyList<GeneratedSequence> answers, IReadOnlyList<int>? otherTokens = null) =>
        ResultOf(method, Rounds, Questions, answers, Recorder, otherTokens);

    /// <summary>The result of a run of <paramref name="rounds"/> rounds over <paramref name="questions"/>, whose steps <paramref name="recorder"/> holds.</summary>
    internal static RunResult ResultOf(RunMethod method, int rounds, IReadOnlyList<string> questions, IReadOnlyList<GeneratedSequence> answers,
        RunRecorder recorder, IReadOnlyList<int>? otherTokens = null)
    {
        var answered = questions.Select((q, b) =>
        {
            string text = answers[b].Text ?? "";
            return new QuestionAnswer(q, text, AnswerExtractor.Extract(text).Value, answers[b].TokenIds.Count + (otherTokens?[b] ?? 0))
            {
                FinishReason = answers[b].Reason,
            };
        }).ToList();
        return new RunResult
        {
            Method = method,
            Rounds = rounds,
            Answers = answered,
            Steps = recorder.Steps,
            TotalMilliseconds = recorder.ElapsedMilliseconds,
            PeakMemoryBytes = RunRecorder.PeakMemoryBytes(),
        };
    }

    public void Dispose()
    {
        _scope.Dispose();
        _noGrad.Dispose();
    }
}
