using RecursiveMas.Models;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;
using RecursiveMas.Training;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Generated;

/// <summary>
/// Code generated from an attributed system (<see cref="SequentialTeam"/>) against the runtime running
/// the same system from SYSTEM.json: the same latent messages, answer tokens and accounting.
/// </summary>
public sealed class GeneratedSystemTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    static readonly SystemLoadOptions Untrained = new() { AllowUntrainedLinks = true, UntrainedLinkSeed = 5 };

    // The generated system loads the very links the runtime system holds, from files: untrained links
    // are seeded through torch's global generator, which tests running in parallel (training) also seed.
    string LinksOf(RecursiveSystem runtime)
    {
        string directory = Path.Combine(zoo.Root, "links-" + Guid.NewGuid().ToString("N"));
        runtime.SaveLinks(directory);
        return directory;
    }

    SequentialTeam LoadGenerated(RecursiveSystem runtime) => SequentialTeam.Load(zoo.Root, LinksOf(runtime));

    static (RunResult Result, List<(SystemEdge Edge, int Round, Tensor Vectors)> Messages) Run(
        Func<RunOptions, RunResult> solve, RunOptions options)
    {
        var messages = new List<(SystemEdge, int, Tensor)>();
        var result = solve(options with { OnMessage = m => messages.Add((m.Edge, m.Round, m.Vectors.clone().DetachFromDisposeScope())) });
        return (result, messages);
    }

    static void AssertSameRun(
        (RunResult Result, List<(SystemEdge Edge, int Round, Tensor Vectors)> Messages) expected,
        (RunResult Result, List<(SystemEdge Edge, int Round, Tensor Vectors)> Messages) actual)
    {
        Assert.Equal(expected.Result.Method, actual.Result.Method);
        Assert.Equal(expected.Result.Rounds, actual.Result.Rounds);
        Assert.Equal(expected.Result.Answers, actual.Result.Answers);
        // Accounting: the same steps in the same order with the same counts (wall time aside).
        Assert.Equal(
            expected.Result.Steps.Select(s => (s.Agent, s.Round, s.Kind, s.LatentSteps, s.GeneratedTokens, s.PrefillTokens)),
            actual.Result.Steps.Select(s => (s.Agent, s.Round, s.Kind, s.LatentSteps, s.GeneratedTokens, s.PrefillTokens)));
        Assert.Equal(expected.Messages.Select(m => (m.Edge, m.Round)), actual.Messages.Select(m => (m.Edge, m.Round)));
        for (int i = 0; i < expected.Messages.Count; i++)
            Assert.True(TensorAssert.MaxAbsDiff(expected.Messages[i].Vectors, actual.Messages[i].Vectors) == 0,
                $"message {expected.Messages[i].Edge} of round {expected.Messages[i].Round} differs");
    }

    [Fact]
    public void GeneratedSolveGivesTheRunnersMessagesAnswersAndAccounting()
    {
        using var runtime = zoo.Load("sequential", 3, maxNewTokens: 8);
        using var generated = LoadGenerated(runtime);
        string[] questions = ["What is 12 plus 30?", "Name the capital of France."];
        var options = new RunOptions { Decoding = runtime.Description.Decoding };

        var expected = Run(o => RecursiveRunner.SolveBatch(runtime, questions, o), options);
        var actual = Run(o => generated.SolveBatch(questions, o), options);

        Assert.Equal(3 * 3, actual.Result.Steps.Count); // every agent every round, the last being the decode
        Assert.All(actual.Result.Answers, a => Assert.True(a.GeneratedTokens > 0));
        AssertSameRun(expected, actual);
    }

    [Fact]
    public void AGeneratedSystemFillsRoundInEveryRoundItReadsAPrompt()
    {
        string links = Path.Combine(zoo.Root, "links-" + Guid.NewGuid().ToString("N")); // none: untrained, seeded
        using var generated = RoundTeam.Load(zoo.Root, links, options: Untrained);
        var options = new RunOptions { Decoding = generated.Runtime.Description.Decoding with { MaxNewTokens = 4 } };

        var expected = Run(o => RecursiveRunner.Solve(generated.Runtime, "What is 12 plus 30?", o), options);
        var actual = Run(o => generated.Solve("What is 12 plus 30?", o), options);

        AssertSameRun(expected, actual);
        Assert.Equal("Round 3. Refine the plan. Question: {question} Feedback: {feedback}",
            generated.Runtime.Agent("RoundPlanner").PromptFor(3, decode: false).Template);
    }

    [Fact]
    public void RoleTextsReachTheirAgentsWhenRolesAreEachOthersNames()
    {
        // The generated trainer's re-keying (private: what TrainInner/TrainOuter hand LinkTrainer).
        var byAgentName = typeof(SwappedRolesTeam).GetMethod("ByAgentName", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var example = new TrainingExample("q", new Dictionary<string, string> { ["SwappedSolver"] = "the plan", ["SwappedPlanner"] = "the answer" }, "a");

        var renamed = (IReadOnlyList<TrainingExample>)byAgentName.Invoke(null, [new[] { example }])!;

        // The planner's role is "SwappedSolver": it trains on the plan, and the solver on the answer.
        Assert.Equal("the plan", renamed[0].RoleTargets["SwappedPlanner"]);
        Assert.Equal("the answer", renamed[0].RoleTargets["SwappedSolver"]);
    }

    [Fact]
    public void AGeneratedMixtureBroadcastsFeedbackLikeTheRunner()
    {
        using var runtime = zoo.Load("mixture", 2, maxNewTokens: 4);
        using var generated = MixtureTeam.Load(zoo.Root, LinksOf(runtime));
        var options = new RunOptions { Decoding = runtime.Description.Decoding };

        var expected = Run(o => RecursiveRunner.Solve(runtime, "What is 12 plus 30?", o), options);
        var actual = Run(o => generated.Solve("What is 12 plus 30?", o), options);

        Assert.Equal(3, actual.Messages.Count(m => m.Edge.From == "Summarizer"));
        AssertSameRun(expected, actual);
    }

    [Fact]
    public void AGeneratedDeliberationSearchesTheCorpusItDeclares()
    {
        using var runtime = zoo.Load("deliberation", 2, maxNewTokens: 4);
        using var generated = DeliberationTeam.Load(zoo.Root, LinksOf(runtime));

        // [Deliberation(SearchCorpus = "corpus.txt")] resolves against the model root, as SYSTEM.json's toolCorpus does against its folder.
        Assert.Equal(Path.Combine(zoo.Root, "corpus.txt"), DeliberationTeam.Describe(zoo.Root).ToolCorpus);
        Assert.Equal(runtime.Tools.Select(t => t.Name), generated.Runtime.Tools.Select(t => t.Name));
        var search = generated.Runtime.Tools.Single(t => t.Name == "search");
        Assert.Contains("forty-two", search.Invoke("twelve plus thirty"));

        var options = new RunOptions { Decoding = runtime.Description.Decoding };
        var expected = Run(o => RecursiveRunner.Solve(runtime, "What is 12 plus 30?", o), options);
        var actual = Run(o => generated.Solve("What is 12 plus 30?", o), options);
        AssertSameRun(expected, actual);
    }

    [Fact]
    public void AnotherRoundCountRunsTheRuntimeLoop()
    {
        using var runtime = zoo.Load("sequential", 3, maxNewTokens: 4);
        using var generated = LoadGenerated(runtime);
        var options = new RunOptions { Rounds = 2, LatentSteps = 2, Decoding = runtime.Description.Decoding };

        var expected = Run(o => RecursiveRunner.Solve(runtime, "Paris?", o), options);
        var actual = Run(o => generated.Solve("Paris?", o), options);

        Assert.Equal(2, actual.Result.Rounds);
        Assert.All(actual.Result.Steps.Where(s => s.Kind == StepKind.Latent), s => Assert.Equal(2, s.LatentSteps));
        AssertSameRun(expected, actual);
    }

    [Fact]
    public void TheGraphAndItsSystemJsonDescribeTheDeclaredSystem()
    {
        var graph = SequentialTeam.Graph;
        Assert.Equal(["Planner", "Critic", "Solver"], graph.Agents.Select(a => a.Name));
        Assert.Equal(new GraphEdge("Solver", "Planner", IsFeedback: true, 128, 0), graph.Edges[^1]);
        Assert.Contains("\"Planner\" -> \"Critic\" [label=\"?→?\"];", graph.ToDot());
        Assert.Contains("\"Solver\" -> \"Planner\" [label=\"128→?\", style=dashed];", graph.ToDot());

        // SYSTEM.json of the declaration reads back as the hand-written description of the same system.
        var fromJson = SystemDescription.Parse(graph.ToSystemJson(), Path.Combine(zoo.Root, "generated.SYSTEM.json"));
        var handWritten = zoo.Describe("sequential", 3);
        Assert.Equal(handWritten.Agents.Select(a => (a.Name, a.Model, a.LatentSteps)), fromJson.Agents.Select(a => (a.Name, a.Model, a.LatentSteps)));
        Assert.Equal(handWritten.Agents.SelectMany(a => a.Prompts), fromJson.Agents.SelectMany(a => a.Prompts));
        Assert.Equal(handWritten.Pattern.Agents, fromJson.Pattern.Agents);
        Assert.Equal(handWritten.Rounds, fromJson.Rounds);
    }

    [Fact]
    public void LoadingChecksDeclaredHiddenSizesAgainstConfigJson()
    {
        var error = Assert.Throws<ModelFileException>(() => WrongSizeTeam.Load(zoo.Root, Path.Combine(zoo.Root, "links"), options: Untrained));
        Assert.Contains("WrongSolver", error.Message);
        Assert.Contains("RMAS1001", error.Message);
    }
}

/// <summary>The generated training entry points drive the runtime's LinkTrainer on the generated system's links.</summary>
public sealed class GeneratedTrainingTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    static readonly TrainingExample[] Data =
    [
        new("What is 12 plus 30?", new Dictionary<string, string> { ["Planner"] = "Step 1: add 12 and 30.", ["Critic"] = "Step 1: add. Step 2: check." }, "\\boxed{42}"),
    ];

    [Fact]
    public void TrainOuterChangesTheOuterLinksAndTheSystemStillAnswers()
    {
        using var team = SequentialTeam.Load(zoo.Root, Path.Combine(zoo.Root, "links"), options: new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 5 });
        var before = team.CriticToSolver.Link.parameters().Select(p => p.detach().clone()).ToList();
        var innerBefore = team.PlannerInnerLink.parameters().Select(p => p.detach().clone()).ToList();

        var report = team.TrainOuter(Data, new TrainingOptions { Steps = 1, WarmupSteps = 0, BatchSize = 1 });

        Assert.True(double.IsFinite(report.FinalLoss));
        var after = team.CriticToSolver.Link.parameters().ToList();
        Assert.Contains(Enumerable.Range(0, before.Count), i => TensorAssert.MaxAbsDiff(before[i], after[i]) > 0);
        // The outer stage leaves the inner links as they were.
        Assert.All(team.PlannerInnerLink.parameters().Select((p, i) => (p, i)), x => Assert.Equal(0, TensorAssert.MaxAbsDiff(innerBefore[x.i], x.p)));
        Assert.Single(team.Solve("Paris?", new RunOptions { Decoding = new DecodingDescription { MaxNewTokens = 2, RetryWithoutBoxedAnswer = false } }).Answers);
    }
}
