using System.Text.RegularExpressions;
using RecursiveMas.Cli;
using RecursiveMas.Evaluation;
using RecursiveMas.Tasks;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Tokenization;

namespace RecursiveMas.Tests.Tasks;

public sealed partial class TaskGenerationTests
{
    [Fact]
    public void GeneratingAndWritingStopWhenCancelledAndLeaveNoFile()
    {
        var cancelled = new CancellationToken(canceled: true);
        Assert.Throws<OperationCanceledException>(() => TaskSplits.Generate(TaskKind.Arithmetic, 1, 4, 2, 2, cancellationToken: cancelled));

        string dir = Path.Combine(Path.GetTempPath(), "rmas-cancelled-splits-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Throws<OperationCanceledException>(() => TaskSplits.Generate(TaskKind.Arithmetic, 1, 4, 2, 2).Write(dir, cancelled));
            Assert.Empty(Directory.GetFileSystemEntries(dir)); // not even a temporary
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SplitsAreWrittenAllThreeOrNone()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rmas-splits-" + Guid.NewGuid().ToString("N"));
        try
        {
            TaskSplits.Generate(TaskKind.Arithmetic, 1, 4, 2, 2).Write(dir);
            string train = File.ReadAllText(Path.Combine(dir, TaskSplits.TrainFile));
            File.Delete(Path.Combine(dir, TaskSplits.TestFile));
            Directory.CreateDirectory(Path.Combine(dir, TaskSplits.TestFile)); // test.jsonl cannot be written now

            Assert.Throws<IOException>(() => TaskSplits.Generate(TaskKind.Arithmetic, 2, 4, 2, 2).Write(dir));

            Assert.Equal(train, File.ReadAllText(Path.Combine(dir, TaskSplits.TrainFile))); // the earlier run's, untouched
            Assert.Equal(4, TaskDataFile.Read(Path.Combine(dir, TaskSplits.TrainFile)).Count);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(TaskKind.Arithmetic)]
    [InlineData(TaskKind.ArithmeticLong)]
    [InlineData(TaskKind.Reachability)]
    public void EveryExampleHasAllRolesAndABoxedAnswerTheCheckerAccepts(TaskKind kind)
    {
        var splits = TaskSplits.Generate(kind, seed: 3, train: 200, validation: 20, test: 40);
        var all = splits.Train.Concat(splits.Validation).Concat(splits.Test).ToList();
        Assert.Equal(260, all.Count);
        Assert.Equal(all.Count, all.Select(e => e.Question).Distinct().Count());
        foreach (var e in all)
        {
            Assert.Equal(TaskRoles.All, e.Roles.Keys);
            Assert.All(e.Roles.Values, t => Assert.False(string.IsNullOrWhiteSpace(t)));
            Assert.EndsWith("}.", e.Answer);
            Assert.True(e.IsAnsweredBy(e.Answer));
            Assert.True(e.IsAnsweredBy($"so \\boxed{{{e.Gold}}}"));
            Assert.False(e.IsAnsweredBy(e.Roles[TaskRoles.Planner]));
        }
    }

    [Theory]
    [InlineData(TaskKind.Arithmetic, 2, 4)]
    [InlineData(TaskKind.ArithmeticLong, 5, 8)]
    public void ArithmeticAnswersFollowTheRefinedPlanAndNeedSeveralSteps(TaskKind kind, int fewest, int most)
    {
        var seen = new HashSet<int>();
        foreach (var e in TaskSplits.Generate(kind, 11, 300, 0, 0).Train)
        {
            // Recompute every step of the refined plan (the answer's chain) from the question's numbers.
            var steps = StepPattern().Matches(e.Answer);
            Assert.InRange(steps.Count, fewest, most);
            seen.Add(steps.Count);
            // Each role holds one part: the planner no results, the solver only the result, the answer both.
            var last = e.RolesIn(int.MaxValue);
            Assert.DoesNotContain("=", e.Roles[TaskRoles.Planner]);
            Assert.Equal($"The answer is \\boxed{{{e.Gold}}}.", last[TaskRoles.Solver]);
            Assert.EndsWith($" {last[TaskRoles.Solver]}", e.Answer);
            int value = int.Parse(NumberPattern().Match(e.Question).Value);
            foreach (Match step in steps)
            {
                int left = int.Parse(step.Groups[1].Value), operand = int.Parse(step.Groups[3].Value), result = int.Parse(step.Groups[4].Value);
                Assert.Equal(value, left);
                value = step.Groups[2].Value switch { "+" => left + operand, "-" => left - operand, _ => left * operand };
                Assert.Equal(value, result);
                Assert.InRange(value, 0, ArithmeticWordProblems.MaxValue);
            }
            Assert.Equal(value.ToString(), e.Gold);
        }
        Assert.Equal(Enumerable.Range(fewest, most - fewest + 1), seen.Order());
    }

    /// <summary>
    /// With a window of operations a round, each round's plan starts where the solver of the round before
    /// ended, the critics' windows joined are the whole chain, and once it is done every later round
    /// restates the result. So at four a chain of up to four operations is finished in round 1 and a long
    /// one needs exactly two rounds.
    /// </summary>
    [Theory]
    [InlineData(TaskKind.Arithmetic, 4)]
    [InlineData(TaskKind.ArithmeticLong, 4)]
    [InlineData(TaskKind.ArithmeticLong, 3)]
    public void RolesWorkThroughAWindowOfOperationsARoundFromWhereTheLastRoundEnded(TaskKind kind, int perRound)
    {
        foreach (var e in TaskSplits.Generate(kind, 12, 200, 0, 0, perRound).Train)
        {
            int operations = StepPattern().Matches(e.Answer).Count;
            int needed = (operations + perRound - 1) / perRound;
            Assert.Equal(needed, e.LaterRounds.Count);
            var windows = new List<string>();
            string start = NumberPattern().Match(e.Question).Value;
            for (int round = 1; round <= needed + 2; round++)
            {
                var roles = e.RolesIn(round);
                Assert.StartsWith($"Start with {start}.", roles[TaskRoles.Planner]);
                int window = StepPattern().Matches(roles[TaskRoles.Critic]).Count;
                Assert.InRange(window, 0, perRound);
                Assert.Equal(window, roles[TaskRoles.Planner].Split('.', StringSplitOptions.RemoveEmptyEntries).Length - 1);
                string end = Regex.Match(roles[TaskRoles.Solver], @"\\boxed\{(\d+)\}").Groups[1].Value;
                if (round <= needed)
                {
                    Assert.True(window > 0, $"round {round} of \"{e.Question}\" has nothing to do");
                    windows.Add(roles[TaskRoles.Critic]);
                    Assert.EndsWith($"= {end}.", roles[TaskRoles.Critic]);
                }
                else
                {
                    // Done: the rounds after restate the result, and the solver boxes the gold answer.
                    Assert.Equal($"Start with {e.Gold}.", roles[TaskRoles.Planner]);
                    Assert.Equal($"{e.Gold}.", roles[TaskRoles.Critic]);
                    Assert.Equal(e.Gold, end);
                }
                start = end;
            }
            Assert.Equal(e.Answer, $"{string.Join(" ", windows)} {e.RolesIn(needed)[TaskRoles.Solver]}");
        }
    }

    /// <summary>Without a window (the zoo's data) round 1's roles cover the whole chain and there are no later rounds.</summary>
    [Fact]
    public void WithoutAWindowRoundOneHoldsTheWholeChain()
    {
        var windowless = TaskSplits.Generate(TaskKind.ArithmeticLong, 12, 50, 0, 0).Train;
        var wide = TaskSplits.Generate(TaskKind.ArithmeticLong, 12, 50, 0, 0, operationsPerRound: 8).Train;
        Assert.All(windowless, e => Assert.Empty(e.LaterRounds));
        Assert.All(windowless, e => Assert.Equal(e.Answer, $"{e.Roles[TaskRoles.Critic]} {e.Roles[TaskRoles.Solver]}"));
        // A window as wide as the longest chain draws the same questions and round-1 roles, then one round restating the result.
        Assert.Equal(windowless.Select(e => e with { LaterRounds = [] }).Select(TaskDataFile.ToJsonLine), wide.Select(e => e with { LaterRounds = [] }).Select(TaskDataFile.ToJsonLine));
        Assert.All(wide, e => Assert.Equal($"Start with {e.Gold}.", Assert.Single(e.LaterRounds)[TaskRoles.Planner]));
        // Any wider window is the same: the largest --ops-per-round takes, with no window end past int.MaxValue.
        var widest = TaskSplits.Generate(TaskKind.ArithmeticLong, 12, 50, 0, 0, operationsPerRound: int.MaxValue).Train;
        Assert.Equal(wide.Select(TaskDataFile.ToJsonLine), widest.Select(TaskDataFile.ToJsonLine));
        Assert.Throws<ArgumentException>(() => TaskSplits.Generate(TaskKind.Reachability, 1, 1, 0, 0, operationsPerRound: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => TaskSplits.Generate(TaskKind.Arithmetic, 1, 1, 0, 0, operationsPerRound: 0));
    }

    [Fact]
    public void ReachabilityHasExactlyOneReachableCandidate()
    {
        foreach (var e in TaskSplits.Generate(TaskKind.Reachability, 5, 300, 0, 0).Train)
        {
            var rules = RulePattern().Matches(e.Question).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
            var fact = FactPattern().Match(e.Question);
            var options = OptionPattern().Match(e.Question);
            Assert.True(fact.Success && options.Success, e.Question);
            var reachable = new HashSet<string> { fact.Groups[1].Value };
            for (bool grew = true; grew;)
            {
                grew = false;
                foreach (var (from, to) in rules)
                    if (reachable.Contains(from) && reachable.Add(to))
                        grew = true;
            }
            string a = options.Groups[1].Value, b = options.Groups[2].Value;
            Assert.True(reachable.Contains(a) ^ reachable.Contains(b), e.Question);
            Assert.Equal(reachable.Contains(a) ? a : b, e.Gold);
            Assert.InRange(rules.Count, 4, 9);
        }
    }

    [Fact]
    public void SplitsAreReproducibleAndTestDoesNotDependOnTrainingSize()
    {
        var a = TaskSplits.Generate(TaskKind.Arithmetic, 7, 50, 10, 20);
        var b = TaskSplits.Generate(TaskKind.Arithmetic, 7, 80, 10, 20);
        var c = TaskSplits.Generate(TaskKind.Arithmetic, 8, 50, 10, 20);
        Assert.Equal(a.Test.Select(TaskDataFile.ToJsonLine), b.Test.Select(TaskDataFile.ToJsonLine));
        Assert.Equal(a.Train.Select(TaskDataFile.ToJsonLine), b.Train.Take(50).Select(TaskDataFile.ToJsonLine));
        Assert.NotEqual(a.Test.Select(e => e.Question), c.Test.Select(e => e.Question));
    }

    [Fact]
    public void TheCommandWritesJsonlThatReadsBackAndIsByteIdenticalForTheSameSeed()
    {
        using var dir = new TempDirectory();
        string first = Path.Combine(dir.Path, "a"), second = Path.Combine(dir.Path, "b");
        foreach (var outDir in new[] { first, second })
        {
            var (code, output) = CliRunner.Run("tasks", "--task", "reachability", "--seed", "4", "--train", "30", "--val", "5", "--test", "10", "--out", outDir);
            Assert.True(code == ExitCodes.Success, output);
        }
        foreach (var file in new[] { TaskSplits.TrainFile, TaskSplits.ValidationFile, TaskSplits.TestFile })
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));
        var read = TaskDataFile.Read(Path.Combine(first, TaskSplits.TrainFile));
        var generated = TaskSplits.Generate(TaskKind.Reachability, 4, 30, 5, 10).Train;
        Assert.Equal(generated.Select(TaskDataFile.ToJsonLine), read.Select(TaskDataFile.ToJsonLine));
        string line = File.ReadLines(Path.Combine(first, TaskSplits.TestFile)).First();
        Assert.StartsWith("{\"question\":", line);
        Assert.Contains("\"roles\":{\"planner\":", line);
        Assert.Contains("\\\\boxed{", line);
    }

    [Fact]
    public void LaterRoundsReadBackFromBothReadersAndBadOnesNameTheirField()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "long.jsonl");
        var written = TaskSplits.Generate(TaskKind.ArithmeticLong, 5, 6, 0, 0, operationsPerRound: 4).Train;
        TaskDataFile.Write(path, written);
        var read = TaskDataFile.Read(path);
        Assert.Equal(written.Select(TaskDataFile.ToJsonLine), read.Select(TaskDataFile.ToJsonLine));
        Assert.Equal(written[0].RolesIn(3), read[0].RolesIn(3));
        Assert.Contains("\"later_rounds\":[{\"planner\":\"Start with", File.ReadLines(path).First());
        // The training reader sees the same rounds.
        var training = RecursiveMas.Training.TrainingData.Load(path);
        Assert.Equal(read.Select(e => e.LaterRounds.Count), training.Select(e => e.LaterRoundTargets.Count));
        Assert.Equal(read[0].LaterRounds[0], training[0].LaterRoundTargets[0]);
        // rmas tasks writes the same files.
        string folder = Path.Combine(dir.Path, "cli");
        var (code, output) = CliRunner.Run("tasks", "--task", "arithmetic-long", "--ops-per-round", "4", "--seed", "5", "--train", "6", "--val", "0", "--test", "0", "--out", folder);
        Assert.True(code == ExitCodes.Success, output);
        Assert.Equal(File.ReadAllText(path), File.ReadAllText(Path.Combine(folder, TaskSplits.TrainFile)));

        File.WriteAllText(path, "{\"question\":\"q\",\"roles\":{\"a\":\"x\"},\"later_rounds\":[{\"a\":\"y\"},{\"a\":3}],\"answer\":\"\\\\boxed{1}\"}\n");
        foreach (var error in new[] { Assert.Throws<ModelFileException>(() => TaskDataFile.Read(path)), Assert.Throws<ModelFileException>(() => RecursiveMas.Training.TrainingData.Load(path)) })
        {
            Assert.Contains("long.jsonl", error.Message);
            Assert.Contains("later_rounds[1].a", error.Message);
        }
        File.WriteAllText(path, "{\"question\":\"q\",\"later_rounds\":{},\"answer\":\"\\\\boxed{1}\"}\n");
        Assert.Contains("\"later_rounds\"", Assert.Throws<ModelFileException>(() => TaskDataFile.Read(path)).Message);
    }

    [Fact]
    public void BadDataNamesTheFileAndLine()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "bad.jsonl");
        File.WriteAllText(path, "{\"question\":\"q\",\"roles\":{},\"answer\":\"\\\\boxed{1}\"}\n{\"question\":\"q2\",\"answer\":\"no box\"}\n");
        var e = Assert.Throws<ModelFileException>(() => TaskDataFile.Read(path));
        Assert.Contains("bad.jsonl", e.Message);
        Assert.Contains("line 2", e.Message);
        File.WriteAllText(path, "{\"question\": 3}\n");
        Assert.Contains("line 1", Assert.Throws<ModelFileException>(() => TaskDataFile.Read(path)).Message);
        var (code, output) = CliRunner.Run("tasks", "--task", "sorting", "--out", dir.Path);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("arithmetic, arithmetic-long or reachability", output);
        (code, output) = CliRunner.Run("tasks", "--task", "reachability", "--ops-per-round", "4", "--out", dir.Path);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--ops-per-round", output);
    }

    [GeneratedRegex(@"(\d+) ([+\-*]) (\d+) = (\d+)\.")]
    private static partial Regex StepPattern();

    [GeneratedRegex(@"\d+")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"Every (\w+) is a (\w+)\.")]
    private static partial Regex RulePattern();

    [GeneratedRegex(@"\b[A-Z]\w* is a (\w+)\. Is")]
    private static partial Regex FactPattern();

    [GeneratedRegex(@"Is \w+ a (\w+) or a (\w+)\?")]
    private static partial Regex OptionPattern();
}
