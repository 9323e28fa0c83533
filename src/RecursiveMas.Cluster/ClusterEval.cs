using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using RecursiveMas.Answers;
using RecursiveMas.BenchmarkData;
using RecursiveMas.Evaluation;
using RecursiveMas.IO;
using RecursiveMas.Systems;

namespace RecursiveMas.Cluster;

/// <summary>Settings of <c>rmas eval --cluster</c>: the recursive method, one round count, one decoding seed.</summary>
public sealed record ClusterEvalOptions
{
    /// <summary>n; null = the system's.</summary>
    public int? Rounds { get; init; }

    /// <summary>The decoding seed (as seed s of <c>rmas eval</c>).</summary>
    public long Seed { get; init; } = 1;

    public int? Limit { get; init; }

    public double? Temperature { get; init; }

    public int? MaxNewTokens { get; init; }

    public AnswerChecker Checker { get; init; } = AnswerChecker.Strict;

    public Benchmark? Benchmark { get; init; }

    public int ShuffleSeed { get; init; } = BenchmarkFile.DefaultShuffleSeed;

    /// <summary>Questions in progress at once; null = two per silo.</summary>
    public int? InFlight { get; init; }

    /// <summary>The results journal (read, then appended to).</summary>
    public required string JournalPath { get; init; }

    /// <summary>Called as each question finishes (and is journaled).</summary>
    public Action<JournalEntry>? OnAnswered { get; init; }
}

/// <summary>The outcome of a cluster eval: every question's journal entry (in question order) and the totals.</summary>
public sealed record ClusterEvalResult
{
    [JsonPropertyName("system")] public required string System { get; init; }
    [JsonPropertyName("data")] public required string Data { get; init; }
    [JsonPropertyName("rounds")] public required int Rounds { get; init; }
    [JsonPropertyName("seed")] public required long Seed { get; init; }
    [JsonPropertyName("silos")] public required IReadOnlyList<string> Silos { get; init; }
    [JsonPropertyName("routes")] public required int Routes { get; init; }
    [JsonPropertyName("questions")] public required int Questions { get; init; }
    [JsonPropertyName("correct")] public required int Correct { get; init; }
    [JsonPropertyName("accuracy")] public double Accuracy => Questions == 0 ? 0 : (double)Correct / Questions;
    /// <summary>Questions read back from the journal (computed by an earlier, interrupted run).</summary>
    [JsonPropertyName("resumed")] public required int Resumed { get; init; }
    [JsonPropertyName("computed")] public required int Computed { get; init; }
    /// <summary>Wall time of this run's questions.</summary>
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }
    [JsonPropertyName("questionsPerSecond")] public double QuestionsPerSecond => Seconds > 0 ? Computed / Seconds : 0;
    [JsonPropertyName("journal")] public required string Journal { get; init; }
    [JsonPropertyName("answers")] public required IReadOnlyList<JournalEntry> Answers { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });
}

/// <summary>
/// Evaluates a system on the cluster: the test questions go through <see cref="ClusterRunner.SolveManyAsync"/>
/// (many in flight, spread over routes), each finished question is graded and written to the
/// <see cref="ResultsJournal"/> at once, and a run that finds a journal resumes from it. Settings as
/// <c>rmas eval</c>'s recursive method for one round count and seed: same data readers, same checker, same
/// decoding (the system's, with the benchmark's and the options' overrides, the seed as the decoding seed).
/// </summary>
public static class ClusterEval
{
    /// <summary>
    /// SHA-256 (hex) of the data file, streamed: a benchmark's JSONL can be larger than one array holds (ReadAllBytes
    /// failed on a file over 2 GiB), and the journal needs only its digest.
    /// </summary>
    static string DigestOfData(string dataPath)
    {
        try
        {
            using var stream = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(dataPath, null, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Refuses data that cannot be read twice: the journal names the data by its digest (so a resumed run can tell it
    /// is the same data), a second read of the file, and a pipe (a shell's <c>&lt;(…)</c>) or a device gives its bytes
    /// once — the digest's read would wait forever or hash other bytes. <c>rmas eval --cluster</c> asks before it
    /// connects; <see cref="RunAsync"/> asks again.
    /// </summary>
    public static void CheckData(string dataPath)
    {
        if (AtomicFile.IsSpecial(dataPath))
            throw new ModelFileException(dataPath, null,
                "is a pipe or a device, but a cluster evaluation reads its data twice (the journal keeps its digest to check a resumed run against); save it to a file first");
    }

    public static async Task<ClusterEvalResult> RunAsync(ClusterRunner runner, string systemPath, string dataPath, ClusterEvalOptions options,
        CancellationToken cancellationToken = default)
    {
        CheckData(dataPath);
        var description = runner.Description;
        var data = MethodComparison.ReadData(dataPath, options.Benchmark, options.ShuffleSeed, options.Limit);
        var decoding = MethodComparison.DecodingFor(description, options.Benchmark, options.Temperature, options.MaxNewTokens) with { Seed = options.Seed };
        var runOptions = new RunOptions { Rounds = options.Rounds, Decoding = decoding };
        int rounds = runOptions.RoundsFor(description);
        var identity = new JournalIdentity
        {
            System = description.Name,
            SystemDigest = SiloAgents.DigestOf(systemPath),
            Data = Path.GetFullPath(dataPath),
            DataDigest = DigestOfData(dataPath),
            Questions = data.Count,
            Rounds = rounds,
            Seed = options.Seed,
            Temperature = decoding.Temperature,
            MaxNewTokens = decoding.MaxNewTokens,
            Checker = options.Checker == AnswerChecker.Lenient ? "lenient" : "strict",
        };
        using var journal = ResultsJournal.Open(options.JournalPath, identity);
        var done = journal.Entries;
        var todo = Enumerable.Range(0, data.Count).Where(i => !done.ContainsKey(i)).Select(i => (i, data[i].Prompt)).ToList();
        int inFlight = options.InFlight ?? Math.Max(2, 2 * runner.Silos.Count);
        var watch = Stopwatch.StartNew();
        await runner.SolveManyAsync(todo, runOptions, inFlight, (index, answer) =>
        {
            var entry = new JournalEntry
            {
                Index = index,
                Question = answer.Question,
                Text = answer.Text,
                Answer = AnswerExtractor.Extract(answer.Text).Value,
                Correct = data[index].IsAnsweredBy(answer.Text, options.Checker),
                GeneratedTokens = answer.TokenIds.Count,
                Milliseconds = answer.Milliseconds,
                Silos = answer.Silos,
                Attempts = answer.Attempts,
            };
            journal.Add(entry);
            options.OnAnswered?.Invoke(entry);
        }, cancellationToken).ConfigureAwait(false);
        watch.Stop();
        var all = journal.Entries.Values.OrderBy(e => e.Index).ToList();
        return new ClusterEvalResult
        {
            System = description.Name,
            Data = identity.Data,
            Rounds = rounds,
            Seed = options.Seed,
            Silos = [.. runner.Silos.Select(s => s.Silo)],
            Routes = runner.Routes.Count,
            Questions = data.Count,
            Correct = all.Count(e => e.Correct),
            Resumed = journal.Resumed,
            Computed = todo.Count,
            Seconds = watch.Elapsed.TotalSeconds,
            Journal = journal.Path,
            Answers = all,
        };
    }
}
