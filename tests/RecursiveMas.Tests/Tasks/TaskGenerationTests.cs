using System.Text.RegularExpressions;
using RecursiveMas.Cli;
using RecursiveMas.Evaluation;
using RecursiveMas.Tasks;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Tokenization;

namespace RecursiveMas.Tests.Tasks;

public sealed partial class TaskGenerationTests
{
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
            // Recompute every step of the refined plan from the question's numbers.
            var steps = StepPattern().Matches(e.Roles[TaskRoles.Critic]);
            Assert.InRange(steps.Count, fewest, most);
            seen.Add(steps.Count);
            // Each role holds one part: the planner no results, the solver only the result, the answer both.
            Assert.DoesNotContain("=", e.Roles[TaskRoles.Planner]);
            Assert.Equal($"The answer is \\boxed{{{e.Gold}}}.", e.Roles[TaskRoles.Solver]);
            Assert.Equal($"{e.Roles[TaskRoles.Critic]} {e.Roles[TaskRoles.Solver]}", e.Answer);
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
        Assert.Contains("arithmetic or reachability", output);
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
