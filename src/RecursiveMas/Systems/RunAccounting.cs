using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RecursiveMas.Systems;

/// <summary>What one agent did in one round, for a whole batch of questions.</summary>
/// <param name="Agent">The agent.</param>
/// <param name="Round">1-based round.</param>
/// <param name="Kind">A latent rollout, the final text, or a text message (Recursive-TextMAS); "latent", "decode" or "text" in JSON.</param>
/// <param name="LatentSteps">Latent thoughts per question (m), 0 for text steps.</param>
/// <param name="GeneratedTokens">Text tokens generated, summed over the batch.</param>
/// <param name="PrefillTokens">Positions read before generating (text tokens and message vectors), summed over the batch.</param>
/// <param name="Milliseconds">Wall time of the step.</param>
public sealed record AgentStep(string Agent, int Round, StepKind Kind, int LatentSteps, int GeneratedTokens, int PrefillTokens, double Milliseconds);

/// <summary>The answer to one question.</summary>
/// <param name="Question">The question.</param>
/// <param name="Text">The decoder's text.</param>
/// <param name="Answer">The extracted final answer (boxed, else "Final Answer:" line), or null.</param>
/// <param name="GeneratedTokens">Text tokens generated for this question by all agents.</param>
public sealed record QuestionAnswer(string Question, string Text, string? Answer, int GeneratedTokens)
{
    /// <summary>Why the decoder stopped writing this answer (null when the runner did not say).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Decoding.FinishReason>))]
    public Decoding.FinishReason? FinishReason { get; init; }
}

/// <summary>
/// The result of running a system (or a baseline) on a batch: answers, and per agent and round the
/// latent steps, generated and prefilled tokens and wall time, plus total time and peak memory.
/// </summary>
public sealed record RunResult
{
    /// <summary>The runner that produced it; "recursive", "text", "single", "alone" or "latentmas" in JSON.</summary>
    public required RunMethod Method { get; init; }

    public required int Rounds { get; init; }

    public required IReadOnlyList<QuestionAnswer> Answers { get; init; }

    public required IReadOnlyList<AgentStep> Steps { get; init; }

    public required double TotalMilliseconds { get; init; }

    /// <summary>Peak resident memory of the process so far (bytes).</summary>
    public long PeakMemoryBytes { get; init; }

    /// <summary>Text tokens generated, all agents, all questions.</summary>
    public int GeneratedTokens => Steps.Sum(s => s.GeneratedTokens);

    /// <summary>Latent thoughts produced, all agents, all questions.</summary>
    public int LatentThoughts => Steps.Sum(s => s.LatentSteps) * Math.Max(1, Answers.Count);

    /// <summary>Positions prefilled, all agents, all questions.</summary>
    public int PrefillTokens => Steps.Sum(s => s.PrefillTokens);

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The result as indented JSON (snake_case keys).</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        method = Method,
        rounds = Rounds,
        total_ms = Math.Round(TotalMilliseconds, 3),
        peak_memory_bytes = PeakMemoryBytes,
        generated_tokens = GeneratedTokens,
        latent_thoughts = LatentThoughts,
        prefill_tokens = PrefillTokens,
        answers = Answers,
        steps = Steps,
    }, Json);
}

/// <summary>Collects <see cref="AgentStep"/>s while a system runs, and reports each to an optional observer.</summary>
public sealed class RunRecorder(Action<AgentStep>? onStep = null)
{
    private readonly List<AgentStep> _steps = [];
    private readonly Stopwatch _total = Stopwatch.StartNew();

    public IReadOnlyList<AgentStep> Steps => _steps;

    public double ElapsedMilliseconds => _total.Elapsed.TotalMilliseconds;

    /// <summary>Times <paramref name="work"/> and records it as a step.</summary>
    public T Record<T>(string agent, int round, StepKind kind, Func<T> work, Func<T, (int LatentSteps, int Generated, int Prefill)> counts)
    {
        var watch = Stopwatch.StartNew();
        T result = work();
        watch.Stop();
        var (latent, generated, prefill) = counts(result);
        Add(new AgentStep(agent, round, kind, latent, generated, prefill, watch.Elapsed.TotalMilliseconds));
        return result;
    }

    /// <summary>Records a step measured elsewhere (one row of a batch shared by several runs).</summary>
    public void Add(AgentStep step)
    {
        _steps.Add(step);
        onStep?.Invoke(step);
    }

    /// <summary>Records a text step (<see cref="StepKind.Decode"/> or <see cref="StepKind.Text"/>): generated tokens summed over the batch.</summary>
    public IReadOnlyList<Decoding.GeneratedSequence> Text(string agent, int round, StepKind kind, Func<TextResult> work) =>
        Record(agent, round, kind, work, r => (0, r.Texts.Sum(s => s.TokenIds.Count), r.PrefillTokens)).Texts;

    /// <summary>Records a latent rollout of <paramref name="steps"/> thoughts.</summary>
    public Latent.LatentThoughts Latent(string agent, int round, int steps, Func<ThinkResult> work) =>
        Record(agent, round, StepKind.Latent, work, r => (steps, 0, r.PrefillTokens)).Thoughts;

    /// <summary>Peak resident set size of this process (VmHWM on Linux; the working-set peak elsewhere).</summary>
    public static long PeakMemoryBytes() => ProcStatusBytes("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64;

    /// <summary>Resident set size of this process now (VmRSS on Linux; the working set elsewhere).</summary>
    public static long ResidentMemoryBytes() => ProcStatusBytes("VmRSS:") ?? Environment.WorkingSet;

    /// <summary>A kB field of /proc/self/status in bytes; null off Linux or when unreadable.</summary>
    static long? ProcStatusBytes(string field)
    {
        try
        {
            if (OperatingSystem.IsLinux())
                foreach (var line in File.ReadLines("/proc/self/status"))
                    if (line.StartsWith(field, StringComparison.Ordinal))
                        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
        }
        return null;
    }
}
