using RecursiveMas.Training;

namespace RecursiveMas.Tests.Training;

public sealed class TrainingDataTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "rmas-data-" + Guid.NewGuid().ToString("N"));

    public TrainingDataTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    string Write(params string[] lines)
    {
        string path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>
    /// Targets that change by round: each round reads its own entry, a round past the list the last one,
    /// and the decoder is scored on its text of the round it answers in (the answer when it has none).
    /// </summary>
    [Fact]
    public void LaterRoundsGiveEachRoundItsTargetsAndTheLastStandsForTheRest()
    {
        string path = Write(
            """{"question": "q", "roles": {"Planner": "p1", "Solver": "s1"}, "later_rounds": [{"Planner": "p2", "Solver": "s2"}, {"Planner": "p3"}], "answer": "\\boxed{5}"}""",
            """{"question": "q", "roles": {"Planner": "p1"}, "answer": "\\boxed{5}"}""");
        var (rounds, plain) = (TrainingData.Load(path)[0], TrainingData.Load(path)[1]);
        Assert.Equal(["p1", "p2", "p3", "p3"], new[] { 1, 2, 3, 9 }.Select(r => rounds.TargetOf("Planner", "Solver", r)));
        Assert.Equal(["s1", "s2", "\\boxed{5}"], new[] { 1, 2, 3 }.Select(r => rounds.AnswerIn(r, "Solver")));
        Assert.Null(rounds.TargetOf("Critic", "Solver", 2));
        // Without later rounds every round is round 1's, and the decoder is scored on the answer.
        Assert.Equal(["p1", "p1"], new[] { 1, 3 }.Select(r => plain.TargetOf("Planner", "Solver", r)));
        Assert.Equal("\\boxed{5}", plain.AnswerIn(2, "Solver"));
    }

    [Fact]
    public void LinesBecomeExamplesAndBlankLinesAreSkipped()
    {
        string path = Write(
            """{"question": "What is 2+3?", "roles": {"Planner": "Add.", "Critic": "Add 2 and 3."}, "answer": "\\boxed{5}"}""",
            "",
            """{"question": "Capital of France?", "answer": "Paris"}""");
        var examples = TrainingData.Load(path);
        Assert.Equal(2, examples.Count);
        Assert.Equal("What is 2+3?", examples[0].Question);
        Assert.Equal("Add 2 and 3.", examples[0].RoleTargets["Critic"]);
        Assert.Equal("\\boxed{5}", examples[0].Answer);
        Assert.Empty(examples[1].RoleTargets);
        Assert.Equal($"{path}:3", examples[1].Source);
    }

    [Theory]
    [InlineData("{\"question\": \"q\"", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"answer\": \"a\"}", "missing \"question\"")]
    [InlineData("{\"question\": \"q\", \"answer\": 5}", "\"answer\" must be a string")]
    [InlineData("{\"question\": \"q\", \"answer\": \"a\", \"roles\": [\"x\"]}", "\"roles\"': must be an object")]
    [InlineData("{\"question\": \"q\", \"answer\": \"a\", \"roles\": {\"Planner\": 1}}", "\"roles.Planner\"': must be a string")]
    [InlineData("{\"question\": \"q\", \"answer\": \"\"}", "\"answer\" is empty")]
    public void AMalformedLineIsNamedWithItsFileAndNumber(string bad, string fragment)
    {
        string path = Write("""{"question": "q", "answer": "a"}""", bad);
        var e = Assert.Throws<ModelFileException>(() => TrainingData.Load(path));
        Assert.Equal(Path.GetFullPath(path), e.FilePath);
        Assert.StartsWith("line 2", e.Item);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void MissingAndEmptyFilesAreErrors()
    {
        Assert.Contains("not found", Assert.Throws<ModelFileException>(() => TrainingData.Load(Path.Combine(_folder, "none.jsonl"))).Message);
        Assert.Contains("no examples", Assert.Throws<ModelFileException>(() => TrainingData.Load(Write("", "  "))).Message);
    }

    [Fact]
    public void CosineScheduleWarmsUpThenDecaysToZero()
    {
        var schedule = new CosineSchedule(1e-3, WarmupSteps: 10, TotalSteps: 110);
        Assert.Equal(0, schedule.RateAt(0));
        Assert.Equal(5e-4, schedule.RateAt(5), 12);
        Assert.Equal(1e-3, schedule.RateAt(10), 12);
        Assert.Equal(5e-4, schedule.RateAt(60), 12);
        Assert.Equal(0, schedule.RateAt(110), 12);
    }
}
