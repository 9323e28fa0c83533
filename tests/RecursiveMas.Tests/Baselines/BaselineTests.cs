using RecursiveMas.Baselines;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Baselines;

public sealed class BaselineTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    static readonly string[] Questions = ["What is 12 plus 30?", "Name the capital of France."];

    [Fact]
    public void SingleAgentIsTheDecoderAloneInText()
    {
        using var system = zoo.Load("sequential", 3);
        var result = SingleAgentBaseline.SolveBatch(system, Questions);
        var step = Assert.Single(result.Steps);
        Assert.Equal("Solver", step.Agent);
        Assert.Equal(StepKind.Decode, step.Kind);
        Assert.Equal(0, result.LatentThoughts);
        Assert.Equal(2, result.Answers.Count);
        Assert.Equal(RunMethod.Single, result.Method);
    }

    [Theory]
    [InlineData("sequential", 2)]
    [InlineData("mixture", 3)]
    public void TextMasRunsThePatternWithTextMessages(string pattern, int rounds)
    {
        using var system = zoo.Load(pattern, rounds, maxNewTokens: 4);
        var latent = RecursiveRunner.SolveBatch(system, Questions);
        var text = TextMasBaseline.SolveBatch(system, Questions);
        // Same turns, in the same order; only the kind of the non-final steps differs.
        Assert.Equal(latent.Steps.Select(s => (s.Agent, s.Round)), text.Steps.Select(s => (s.Agent, s.Round)));
        Assert.All(text.Steps.SkipLast(1), s => Assert.Equal(StepKind.Text, s.Kind));
        Assert.All(text.Steps.SkipLast(1), s => Assert.InRange(s.GeneratedTokens, 1, Questions.Length * system.Description.TextMessageTokens));
        Assert.Equal(0, text.LatentThoughts);
        // Latent messages replace the text: far fewer generated tokens.
        Assert.True(latent.GeneratedTokens < text.GeneratedTokens, $"{latent.GeneratedTokens} vs {text.GeneratedTokens}");
        Assert.Equal(text.GeneratedTokens, text.Answers.Sum(a => a.GeneratedTokens));
    }

    [Fact]
    public void TextMessagesAreReadInTheReceiversSlot()
    {
        using var system = zoo.Load("distillation", 1, maxNewTokens: 3);
        var expert = system.Agent("Expert");
        var learner = system.Agent("Learner");
        var result = TextMasBaseline.SolveBatch(system, ["Paris?"]);
        // Re-create the expert's message and check the learner's prompt length.
        var message = expert.GenerateText(expert.PromptFor(1, false), ["Paris?"], (_, _) => "",
            SystemAgent.Sampling(system.Description.Decoding) with { MaxNewTokens = system.Description.TextMessageTokens }).Texts.Single();
        int expected = learner.Tokenizer.Encode(learner.PromptFor(1, true).RenderWithText("Paris?", _ => message.Text!)).Count;
        Assert.Equal(expected, result.Steps[^1].PrefillTokens);
    }

    [Fact]
    public void LatentMasRunsSameModelSystemsAndRefusesMixedOnes()
    {
        using var deliberation = zoo.Load("deliberation", 2, maxNewTokens: 4);
        var messages = new List<long[]>();
        var result = LatentMasBaseline.SolveBatch(deliberation, Questions, new RunOptions { OnMessage = m => messages.Add(m.Vectors.shape) });
        Assert.Equal(RunMethod.LatentMas, result.Method);
        Assert.Equal(3, messages.Count); // Reflector → ToolCaller twice, ToolCaller → Reflector once
        Assert.All(messages, shape => Assert.Equal(96, shape[2]));

        using var sequential = zoo.Load("sequential", 1);
        var e = Assert.Throws<ArgumentException>(() => LatentMasBaseline.SolveBatch(sequential, Questions));
        Assert.Contains("Planner: models/llama-64", e.Message);
    }

    [Fact]
    public void LatentMasAsPublishedPrependsEachAgentsCacheInOnePass()
    {
        using var deliberation = zoo.Load("deliberation", 3, maxNewTokens: 8);
        var result = LatentMasKvBaseline.SolveBatch(deliberation, Questions);
        Assert.Equal(RunMethod.LatentMasKv, result.Method);
        Assert.Equal(1, result.Rounds); // one pass, whatever the system's rounds
        Assert.Equal([("Reflector", StepKind.Latent, LatentMasKvBaseline.DefaultLatentSteps), ("ToolCaller", StepKind.Decode, 0)],
            result.Steps.Select(s => (s.Agent, s.Kind, s.LatentSteps)));
        // Each question alone gives the same answer (its own cache); the decoder prefilled only its own
        // prompt (slots empty) on top of the reflector's cache, which holds the rest.
        for (int q = 0; q < Questions.Length; q++)
            Assert.Equal(LatentMasKvBaseline.SolveBatch(deliberation, [Questions[q]]).Answers[0].Text, result.Answers[q].Text);
        var toolCaller = deliberation.Agent("ToolCaller");
        Assert.Equal(Questions.Sum(q => toolCaller.Tokenizer.Encode(toolCaller.PromptFor(1, decode: true).RenderWithText(q, _ => "")).Count),
            result.Steps[^1].PrefillTokens);

        using var sequential = zoo.Load("sequential", 1);
        var e = Assert.Throws<ArgumentException>(() => LatentMasKvBaseline.SolveBatch(sequential, Questions));
        Assert.Contains("share one model", e.Message);
    }

    [Fact]
    public void LatentMasRefusesAQuestionItsCacheCannotHoldBeforeAnyForward()
    {
        using var deliberation = zoo.Load("deliberation", 1, maxNewTokens: 4);
        var reflector = deliberation.Agent("Reflector");
        int max = reflector.Prompts.MaxPositions;
        const string Unit = "\u00a4\u00b6 ";
        double perUnit = reflector.Tokenizer.Encode(string.Concat(Enumerable.Repeat(Unit, 100))).Count / 100.0;

        // The slot variant runs turn by turn, as the recursive runner, and is checked as it is.
        string huge = string.Concat(Enumerable.Repeat(Unit, (int)(1.2 * max / perUnit)));
        var alone = Assert.Throws<PromptTooLongException>(() => LatentMasBaseline.SolveBatch(deliberation, [huge]));
        Assert.Contains($"max_position_embeddings of {max}", alone.Message);

        // As published, one cache holds every agent's prompt: a question at 60 % of the context fits each turn and
        // not the cache, and a batch is refused naming it before its first question runs.
        string long60 = string.Concat(Enumerable.Repeat(Unit, (int)(0.6 * max / perUnit)));
        RunAdmission.CheckEach(deliberation.Prompts, [long60]);
        var cached = Assert.Throws<PromptTooLongException>(() => LatentMasKvBaseline.SolveBatch(deliberation, ["What is 1 plus 1?", long60]));
        Assert.StartsWith("question 2 of 2: the request is too long: LatentMAS's one cache", cached.Message);
        Assert.Contains($"over the model's max_position_embeddings of {max}", cached.Message);
    }

    [Fact]
    public void RidgeRealignmentOfATiedModelKeepsTheDirectionAndSetsTheNorm()
    {
        // With tied embeddings W_out = W_in, the ridge solution is (almost) the identity.
        using var model = TinyModels.Create(TinyCheckpoints.Config("qwen2", 48));
        using var realign = new RidgeRealignment(model.OutputMatrix, model.EmbeddingMatrix);
        var h = randn(5, 48);
        var e = realign.forward(h);
        var cosine = nn.functional.cosine_similarity(e, h, 1);
        Assert.True(cosine.min().item<float>() > 0.999f);
        var norms = e.norm(1);
        Assert.True((norms - realign.TargetNorm).abs().max().item<float>() < 1e-3);
    }
}
