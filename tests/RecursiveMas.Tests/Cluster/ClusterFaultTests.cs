using System.Text.Json;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cluster;

/// <summary>
/// Faults with real processes: a killed eval and a silo killed mid-eval (which fails the eval with an error naming
/// it) lose nothing journaled, the same command resumes once the silo is back, and the final results are complete and
/// identical to the single-process runner's; with replicas, a killed replica's questions are retried on the other.
/// </summary>
public sealed class ClusterFaultTests(TinySystems systems) : IClassFixture<TinySystems>
{
    const int QuestionCount = 8;
    static readonly TimeSpan EvalTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void KilledSiloFailsTheEvalWhichResumesFromTheJournalWithIdenticalResults()
    {
        var description = systems.Describe("sequential", rounds: 2, maxNewTokens: 24);
        string dir = Path.Combine(systems.Root, "fault-pipeline"), data = WriteData(dir);
        using var cluster = TinyCluster.Start(description.SourcePath!, ("a", "Planner,Critic"), ("b", "Solver"));
        string journal = Path.Combine(dir, "journal.jsonl"), output = Path.Combine(dir, "out");
        string[] eval = ["eval", "--system", description.SourcePath!, "--data", data, "--cluster", cluster.AddressText,
            "--journal", journal, "--out", output, "--in-flight", "1", "--json"];

        // The eval itself killed (SIGKILL, maybe mid-line): what it journaled stays.
        int finishedBeforeEvalKill;
        using (var killed = RmasProcess.Start(eval))
        {
            WaitFor(() => JournalEntries(journal) >= 1, killed, cluster);
            killed.Kill();
            finishedBeforeEvalKill = JournalEntries(journal);
        }

        int finishedBeforeKill;
        using (var first = RmasProcess.Start(eval))
        {
            WaitFor(() => JournalEntries(journal) >= finishedBeforeEvalKill + 2, first, cluster);
            cluster.Kill(1);
            int code = first.WaitForExit(EvalTimeout);
            Assert.True(code == 3, $"exit code {code}:\n{first.Output}\n{cluster.Output}");
            Assert.Contains("silo b", first.Output);
            Assert.Contains("Solver", first.Output);
            finishedBeforeKill = JournalEntries(journal);
            Assert.InRange(finishedBeforeKill, finishedBeforeEvalKill + 2, QuestionCount - 1);
        }

        cluster.StartSilo(1);
        using (var second = RmasProcess.Start(eval))
        {
            int code = second.WaitForExit(EvalTimeout);
            Assert.True(code == 0, $"exit code {code}:\n{second.Output}\n{cluster.Output}");
        }
        var result = ReadResult(output);
        Assert.Equal(finishedBeforeKill, result.GetProperty("resumed").GetInt32());
        Assert.Equal(QuestionCount - finishedBeforeKill, result.GetProperty("computed").GetInt32());
        AssertCompleteAndAsOneProcess(description, data, result);
    }

    [Fact]
    public void KilledReplicaIsReplacedByTheOtherAndTheEvalCompletes()
    {
        var description = systems.Describe("sequential", rounds: 2, maxNewTokens: 24);
        string dir = Path.Combine(systems.Root, "fault-replicas"), data = WriteData(dir);
        using var cluster = TinyCluster.Start(description.SourcePath!, ("r1", "Planner,Critic,Solver"), ("r2", "Planner,Critic,Solver"));
        string journal = Path.Combine(dir, "journal.jsonl"), output = Path.Combine(dir, "out");
        using var eval = RmasProcess.Start("eval", "--system", description.SourcePath!, "--data", data, "--cluster", cluster.AddressText,
            "--journal", journal, "--out", output, "--in-flight", "2", "--json");
        WaitFor(() => JournalEntries(journal) >= 2, eval, cluster);
        cluster.Kill(1);
        int code = eval.WaitForExit(EvalTimeout);
        Assert.True(code == 0, $"exit code {code}:\n{eval.Output}\n{cluster.Output}");
        var result = ReadResult(output);
        Assert.Equal(0, result.GetProperty("resumed").GetInt32());
        AssertCompleteAndAsOneProcess(description, data, result);
        // r2 served questions until it was killed (one finished there, or one in flight there was retried on r1);
        // the questions journaled last ran on r1 alone.
        var answers = result.GetProperty("answers").EnumerateArray().ToList();
        Assert.Contains(answers, a => a.GetProperty("silos").EnumerateArray().Any(s => s.GetString() == "r2") || a.GetProperty("attempts").GetInt32() > 1);
        var journaled = File.ReadAllLines(journal).Skip(1).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.All(journaled.TakeLast(QuestionCount / 2), a => Assert.Equal(["r1"], a.GetProperty("silos").EnumerateArray().Select(s => s.GetString())));
    }

    static string WriteData(string dir)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "test.jsonl");
        TaskDataFile.Write(path, TaskSplits.Generate(TaskKind.Arithmetic, 3, QuestionCount, 0, 0).Train);
        return path;
    }

    /// <summary>Lines of the journal past its identity line (whole lines only; a line cut short by a kill is dropped on resume).</summary>
    static int JournalEntries(string journal)
    {
        if (!File.Exists(journal))
            return 0;
        using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return Math.Max(0, reader.ReadToEnd().Count(c => c == '\n') - 1);
    }

    static void WaitFor(Func<bool> condition, RmasProcess eval, TinyCluster cluster)
    {
        var deadline = DateTime.UtcNow + EvalTimeout;
        while (!condition())
        {
            if (eval.HasExited)
                throw new InvalidOperationException($"the eval ended first:\n{eval.Output}\n{cluster.Output}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"waited {EvalTimeout.TotalSeconds:F0} s:\n{eval.Output}\n{cluster.Output}");
            Thread.Sleep(20);
        }
    }

    static JsonElement ReadResult(string output) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "cluster-results.json"))).RootElement.Clone();

    /// <summary>Every question once, in order, each with the text the single-process runner gives (decoding seed 1, links from seed 1).</summary>
    static void AssertCompleteAndAsOneProcess(SystemDescription description, string data, JsonElement result)
    {
        var questions = TaskDataFile.Read(data);
        var answers = result.GetProperty("answers").EnumerateArray().ToList();
        Assert.Equal(QuestionCount, result.GetProperty("questions").GetInt32());
        Assert.Equal(Enumerable.Range(0, QuestionCount), answers.Select(a => a.GetProperty("index").GetInt32()));
        using var local = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 1 });
        var options = new RunOptions { Decoding = description.Decoding with { Seed = 1 } };
        for (int i = 0; i < QuestionCount; i++)
        {
            var expected = RecursiveRunner.Solve(local, questions[i].Prompt, options).Answers[0];
            Assert.Equal(questions[i].Prompt, answers[i].GetProperty("question").GetString());
            Assert.Equal(expected.Text, answers[i].GetProperty("text").GetString());
            Assert.Equal(expected.GeneratedTokens, answers[i].GetProperty("generatedTokens").GetInt32());
        }
    }
}
