using RecursiveMas.Latent;
using RecursiveMas.Models.Kernels;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Systems;

public sealed class RecursiveRunnerTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    public static IEnumerable<object[]> PatternsAndRounds() =>
        TinySystems.Patterns.SelectMany(p => new[] { 1, 2, 3 }.Select(n => new object[] { p, n }));

    [Theory]
    [MemberData(nameof(PatternsAndRounds))]
    public void EveryPatternRunsItsRounds(string pattern, int rounds)
    {
        using var system = zoo.Load(pattern, rounds);
        var plan = system.Plan;
        var messages = new List<(SystemEdge Edge, int Round, long[] Shape, ScalarType DType)>();
        var result = RecursiveRunner.SolveBatch(system, ["What is 12 plus 30?", "Name the capital of France."],
            new RunOptions { OnMessage = m => messages.Add((m.Edge, m.Round, m.Vectors.shape, m.Vectors.dtype)) });

        Assert.Equal(2, result.Answers.Count);
        // Only the decoder decodes, once, in the last round.
        var decodes = result.Steps.Where(s => s.Kind == StepKind.Decode).ToList();
        Assert.Single(decodes);
        Assert.Equal(plan.Decoder, decodes[0].Agent);
        Assert.Equal(rounds, decodes[0].Round);
        Assert.Same(decodes[0], result.Steps[^1]);
        Assert.All(result.Steps.Where(s => s.Kind == StepKind.Latent), s => Assert.Equal(0, s.GeneratedTokens));

        // Every message has its receiver's hidden size and its sender's latent steps, in float32.
        foreach (var (edge, round, shape, dtype) in messages)
        {
            Assert.Equal([2L, system.Agent(edge.From).LatentSteps, system.Agent(edge.To).HiddenSize], shape);
            Assert.Equal(ScalarType.Float32, dtype);
        }

        // Feedback is sent in every round but the last and read by its receiver in the next round.
        foreach (var edge in plan.Edges.Where(e => e.IsFeedback))
        {
            var sentIn = messages.Where(m => m.Edge == edge).Select(m => m.Round).ToList();
            Assert.Equal(Enumerable.Range(1, rounds - 1), sentIn);
            foreach (int round in sentIn)
                Assert.Contains(result.Steps, s => s.Agent == edge.To && s.Round == round + 1 && s.Kind == StepKind.Latent);
        }
        // Forward edges into the decoder carry a message in every round.
        foreach (var edge in plan.Edges.Where(e => !e.IsFeedback && e.To == plan.Decoder))
            Assert.Equal(Enumerable.Range(1, rounds), messages.Where(m => m.Edge == edge).Select(m => m.Round));
    }

    [Fact]
    public void FeedbackVectorsArePartOfTheFirstAgentsLaterPrompt()
    {
        using var system = zoo.Load("sequential", 2);
        var planner = system.Agent("Planner");
        string question = "What is 12 plus 30?";
        var result = RecursiveRunner.Solve(system, question);

        int TextTokens(AgentPrompt prompt) => prompt.Render(question).Where(s => !s.IsSlot).Sum(s => planner.Tokenizer.Encode(s.Text).Count);
        var round1 = result.Steps.Single(s => s.Agent == "Planner" && s.Round == 1);
        var round2 = result.Steps.Single(s => s.Agent == "Planner" && s.Round == 2);
        Assert.Equal(TextTokens(planner.PromptFor(1, decode: false)), round1.PrefillTokens);
        Assert.Equal(TextTokens(planner.PromptFor(2, decode: false)) + system.Agent("Solver").LatentSteps, round2.PrefillTokens);
    }

    [Theory]
    [InlineData("sequential")]
    [InlineData("mixture")]
    public void ABatchGivesEachQuestionTheBitsOfItsLatentsAndItsGreedyAnswerAlone(string pattern)
    {
        using var system = zoo.Load(pattern, 2, maxNewTokens: 10);
        string[] questions = ["What is 12 plus 30?", "Paris?", "Plan the steps to compute 5 plus 6 and check the arithmetic carefully.", "Berlin is the capital of which country?"];
        var batchMessages = new List<(SystemEdge, int, Tensor)>();
        var batch = RecursiveRunner.SolveBatch(system, questions, new RunOptions { OnMessage = m => batchMessages.Add((m.Edge, m.Round, m.Vectors.clone().DetachFromDisposeScope())) });
        for (int q = 0; q < questions.Length; q++)
        {
            var aloneMessages = new List<(SystemEdge, int, Tensor)>();
            var alone = RecursiveRunner.Solve(system, questions[q], new RunOptions { OnMessage = m => aloneMessages.Add((m.Edge, m.Round, m.Vectors.clone().DetachFromDisposeScope())) });
            Assert.Equal(alone.Answers[0].Text, batch.Answers[q].Text);
            Assert.Equal(aloneMessages.Count, batchMessages.Count);
            for (int i = 0; i < aloneMessages.Count; i++)
            {
                // Every bit where the CPU kernels run (they are batch-invariant by construction); libtorch's are not.
                if (CpuLinear.Available)
                    Assert.True(aloneMessages[i].Item3[0].equal(batchMessages[i].Item3[q]).all().item<bool>(), $"question {q}, message {i}: bits differ from the question alone");
                else
                    TensorAssert.Close(aloneMessages[i].Item3[0], batchMessages[i].Item3[q], 1e-4, $"question {q}, message {i}");
            }
        }
    }

    [Theory]
    [InlineData("sequential")]
    [InlineData("mixture")]
    [InlineData("deliberation")]
    public void ReusedPromptPrefixesChangeNoAnswerAndNoMessage(string pattern)
    {
        var description = zoo.Describe(pattern, 3, maxNewTokens: 10);
        using var reusing = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 5 });
        using var whole = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 5, PrefixCacheBytes = 0 });
        string[] questions = ["What is 12 plus 30?", "Paris?", "Plan the steps to compute 5 plus 6 carefully."];
        // Twice: the second run reads every prefix from the store.
        for (int pass = 0; pass < 2; pass++)
        {
            var reusedMessages = new List<Tensor>();
            var wholeMessages = new List<Tensor>();
            var reused = RecursiveRunner.SolveBatch(reusing, questions, new RunOptions { OnMessage = m => reusedMessages.Add(m.Vectors.clone().DetachFromDisposeScope()) });
            var read = RecursiveRunner.SolveBatch(whole, questions, new RunOptions { OnMessage = m => wholeMessages.Add(m.Vectors.clone().DetachFromDisposeScope()) });
            Assert.Equal(read.Answers.Select(a => a.Text), reused.Answers.Select(a => a.Text));
            Assert.Equal(read.PrefillTokens, reused.PrefillTokens);
            // With the runtime's kernels a continued prefill has the whole one's bits: nothing may move at all.
            for (int i = 0; i < wholeMessages.Count; i++)
                TensorAssert.Close(wholeMessages[i], reusedMessages[i], CpuLinear.Runs ? 0 : 1e-4, $"pass {pass}, message {i}");
        }
        Assert.All(reusing.Agents, a => Assert.True(a.Prefixes!.Hits > 0, $"{a.Name} never reused a prefix"));
        Assert.All(whole.Agents, a => Assert.Null(a.Prefixes));
    }

    [Fact]
    public void TheTextBeforeTheQuestionIsPrefilledOnceForEveryQuestion()
    {
        // The planner's first-round prompt has no slot; its text before the question is the same for every question.
        var description = zoo.Describe("sequential", 1, maxNewTokens: 4);
        using var system = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 5 });
        var planner = system.Agents[0];
        RecursiveRunner.Solve(system, "What is 12 plus 30?");
        long misses = planner.Prefixes!.Misses;
        Assert.Equal((1L, 0L), (misses, planner.Prefixes.Hits)); // the head, prefilled and kept
        RecursiveRunner.Solve(system, "Tom has 5 marbles and finds 9 more. How many now?");
        Assert.Equal((misses, 1L), (planner.Prefixes.Misses, planner.Prefixes.Hits));
    }

    [Fact]
    public void SavedLinksReloadToTheSameRun()
    {
        string links = Path.Combine(zoo.Root, "links-" + Guid.NewGuid().ToString("N"));
        var description = zoo.Describe("sequential", 2);
        string question = "What is 12 plus 30?";
        RunResult first;
        var firstMessages = new List<Tensor>();
        using (var system = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 77 }))
        {
            first = RecursiveRunner.Solve(system, question, new RunOptions { OnMessage = m => firstMessages.Add(m.Vectors.clone().DetachFromDisposeScope()) });
            system.SaveLinks(links);
        }
        Assert.Equal(6, Directory.GetFiles(links, "*.safetensors").Length); // 3 inner + 3 outer
        using var reloaded = RecursiveSystem.Load(description, new SystemLoadOptions { LinksDirectory = links });
        var secondMessages = new List<Tensor>();
        var second = RecursiveRunner.Solve(reloaded, question, new RunOptions { OnMessage = m => secondMessages.Add(m.Vectors.clone().DetachFromDisposeScope()) });
        Assert.Equal(first.Answers[0].Text, second.Answers[0].Text);
        for (int i = 0; i < firstMessages.Count; i++)
            TensorAssert.Close(firstMessages[i], secondMessages[i], 0);
        Directory.Delete(links, recursive: true);
    }

    [Fact]
    public void MissingLinksAreAnErrorUnlessUntrainedIsAllowed()
    {
        var description = zoo.Describe("distillation", 1);
        var e = Assert.Throws<ModelFileException>(() => RecursiveSystem.Load(description, new SystemLoadOptions { LinksDirectory = Path.Combine(zoo.Root, "no-links") }));
        Assert.Contains("inner.Expert", e.Message);
        Assert.Contains("--untrained", e.Message);
    }

    [Fact]
    public void ALinkFileOfTheWrongSizeNamesTheLinkAndBothSizes()
    {
        string links = Path.Combine(zoo.Root, "bad-links-" + Guid.NewGuid().ToString("N"));
        using (var wrong = new RecursiveMas.Links.OuterLink("Expert", "Learner", 96, 128))
            wrong.Save(Path.Combine(links, "outer.Expert-Learner"));
        var e = Assert.Throws<ModelFileException>(() => RecursiveSystem.Load(zoo.Describe("distillation", 1),
            new SystemLoadOptions { LinksDirectory = links, AllowUntrainedLinks = true }));
        Assert.Contains("outer.Expert-Learner", e.Message);
        Assert.Contains("128", e.Message);
        Assert.Contains("64", e.Message);
    }

    [Fact]
    public void RoundsAndLatentStepsCanBeOverriddenPerRun()
    {
        using var system = zoo.Load("distillation", 3);
        var result = RecursiveRunner.Solve(system, "Paris?", new RunOptions { Rounds = 1, LatentSteps = 2 });
        Assert.Equal(1, result.Rounds);
        Assert.All(result.Steps.Where(s => s.Kind == StepKind.Latent), s => Assert.Equal(2, s.LatentSteps));
        Assert.Equal(2, result.Steps.Count); // expert thinks, learner decodes
        Assert.Throws<ArgumentOutOfRangeException>(() => RecursiveRunner.Solve(system, "x", new RunOptions { Rounds = 0 }));
    }

    [Fact]
    public void TheResultPrintsAsJson()
    {
        using var system = zoo.Load("sequential", 1);
        var result = RecursiveRunner.Solve(system, "What is 12 plus 30?");
        string json = result.ToJson();
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("recursive", doc.RootElement.GetProperty("method").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("steps").GetArrayLength());
        Assert.True(doc.RootElement.GetProperty("peak_memory_bytes").GetInt64() > 0);
        Assert.Equal("Planner", doc.RootElement.GetProperty("steps")[0].GetProperty("agent").GetString());
        Assert.Equal(["latent", "latent", "decode"], doc.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("kind").GetString()));
    }
}
